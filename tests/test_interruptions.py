"""Interruptions never lose events: real ``actions-core run`` processes stopped by SIGINT,
SIGTERM, a revoked token or a closed stdout pipe, against the LaunchDarkly emulator on
127.0.0.1 (:mod:`tests.ld_server`).

An interruption leaves what was not sent ``pending`` (never ``failed``), the checkpoint stays
before the first unsent event, and running the same command again delivers the rest: across
the two runs' report every line is delivered (docs/framework.md, "Delivery guarantees").
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engage import last_membership, write_engage_events
from tests.ld_server import LaunchDarklyServer
from tests.processes import CLIENT_ID, TOKEN, actions_core, cli_env, read_jsonl, write_config

pytestmark = pytest.mark.slow

EVENTS = 2000
BATCH_SIZE = 20
CONCURRENCY = 4
SLOW_REPLY = 0.2
"""Seconds the emulator holds each sync reply, so that a run is still busy when it is stopped."""
DEADLINE = 120.0
"""Seconds a run may take at most on a loaded machine (no passing run nears it)."""


@pytest.fixture
def events_file(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    path = tmp_path / "events.jsonl"
    return path, write_engage_events(path, EVENTS)


@pytest.fixture
def ld() -> Iterator[LaunchDarklyServer]:
    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID, delay=SLOW_REPLY) as server:
        yield server


def command(config: Path, events: Path, *options: str) -> list[str]:
    return [
        *actions_core(), "run", str(config), "--input", str(events),
        "--batch-size", str(BATCH_SIZE), "--concurrency", str(CONCURRENCY), *options,
    ]


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, cwd=cwd, env=cli_env(token=TOKEN), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, stderr


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    return finish(start(args, cwd))


def interrupt_halfway(
    ld: LaunchDarklyServer, process: subprocess.Popen[str], *signals: signal.Signals
) -> tuple[int, str]:
    """Send ``signals`` once the emulator has applied some work, then wait for the exit."""
    try:
        assert ld.wait_until(lambda s: s.items >= EVENTS // 4, timeout=DEADLINE), "never started"
        assert process.poll() is None, "the run ended before it could be interrupted"
        for sig in signals:
            process.send_signal(sig)
    finally:
        code, stderr = finish(process)
    return code, stderr


def read_line(process: subprocess.Popen[str], containing: str) -> str:
    """What the process wrote to stderr up to a line holding ``containing``, within the
    deadline (read unbuffered: the rest stays for :func:`finish`); less when it ends first."""
    assert process.stderr is not None
    fd = process.stderr.fileno()
    seen = b""
    deadline = time.monotonic() + DEADLINE
    while containing.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            seen += chunk
    return seen.decode("utf-8", "replace")


def delivered_lines(path: Path) -> set[int]:
    return {r["line"] for r in read_jsonl(path) if r["outcome"] == "delivered"}


ALL_LINES = set(range(1, EVENTS + 1))


def rerun_delivers_the_rest(
    ld: LaunchDarklyServer, args: list[str], cwd: Path, events: list[dict[str, Any]]
) -> None:
    """The same command run again, the emulator answering at once, delivers what the first
    run did not: across the two runs' report every line is delivered, and LaunchDarkly holds
    what a clean run leaves."""
    ld.delay = 0.0
    code, stderr = run(args, cwd)
    assert code == 0, stderr
    assert delivered_lines(cwd / "report.jsonl") == ALL_LINES
    assert ld.state() == last_membership(events)


def test_ctrl_c_with_a_checkpoint_leaves_unsent_events_pending_and_the_rerun_sends_them(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], ld: LaunchDarklyServer
) -> None:
    path, events = events_file
    config = write_config(tmp_path / "config.yaml", ld.url)
    args = command(config, path, "--checkpoint", "run.ckpt", "--report", "report.jsonl")

    code, stderr = interrupt_halfway(ld, start(args, tmp_path), signal.SIGINT)
    assert code == 130, stderr
    first = read_jsonl(tmp_path / "report.jsonl")
    assert "failed" not in {r["outcome"] for r in first}  # an interruption resolves nothing
    saved = json.loads((tmp_path / "run.ckpt").read_text())
    assert "stopped early: SIGINT received" in stderr
    assert f"Run the same command again to resume from line {saved['next_line']}" in stderr
    assert saved["next_line"] <= EVENTS  # it stayed before the events not sent
    assert delivered_lines(tmp_path / "report.jsonl") != ALL_LINES

    rerun_delivers_the_rest(ld, args, tmp_path, events)


def test_sigterm_prints_the_summary_and_how_to_resume_and_exits_143(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], ld: LaunchDarklyServer
) -> None:
    path, _ = events_file
    config = write_config(tmp_path / "config.yaml", ld.url)
    args = command(config, path, "--checkpoint", "run.ckpt")

    code, stderr = interrupt_halfway(ld, start(args, tmp_path), signal.SIGTERM)
    assert code == 143, stderr
    *announced, counts, reason, hint = stderr.splitlines()
    assert announced[-1].startswith("SIGTERM received: nothing more is sent")
    assert " events: " in counts and " pending; " in counts
    assert reason == "stopped early: SIGTERM received"
    saved = json.loads((tmp_path / "run.ckpt").read_text())
    assert f"Run the same command again to resume from line {saved['next_line']}" in hint


def ctrl_c_twice_with_requests_in_flight(
    ld: LaunchDarklyServer, process: subprocess.Popen[str]
) -> tuple[int, str]:
    """Once a quarter is delivered, hold requests in flight, then Ctrl-C twice."""
    try:
        assert ld.wait_until(lambda s: s.items >= EVENTS // 4, timeout=DEADLINE), "never started"
        ld.delay = 60.0  # a request from now on holds the first Ctrl-C's wait (until a timeout)
        received = len(ld.requests)
        assert ld.wait_until(lambda s: len(s.requests) > received, timeout=DEADLINE)
        process.send_signal(signal.SIGINT)
        # Two signals sent at once may arrive as one: the second goes once the first has
        # been handled, which the run says.
        assert "SIGINT received: nothing more is sent" in read_line(process, containing="SIGINT")
        process.send_signal(signal.SIGINT)
    finally:
        code, stderr = finish(process)
    return code, stderr


def test_a_second_ctrl_c_stops_at_once_and_the_checkpoint_stays_before_unsent_events(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], ld: LaunchDarklyServer
) -> None:
    path, events = events_file
    config = write_config(tmp_path / "config.yaml", ld.url)
    args = command(config, path, "--checkpoint", "run.ckpt", "--report", "report.jsonl")

    code, stderr = ctrl_c_twice_with_requests_in_flight(ld, start(args, tmp_path))
    assert code == 130, stderr
    assert "Stopped at once" in stderr

    rerun_delivers_the_rest(ld, args, tmp_path, events)


def test_a_second_ctrl_c_without_a_checkpoint_says_the_requests_in_flight_are_not_dead_lettered(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], ld: LaunchDarklyServer
) -> None:
    path, _ = events_file
    config = write_config(tmp_path / "config.yaml", ld.url)
    args = command(config, path, "--dead-letter", "dead.jsonl", "--report", "report.jsonl")

    code, stderr = ctrl_c_twice_with_requests_in_flight(ld, start(args, tmp_path))
    assert code == 130, stderr
    assert "The events of the requests in flight are not in it either" in stderr


def test_ctrl_c_without_a_checkpoint_puts_every_unsent_event_in_the_dead_letter_file(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], ld: LaunchDarklyServer
) -> None:
    path, events = events_file
    config = write_config(tmp_path / "config.yaml", ld.url)
    args = command(config, path, "--dead-letter", "dead.jsonl", "--report", "report.jsonl")

    code, stderr = interrupt_halfway(ld, start(args, tmp_path), signal.SIGINT)
    assert code == 130, stderr
    dead = read_jsonl(tmp_path / "dead.jsonl")
    assert dead and {e["outcome"] for e in dead} == {"pending"}
    assert f"{len(dead)} events are pending (not sent); they are in the dead-letter file dead.jsonl" in stderr
    assert delivered_lines(tmp_path / "report.jsonl") | {e["line"] for e in dead} == ALL_LINES

    ld.delay = 0.0
    code, stderr = run(command(config, tmp_path / "dead.jsonl"), tmp_path)
    assert code == 0, stderr
    assert ld.state() == last_membership(events)


def test_a_401_mid_run_leaves_the_rest_pending_and_the_rerun_with_the_token_fixed_sends_it(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], ld: LaunchDarklyServer
) -> None:
    path, events = events_file
    config = write_config(tmp_path / "config.yaml", ld.url)
    args = command(config, path, "--checkpoint", "run.ckpt", "--report", "report.jsonl")
    process = start(args, tmp_path)
    try:
        assert ld.wait_until(lambda s: s.items >= EVENTS // 4, timeout=DEADLINE), "never started"
        ld.token = "a-token-revoked-mid-run"  # from now on the run's token is refused
    finally:
        code, stderr = finish(process)
    assert code == 1, stderr
    assert "stopped early: 401 Unauthorized" in stderr
    assert "failed" not in {r["outcome"] for r in read_jsonl(tmp_path / "report.jsonl")}

    ld.token = TOKEN  # the token is fixed
    rerun_delivers_the_rest(ld, args, tmp_path, events)


# ------------------------------------------------------------------ the checkpoint's input


def dry_run(config: Path, events: Path, checkpoint: str, cwd: Path) -> tuple[int, str]:
    return run([*actions_core(), "run", str(config), "--input", str(events), "--dry-run",
                "--output", "requests.jsonl", "--checkpoint", checkpoint], cwd)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config.yaml", "http://127.0.0.1:9")


def test_the_checkpoint_of_another_input_is_a_usage_error_naming_both(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], config: Path
) -> None:
    day1, _ = events_file
    day2 = tmp_path / "day2.jsonl"
    day2.write_text(day1.read_text(encoding="utf-8"), encoding="utf-8")
    assert dry_run(config, day1, "run.ckpt", tmp_path)[0] == 0
    sent_for_day1 = (tmp_path / "requests.jsonl").read_text(encoding="utf-8")
    code, stderr = dry_run(config, day2, "run.ckpt", tmp_path)
    assert code == 2
    assert stderr.startswith(f"error: checkpoint run.ckpt belongs to the input {day1}, not {day2}")
    assert (tmp_path / "requests.jsonl").read_text(encoding="utf-8") == sent_for_day1  # no send


def test_a_checkpoint_whose_input_changed_is_a_usage_error(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], config: Path
) -> None:
    path, _ = events_file
    assert dry_run(config, path, "run.ckpt", tmp_path)[0] == 0
    path.write_text(path.read_text(encoding="utf-8").replace("user-0", "user-9"), encoding="utf-8")
    code, stderr = dry_run(config, path, "run.ckpt", tmp_path)
    assert code == 2
    assert "the content of the input" in stderr and "changed" in stderr


def test_a_checkpoint_whose_input_shrank_is_a_usage_error(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], config: Path
) -> None:
    path, _ = events_file
    assert dry_run(config, path, "run.ckpt", tmp_path)[0] == 0
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:10]), encoding="utf-8")
    code, stderr = dry_run(config, path, "run.ckpt", tmp_path)
    assert code == 2
    assert "shrank" in stderr


def test_a_checkpoint_of_another_config_is_a_usage_error(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], config: Path
) -> None:
    path, _ = events_file
    assert dry_run(config, path, "run.ckpt", tmp_path)[0] == 0
    other = write_config(tmp_path / "other.yaml", "http://127.0.0.1:10")
    code, stderr = dry_run(other, path, "run.ckpt", tmp_path)
    assert code == 2
    assert "was saved with another config" in stderr


def test_checkpoint_with_stdin_is_refused_with_the_reason(tmp_path: Path, config: Path) -> None:
    done = subprocess.run(
        [*actions_core(), "run", str(config), "--dry-run", "--checkpoint", "run.ckpt"],
        input="{}\n", capture_output=True, text=True, cwd=tmp_path, env=cli_env(),
        timeout=DEADLINE, check=False,
    )
    assert done.returncode == 2
    assert "--checkpoint needs --input FILE: the input is stdin" in done.stderr
    assert not (tmp_path / "run.ckpt").exists()


# ------------------------------------------------------------------ a closed stdout pipe


def test_a_report_piped_into_a_reader_that_leaves_ends_without_a_write_failure(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]], config: Path
) -> None:
    path, _ = events_file
    process = start([*actions_core(), "run", str(config), "--input", str(path), "--dry-run",
                     "--output", "requests.jsonl", "--report", "-"], tmp_path)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # `| head -1`: read one line, then leave
        process.stdout.close()
    finally:
        code, stderr = finish(process)
    assert json.loads(first)["line"] == 1
    assert "error" not in stderr.lower() and "Broken pipe" not in stderr
    assert "Traceback" not in stderr
    assert "stopped early: the reader of stdout went away (a closed pipe)" in stderr
    assert code == 1  # the events after it are pending
