"""Scaffolding: a new destination plugin package whose own tests pass out of the box.

``actions-core init NAME [--dir DIR]`` calls :func:`create_destination_package`. The package
has a ``pyproject.toml`` (the ``actions_core.destinations`` entry point and a ``test`` extra),
one module with a destination (one action with fields and ``perform``, a preset, an
authentication test) and a ``tests/`` folder running the standard suite plus one snapshot
test. Its request snapshots are written here, by running the generated destination through
the same harness calls its tests make, so ``pip install -e DIR[test]`` then ``pytest`` is
green and the snapshots are there to review from the first commit.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import keyword
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from actions_core.definitions import Destination

SEND_EVENT = "sendEvent"
EXAMPLE_SETTINGS: Mapping[str, Any] = {"api_key": "test-api-key-0123456789"}
EXAMPLE_EVENT: Mapping[str, Any] = {
    "event": "Order Completed",
    "properties": {"order_id": "order-1001", "total": 42.5},
    "timestamp": "2024-01-01T12:00:00.000Z",
}


@dataclass(frozen=True)
class PackageNames:
    """The names derived from what the user typed (``acme-widgets``)."""

    package: str  # python package: acme_widgets
    slug: str  # destination slug and distribution name: actions-acme-widgets
    title: str  # display name: Acme Widgets
    class_name: str  # AcmeWidgets
    host: str  # acme-widgets (the example API's host name)

    @property
    def dist(self) -> str:
        return self.slug


def package_names(name: str) -> PackageNames:
    """Normalise ``name``; raises ValueError when nothing usable is left."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", name.strip()) if w]
    if name.lower().startswith("actions-") and len(words) > 1:
        words = words[1:]  # "actions-acme" means acme
    if not words:
        raise ValueError(f"{name!r} is not a usable destination name (use letters and digits)")
    package = "_".join(w.lower() for w in words)
    if package[0].isdigit() or keyword.iskeyword(package):
        raise ValueError(f"{name!r} gives the python package {package!r}, which is not importable")
    return PackageNames(
        package=package,
        slug="actions-" + "-".join(w.lower() for w in words),
        title=" ".join(w[:1].upper() + w[1:] for w in words),
        class_name="".join(w[:1].upper() + w[1:] for w in words),
        host="-".join(w.lower() for w in words),
    )


def create_destination_package(name: str, directory: Path) -> Path:
    """Create the package ``<directory>/actions-<name>`` and return its path.

    Raises FileExistsError when that folder exists and is not empty.
    """
    names = package_names(name)
    root = Path(directory) / names.dist
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} already exists and is not empty")
    values = {
        "package": names.package,
        "slug": names.slug,
        "title": names.title,
        "class_name": names.class_name,
        "dist": names.dist,
        "host": names.host,
        "settings": _python_literal(EXAMPLE_SETTINGS),
        "event": _python_literal(EXAMPLE_EVENT),
    }
    files = {
        "pyproject.toml": "pyproject.toml.tmpl",
        "README.md": "README.md.tmpl",
        f"{names.package}/__init__.py": "package__init__.py.tmpl",
        f"tests/test_{names.package}.py": "test_package.py.tmpl",
    }
    for target, template in files.items():
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_render(template, values), encoding="utf-8")
    _write_snapshots(root, names)
    return root


def _python_literal(value: Mapping[str, Any]) -> str:
    """``value`` as readable Python source (JSON with double quotes is Python here: the
    examples hold no true/false/null)."""
    text = json.dumps(value, indent=4)
    if ast.literal_eval(text) != value:
        raise ValueError("the example is not plain Python data")
    return text


def _render(template: str, values: Mapping[str, str]) -> str:
    source = resources.files("actions_core").joinpath("cli", "templates", "scaffold", template)
    return Template(source.read_text(encoding="utf-8")).substitute(values)


def _write_snapshots(root: Path, names: PackageNames) -> None:
    """The snapshots the generated tests compare with, from the same harness calls."""
    from actions_core.testing import create_test_event, create_test_integration
    from actions_core.testing.fake_data import fake_payload
    from actions_core.testing.mock_http import MockHTTP
    from actions_core.testing.snapshots import render_snapshot
    from actions_core.testing.suite import required_fields_result

    module = _load(root / names.package / "__init__.py", f"_actions_core_scaffold_{names.package}")
    destination: Destination = module.destination
    action = destination.action(SEND_EVENT)
    if action is None:
        raise RuntimeError(f"the scaffold template lost its {SEND_EVENT} action")
    folder = root / "tests" / "__snapshots__" / f"test_{names.package}"
    folder.mkdir(parents=True, exist_ok=True)

    suite = required_fields_result(
        destination, action, fake_payload(destination, action), EXAMPLE_SETTINGS
    )
    suite_name = f"Test{names.class_name}Destination.test_required_fields_request_snapshot"
    (folder / f"{suite_name}[{SEND_EVENT}].json").write_text(
        render_snapshot(suite.snapshot_data()), encoding="utf-8"
    )

    mock = MockHTTP(strict=False, default_status=202)
    example = create_test_integration(destination, http=mock).test_action(
        SEND_EVENT,
        event=create_test_event(EXAMPLE_EVENT),
        settings=EXAMPLE_SETTINGS,
        use_default_mappings=True,
    )
    (folder / "test_send_event_request.json").write_text(
        render_snapshot(example.snapshot_data()), encoding="utf-8"
    )


def _load(path: Path, module_name: str) -> Any:
    """Import the generated module without installing it (and forget it afterwards)."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(module_name, None)
    return module


__all__ = [
    "EXAMPLE_EVENT",
    "EXAMPLE_SETTINGS",
    "PackageNames",
    "create_destination_package",
    "package_names",
]
