"""``actions-core`` as a real process: the README's command, exit codes, the progress line
on a terminal, and a light import."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import REPO, actions_core, cli_env, run_cli

pytestmark = pytest.mark.slow

README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_first_command() -> list[str]:
    """The ``actions-core ...`` part of the README's first command (after ``pip install .``)."""
    first = re.search(r"```sh\n(.*?)\n```", README, re.S)
    assert first is not None
    install, _, command = first.group(1).partition(" && ")
    assert install == "pip install ."
    words = shlex.split(command)
    assert words[0] == "actions-core"
    return words[1:]


def test_the_readmes_first_command_prints_requests_and_the_summary_it_quotes() -> None:
    result = run_cli(*readme_first_command())
    assert result.returncode == 1  # the example holds invalid lines on purpose, as it says
    requests = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["url"] for r in requests} == {
        "https://app.launchdarkly.com/api/v2/segment-targets/segment-audiences"
    }
    assert {r["headers"]["authorization"] for r in requests} == {"***"}
    quoted = re.search(r"The summary on\s+stderr reads `(.*?); \.\.\.`", README)
    assert quoted is not None
    assert result.stderr.startswith(quoted.group(1) + "; ")


def test_the_example_config_is_valid() -> None:
    result = run_cli("validate", "examples/launchdarkly.yaml")
    assert (result.returncode, result.stderr) == (0, "")


def test_an_invalid_config_exits_3_with_its_location(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("destination: actions-launchdarkly-audiences\ndestination: again\n")
    result = run_cli("validate", str(config))
    assert result.returncode == 3
    assert result.stderr.startswith(f"{config}:2:1: destination: duplicate key 'destination'")


def test_a_usage_error_exits_2() -> None:
    result = run_cli("run")
    assert result.returncode == 2
    assert "Missing argument 'CONFIG'" in result.stderr


def test_a_progress_line_is_shown_while_running_on_a_terminal() -> None:
    first_event = (REPO / "examples" / "engage-events.jsonl").read_text().splitlines()[0]
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*actions_core(), "run", "examples/launchdarkly.yaml", "--dry-run", "--output", os.devnull],
        stdin=subprocess.PIPE, stderr=terminal, cwd=REPO, env=cli_env(), text=True,
    )
    os.close(terminal)
    assert process.stdin is not None
    process.stdin.write(first_event + "\n")
    process.stdin.flush()
    seen = _read_until(controller, b"\r1 events: ")  # the input is still open: the run goes on
    process.stdin.close()
    process.wait(timeout=30)
    seen += _read_until(controller, b"s\r\n")
    os.close(controller)
    assert b"\r1 events: 1 delivered, 0 rejected, 0 failed, 0 filtered, 0 invalid" in seen
    assert seen.rstrip().endswith(b"s")  # the final summary, once the progress line is cleared


def _read_until(fd: int, marker: bytes, timeout: float = 20.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            data += chunk
    return data


def test_the_cli_module_defers_the_heavy_imports_to_its_commands() -> None:
    # What `import actions_core` itself loads is the package's business; the CLI module adds
    # none of the loaders, validators or the runner until a command needs them.
    code = (
        "import sys, actions_core; before = set(sys.modules); import actions_core.cli.main; "
        "heavy = ('yaml', 'jsonschema', 'actions_core.config.loader', 'actions_core.runtime.runner', "
        "'actions_core.cli.describe'); "
        "print(sorted(m for m in set(sys.modules) - before if m in heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), check=True
    )
    assert result.stdout.strip() == "[]"
