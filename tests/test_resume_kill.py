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
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tests.ld_server import LaunchDarklyServer, MembershipKey

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
TOKEN = "api-resume-kill-0123456789"
CLIENT_ID = "env-resume"
EVENTS = 4000
BATCH_SIZE = 20
CONCURRENCY = 4
AUDIENCES = (
    ("aud_trial_001", "trial_users"),
    ("aud_power_002", "power_users"),
    ("aud_churn_003", "churn_risk"),
    ("aud_vip_004", "VIP_big_Spenders"),
)
SLOW_REPLY = 0.1
"""Seconds the emulator holds each sync reply during the first run (after applying it)."""


def engage_events(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Identify and track events of Engage audiences; 300 users enter and leave audiences
    again and again, so the last event per user and audience decides its membership."""
    rng = random.Random(seed)
    events = []
    for n in range(count):
        audience_id, audience_key = rng.choice(AUDIENCES)
        user = f"user-{rng.randrange(300):03d}"
        member = rng.random() < 0.6
        personas = {
            "computation_class": "audience",
            "computation_key": audience_key,
            "computation_id": audience_id,
        }
        event: dict[str, Any] = {"messageId": f"msg-{n:05d}", "userId": user}
        if rng.random() < 0.5:
            event |= {"type": "identify", "traits": {audience_key: member}}
        else:
            event |= {
                "type": "track",
                "event": "Audience Entered" if member else "Audience Exited",
                "properties": {"audience_key": audience_key, audience_key: member},
            }
        event["context"] = {"personas": personas}
        events.append(event)
    return events


def last_membership(events: list[dict[str, Any]]) -> dict[MembershipKey, bool]:
    """What LaunchDarkly must hold: the last value per (audience id, context key), in input
    order."""
    state: dict[MembershipKey, bool] = {}
    for event in events:
        personas = event["context"]["personas"]
        values = event.get("properties") or event["traits"]
        state[(personas["computation_id"], event["userId"])] = values[personas["computation_key"]]
    return state


def write_config(path: Path, server_url: str) -> Path:
    path.write_text(
        textwrap.dedent(f"""\
            destination: actions-launchdarkly-audiences
            settings:
              apiKey: ${{LD_TEST_TOKEN}}
              clientId: {CLIENT_ID}
              apiBaseUrl: {server_url}
              clientSdkBaseUrl: {server_url}
            mappings:
              - name: Sync
                preset: Sync Engage Audience to LaunchDarkly
        """),
        encoding="utf-8",
    )
    return path


def actions_core() -> list[str]:
    """The venv's console script next to this interpreter, else the module (runnable too)."""
    script = Path(sys.executable).with_name("actions-core")
    return [str(script)] if script.exists() else [sys.executable, "-m", "actions_core.cli.main"]


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LD_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["ACTIONS_CORE_PLUGINS"] = "actions_launchdarkly_audiences"
    env["LD_TEST_TOKEN"] = TOKEN
    return env


def run_command(config: Path, events: Path, checkpoint: Path) -> list[str]:
    return [
        *actions_core(), "run", str(config), "--input", str(events),
        "--checkpoint", str(checkpoint),
        "--batch-size", str(BATCH_SIZE), "--concurrency", str(CONCURRENCY),
    ]


def run_to_completion(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env=cli_env(), timeout=120, check=False
    )


def wait_for_a_new_save(checkpoint: Path, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Return as soon as the run saves its checkpoint again, so the kill lands right after a
    save and the test measures what a save leaves in flight. (How often saves happen is the
    engine's business: every ``SAVE_INTERVAL`` in principle, less often while the reader waits
    for room in the dispatch queue.) The bound is generous: no passing run nears it."""
    before = checkpoint.read_bytes() if checkpoint.exists() else b""
    deadline = time.monotonic() + timeout
    while not checkpoint.exists() or checkpoint.read_bytes() == before:
        assert process.poll() is None, "the first run ended before it could be killed"
        assert time.monotonic() < deadline, f"the checkpoint was not saved again in {timeout}s"
        time.sleep(0.001)


@pytest.fixture
def events_file(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    events = engage_events(EVENTS)
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path, events


def test_a_run_killed_with_sigkill_resumes_to_the_state_of_a_clean_run(
    tmp_path: Path, events_file: tuple[Path, list[dict[str, Any]]]
) -> None:
    path, events = events_file

    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID) as clean:
        config = write_config(tmp_path / "clean.yaml", clean.url)
        done = run_to_completion(run_command(config, path, tmp_path / "clean.ckpt"), tmp_path)
        assert done.returncode == 0, done.stderr
        clean_items = clean.applied_items()

    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID, delay=SLOW_REPLY) as ld:
        config = write_config(tmp_path / "config.yaml", ld.url)
        checkpoint = tmp_path / "run.ckpt"
        command = run_command(config, path, checkpoint)
        with open(tmp_path / "first-run.log", "w") as log:
            first = subprocess.Popen(command, stdout=log, stderr=log, cwd=tmp_path, env=cli_env())
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
        resumed = run_to_completion(command, tmp_path)
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
