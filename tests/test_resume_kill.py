"""A real ``actions-core run`` killed with SIGKILL halfway resumes from its checkpoint.

The run sends seeded Engage events to a LaunchDarkly emulator on 127.0.0.1
(:mod:`tests.ld_server`) that applies each membership change in the order it receives it.
The emulator answers the first run slowly, so it is still busy when the test kills it (halfway,
right after a checkpoint save, with requests in flight); the same command then finishes the
job. The end state must be what a clean run leaves (computed from the input too), and only the
work in flight at the kill may be sent twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.engage import AUDIENCES, last_membership, write_engage_events
from tests.ld_server import LaunchDarklyServer
from tests.processes import (
    CLIENT_ID,
    TOKEN,
    actions_core,
    cli_env,
    run_cli,
    wait_until,
    write_config,
)

pytestmark = pytest.mark.slow

EVENTS = 4000
BATCH_SIZE = 20
CONCURRENCY = 4
SLOW_REPLY = 0.1
"""Seconds the emulator holds each sync reply during the first run (after applying it)."""


def run_args(config: Path, events: Path, checkpoint: Path) -> list[str]:
    return [
        "run", str(config), "--input", str(events), "--checkpoint", str(checkpoint),
        "--batch-size", str(BATCH_SIZE), "--concurrency", str(CONCURRENCY),
    ]


def wait_for_a_new_save(checkpoint: Path, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Return as soon as the run saves its checkpoint again, so the kill lands right after a
    save and the test measures what a save leaves in flight. (How often saves happen is the
    engine's business: every ``SAVE_INTERVAL`` in principle, less often while the reader waits
    for room in the dispatch queue.) The bound is generous: no passing run nears it."""
    before = checkpoint.read_bytes() if checkpoint.exists() else b""
    wait_until(
        lambda: checkpoint.exists() and checkpoint.read_bytes() != before, process,
        timeout=timeout, what="a new checkpoint save", interval=0.001,
    )


@pytest.fixture
def events_file(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    path = tmp_path / "events.jsonl"
    return path, write_engage_events(path, EVENTS)


def test_a_run_killed_with_sigkill_resumes_to_the_state_of_a_clean_run(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]]
) -> None:
    path, events = events_file
    env = cli_env(token=TOKEN)

    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID) as clean:
        config = write_config(tmp_path / "clean.yaml", clean.url)
        done = run_cli(*run_args(config, path, tmp_path / "clean.ckpt"), cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        clean_items = clean.applied_items()

    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID, delay=SLOW_REPLY) as ld:
        config = write_config(tmp_path / "config.yaml", ld.url)
        checkpoint = tmp_path / "run.ckpt"
        args = run_args(config, path, checkpoint)
        with open(tmp_path / "first-run.log", "w") as log:
            first = subprocess.Popen(
                [*actions_core(), *args], stdout=log, stderr=log, cwd=tmp_path, env=env
            )
            try:
                assert ld.wait_until(lambda s: s.items >= clean_items // 2), "never got halfway"
                wait_for_a_new_save(checkpoint, first)
                os.kill(first.pid, signal.SIGKILL)
            finally:
                if first.poll() is None:
                    first.kill()
                first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL
        # Requests the dead process had already written are handled before the resumed run
        # starts: its connections are all closed once they are.
        assert ld.wait_until(lambda s: s.connections == 0)
        sent_before_the_kill = ld.applied_items()
        saved = json.loads(checkpoint.read_text())
        resume_from = saved["next_line"]
        resolved_beyond = sum(b - a + 1 for a, b in saved["resolved"])

        ld.delay = 0.0
        resumed = run_cli(*args, cwd=tmp_path, env=env)
        # Members applied by both runs beyond a clean run's. (Members are deduplicated per
        # request, and the resumed run's batches start at the checkpoint, so this is exact to
        # within a few members either way.)
        resent = ld.applied_items() - clean_items
        final_state = ld.state()

    assert resumed.returncode == 0, resumed.stderr
    assert 1 < resume_from <= EVENTS
    left = EVENTS - resume_from + 1 - resolved_beyond  # resolved lines are not read again
    assert resolved_beyond > 0  # lines completed out of order beyond the first unresolved one
    assert resumed.stderr.startswith(f"{left} events: {left} delivered, 0 rejected, 0 failed")
    assert final_state == last_membership(events) == clean.state()
    # Only work in flight at the kill is repeated. The kill comes right after a checkpoint
    # save, so what is resent is what was delivered after the checkpoint's line: the other
    # audiences' batches delivered while the batch holding that line waited. That batch waits
    # behind at most one dispatch window: 2 * CONCURRENCY + 2 batches queued or running plus
    # one open, 11 batches of its audience, i.e. 220 of its events spanning about 880 lines
    # (4 audiences evenly mixed), of which the other 3 audiences' 660 may have been delivered;
    # add up to one request per audience completing while the test kills the run, 80 more:
    # 740 <= 10 * CONCURRENCY * BATCH_SIZE = 800. Starting over would resend every member sent
    # before the kill (about half of the clean run's 3885).
    assert resent <= 10 * CONCURRENCY * BATCH_SIZE < sent_before_the_kill
    # The checkpoint also records the lines resolved beyond its first unresolved one, so only
    # what was in flight is sent again: at most the dispatch window (2 * CONCURRENCY + 2
    # batches), the open batches (one per audience) and one request per audience completing
    # during the kill.
    in_flight = (2 * CONCURRENCY + 2 + 2 * len(AUDIENCES)) * BATCH_SIZE
    assert resent <= in_flight
