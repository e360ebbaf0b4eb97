"""Real ``actions-core`` processes for tests: the command, the environment they run in, the
LaunchDarkly config they read, and waiting on them.

Every test that starts the CLI as a process goes through here, so that the environment (the
repository importable, the LaunchDarkly plugin loaded, no credentials leaking in from the
developer's shell) is the same everywhere. Waits poll with a generous bound instead of
sleeping a fixed time; the bound only keeps a broken build from hanging the suite.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TOKEN = "api-test-token-0123456789"
"""The LaunchDarkly token the config reads from ``LD_TEST_TOKEN`` (:func:`cli_env`)."""
CLIENT_ID = "env-1"
"""The LaunchDarkly client id of :func:`write_config`, the stand-in's default too."""
HANG_GUARD = 120.0
"""Seconds after which a process that should have ended is a failed test."""


def actions_core() -> list[str]:
    """The venv's console script next to this interpreter, else the module (source checkout)."""
    script = Path(sys.executable).with_name("actions-core")
    return [str(script)] if script.exists() else [sys.executable, "-m", "actions_core.cli.main"]


def cli_env(*, token: str | None = None, write_key: str | None = None) -> dict[str, str]:
    """The environment with the repository importable and the LaunchDarkly plugin loaded even
    when the package is not installed; no LaunchDarkly credentials or ``ACTIONS_CORE_``
    settings from the caller's shell, as on a fresh machine, unless ``token`` (as
    ``LD_TEST_TOKEN``) or ``write_key`` are given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LD_", "ACTIONS_CORE_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["ACTIONS_CORE_PLUGINS"] = "actions_launchdarkly_audiences"
    if token is not None:
        env["LD_TEST_TOKEN"] = token
    if write_key is not None:
        env["ACTIONS_CORE_WRITE_KEY"] = write_key
    return env


def run_cli(
    *args: str,
    cwd: Path = REPO,
    env: dict[str, str] | None = None,
    stdin: str = "",
    timeout: float = HANG_GUARD,
) -> subprocess.CompletedProcess[str]:
    """``actions-core *args`` to its end, output captured (``env`` defaults to :func:`cli_env`)."""
    return subprocess.run(
        [*actions_core(), *args], input=stdin, capture_output=True, text=True, cwd=cwd,
        env=cli_env() if env is None else env, timeout=timeout, check=False,
    )


def write_config(
    path: Path, server_url: str = "http://127.0.0.1:9", client_id: str = CLIENT_ID
) -> Path:
    """The LaunchDarkly preset with its hosts pointed at the stand-in (the default, port 9,
    refuses, so nothing leaves the machine by accident); the token comes from
    ``LD_TEST_TOKEN``."""
    path.write_text(
        textwrap.dedent(f"""\
            destination: actions-launchdarkly-audiences
            settings:
              apiKey: ${{LD_TEST_TOKEN}}
              clientId: {client_id}
              apiBaseUrl: {server_url}
              clientSdkBaseUrl: {server_url}
            mappings:
              - name: Sync
                preset: Sync Engage Audience to LaunchDarkly
        """),
        encoding="utf-8",
    )
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """A report, dead-letter or requests file, one JSON object a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def free_port() -> int:
    """A port nothing listens on at the moment (for a server started next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(
    condition: Callable[[], bool],
    process: subprocess.Popen[Any],
    *,
    timeout: float = 60.0,
    what: str = "a condition",
    exited: Callable[[], str] = lambda: "",
    interval: float = 0.05,
) -> None:
    """Poll ``condition`` while ``process`` runs; its exit first, or ``timeout``, fails the test
    (``exited`` says what the process left behind, e.g. its log)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the process exited before {what}: {exited()}"
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout}s: {exited()}"
        time.sleep(interval)


__all__ = [
    "CLIENT_ID",
    "HANG_GUARD",
    "REPO",
    "TOKEN",
    "actions_core",
    "cli_env",
    "free_port",
    "read_jsonl",
    "run_cli",
    "wait_until",
    "write_config",
]
