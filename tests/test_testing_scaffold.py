"""create_destination_package: a new destination plugin package whose tests pass at once."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import actions_core
from actions_core.cli.scaffold import create_destination_package, package_names

pytest_plugins = ["pytester"]

PLUGIN = "actions_core.testing.pytest_plugin"


def test_names_are_normalised_from_what_the_user_typed() -> None:
    names = package_names("Acme Widgets")

    assert (names.package, names.slug, names.title, names.class_name) == (
        "acme_widgets",
        "actions-acme-widgets",
        "Acme Widgets",
        "AcmeWidgets",
    )


def test_an_actions_prefix_is_not_doubled() -> None:
    assert package_names("actions-acme").slug == "actions-acme"


@pytest.mark.parametrize("name", ["", "!!!", "2fast", "class"])
def test_a_name_that_gives_no_importable_package_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match=repr(name)):
        package_names(name)


def test_the_package_has_a_module_tests_snapshots_and_a_pyproject(tmp_path: Path) -> None:
    root = create_destination_package("acme", tmp_path)

    assert root == tmp_path / "actions-acme"
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        "README.md",
        "acme/__init__.py",
        "pyproject.toml",
        "tests/__snapshots__/test_acme/TestAcmeDestination.test_required_fields_request_snapshot[sendEvent].json",
        "tests/__snapshots__/test_acme/test_send_event_request.json",
        "tests/test_acme.py",
    ]


def test_the_pyproject_declares_the_entry_point_and_a_test_extra(tmp_path: Path) -> None:
    root = create_destination_package("acme", tmp_path)

    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]

    assert project["name"] == "actions-acme"
    assert project["entry-points"]["actions_core.destinations"] == {"acme": "acme"}
    assert {"pytest>=8", "syrupy>=4.6"} <= set(project["optional-dependencies"]["test"])


def test_the_snapshots_are_readable_json_without_the_secret(tmp_path: Path) -> None:
    root = create_destination_package("acme", tmp_path)
    text = (root / "tests/__snapshots__/test_acme/test_send_event_request.json").read_text()

    [request] = json.loads(text)

    assert request["url"] == "https://api.acme.example/v1/events"
    assert request["headers"]["authorization"] == "Bearer <secret:api_key>"
    assert request["json"]["event"] == "Order Completed"
    assert "test-api-key" not in text


def test_an_existing_non_empty_folder_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "actions-acme").mkdir()
    (tmp_path / "actions-acme" / "keep.txt").write_text("mine")

    with pytest.raises(FileExistsError, match="actions-acme"):
        create_destination_package("acme", tmp_path)


def test_the_generated_tests_pass(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    root = create_destination_package("acme", pytester.path)
    monkeypatch.chdir(root)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.syspathinsert(root)

    result = pytester.runpytest("-p", PLUGIN, "-p", "syrupy")

    result.assert_outcomes(passed=9)


# ------------------------------------------------------------ installed for real


def _venv_python(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh venv that sees this interpreter's packages (nothing is downloaded), and the
    environment to run it with (actions_core importable however it is installed here)."""
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
    )
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # A venv made from a venv only sees the base interpreter's packages; addsitedir also
    # runs the .pth files there (an editable actions_core, say).
    lines = [f"import site; site.addsitedir({d!r})" for d in site.getsitepackages()]
    Path(purelib, "outer-site-packages.pth").write_text("\n".join(lines) + "\n")
    source_root = str(Path(actions_core.__file__).resolve().parents[1])
    pythonpath = os.pathsep.join(p for p in (source_root, os.environ.get("PYTHONPATH", "")) if p)
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath,
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    return python, env


@pytest.mark.slow
def test_a_new_package_installs_registers_and_passes_its_tests(tmp_path: Path) -> None:
    root = create_destination_package("acme", tmp_path)
    python, env = _venv_python(tmp_path)

    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-e", str(root)],
        check=True, env=env, capture_output=True,
    )

    registered = subprocess.run(
        [python, "-c", "import json; from actions_core.registry import list_destinations; "
         "print(json.dumps([[d.destination.slug, d.package] for d in list_destinations()]))"],
        check=True, env=env, capture_output=True, text=True, cwd=tmp_path,
    )
    assert ["actions-acme", "actions-acme"] in json.loads(registered.stdout)
    listed = subprocess.run(
        [python, "-m", "actions_core.cli.main", "destinations", "--format", "json"],
        check=True, env=env, capture_output=True, text=True, cwd=tmp_path,
    )
    rows = {row["slug"]: row for row in json.loads(listed.stdout)}
    assert rows["actions-acme"]["package"] == "actions-acme"

    # The plugin loads through its pytest11 entry point when actions_core is installed.
    installed = any(ep.value == PLUGIN for ep in entry_points(group="pytest11"))
    tests = subprocess.run(
        [python, "-m", "pytest", "-q", *([] if installed else ["-p", PLUGIN])],
        env=env, capture_output=True, text=True, cwd=root,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "9 passed" in tests.stdout
