"""``actions-core serve`` delivering to a LaunchDarkly stand-in on 127.0.0.1, in real processes:
Segment's own Python client sends, ``kill -9`` halfway, a resent batch, a revoked token,
SIGTERM, and dead letters exported and replayed.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from segment.analytics import Client

from tests.ld_server import LaunchDarklyServer, MembershipKey
from tests.processes import CLIENT_ID, TOKEN, run_cli, write_config
from tests.serve_process import WRITE_KEY, ServeProcess, serve_env

pytestmark = pytest.mark.slow

AUDIENCES = (
    ("aud_trial_001", "trial_users"),
    ("aud_power_002", "power_users"),
    ("aud_churn_003", "churn_risk"),
    ("aud_vip_004", "VIP_big_Spenders"),
)
FAST = ("--batch-age", "0.05", "--probe-interval", "0.2")


def engage_calls(count: int, seed: int = 11, prefix: str = "m") -> list[dict[str, Any]]:
    """Engage identify/track calls: 200 users enter and leave 4 audiences again and again,
    so the last call per (audience, user) decides the membership."""
    rng = random.Random(seed)
    calls = []
    for n in range(count):
        audience_id, key = rng.choice(AUDIENCES)
        member = rng.random() < 0.6
        personas = {"computation_class": "audience", "computation_key": key, "computation_id": audience_id}
        call: dict[str, Any] = {
            "user_id": f"user-{rng.randrange(200):03d}", "message_id": f"{prefix}-{n:05d}",
            "context": {"personas": personas}, "audience": (audience_id, key), "member": member,
        }
        if rng.random() < 0.5:
            call |= {"kind": "identify", "traits": {key: member}}
        else:
            event = "Audience Entered" if member else "Audience Exited"
            call |= {"kind": "track", "event": event, "properties": {"audience_key": key, key: member}}
        calls.append(call)
    return calls


def last_membership(calls: list[dict[str, Any]]) -> dict[MembershipKey, bool]:
    return {(c["audience"][0], c["user_id"]): c["member"] for c in calls}


def send_with_segment_client(url: str, calls: list[dict[str, Any]]) -> None:
    """Through Segment's analytics-python, batches of 100; every batch must be acknowledged."""
    errors: list[Any] = []
    client = Client(
        WRITE_KEY, host=url, upload_size=100, max_queue_size=100_000,
        on_error=lambda error, batch: errors.append(error),
    )
    for c in calls:
        common = {"user_id": c["user_id"], "context": c["context"], "message_id": c["message_id"]}
        if c["kind"] == "identify":
            client.identify(traits=c["traits"], **common)
        else:
            client.track(event=c["event"], properties=c["properties"], **common)
    client.flush()
    client.join()
    assert errors == []


def identify(user: str, member: bool, message_id: str) -> dict[str, Any]:
    return {
        "type": "identify", "userId": user, "messageId": message_id,
        "traits": {"trial_users": member},
        "context": {"personas": {
            "computation_class": "audience", "computation_key": "trial_users",
            "computation_id": "aud_trial_001",
        }},
    }


def pending(queue: Path) -> int:
    with sqlite3.connect(queue) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def test_events_from_segments_client_reach_the_last_membership_through_a_kill_9(
    tmp_path: Path,
) -> None:
    calls = engage_calls(3000)
    first_half, second_half = calls[:1500], calls[1500:]
    options = (*FAST, "--batch-size", "20", "--concurrency", "2")
    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID, delay=0.05) as ld:
        config = write_config(tmp_path / "config.yaml", ld.url)
        with ServeProcess(tmp_path, config, *options, name="first") as first:
            send_with_segment_client(first.url, first_half)
            assert ld.wait_until(lambda s: s.items >= 300), "delivery never got going"
            first.kill()
        assert ld.wait_until(lambda s: s.connections == 0)
        assert pending(first.queue) > 0, "nothing was left to deliver after the kill"

        ld.delay = 0.0
        with ServeProcess(tmp_path, config, *options, name="second") as second:
            send_with_segment_client(second.url, second_half)
            expected = last_membership(calls)
            assert ld.wait_until(lambda s: s.members == expected, timeout=120), "not converged"
            second.wait_for(lambda: pending(second.queue) == 0, what="an empty queue")
            sent_twice = ld.applied_items() - len(calls)

    # Only what was in flight at the kill is sent again: at most the dispatch window
    # (2 * concurrency + 2 batches) plus one open batch per audience, plus what was delivered
    # since the last progress save. (A request carries a user once per audience, so fewer
    # items than events arrive when nothing is sent twice: the figure is an upper bound.)
    assert sent_twice <= (2 * 2 + 2 + len(AUDIENCES)) * 20 + 200


def test_a_resent_batch_is_acknowledged_but_not_delivered_twice(tmp_path: Path) -> None:
    batch = {"batch": [identify(f"dup-{n}", True, f"dup-msg-{n}") for n in range(5)]}
    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID) as ld:
        config = write_config(tmp_path / "config.yaml", ld.url)
        with ServeProcess(tmp_path, config, *FAST) as server:
            assert server.post("/v1/batch", batch).status == 200
            assert ld.wait_until(lambda s: s.items == 5)
            again = server.post("/v1/batch", batch)
            marker = server.post("/v1/batch", {"batch": [identify("after", True, "after-1")]})
            assert ld.wait_until(lambda s: ("aud_trial_001", "after") in s.members)
            duplicates = server.metric("actions_core_events_duplicate_total")

    assert (again.status, again.json()) == (200, {"success": True})
    assert marker.status == 200
    assert ld.applied_items() == 6
    assert duplicates == 5


def test_a_revoked_token_pauses_delivery_and_it_resumes_when_the_token_works_again(
    tmp_path: Path,
) -> None:
    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID) as ld:
        config = write_config(tmp_path / "config.yaml", ld.url)
        with ServeProcess(tmp_path, config, *FAST) as server:
            ld.token = "a-new-token-after-rotation"  # ours is refused from now on
            assert server.post("/v1/batch", {"batch": [identify("p1", True, "p-1")]}).status == 200
            server.wait_for(lambda: server.get("/ready").status == 503, what="a pause")
            ready = server.get("/ready").json()
            paused = server.metric("actions_core_delivery_paused")
            assert server.post("/v1/batch", {"batch": [identify("p2", False, "p-2")]}).status == 200

            ld.token = TOKEN
            assert ld.wait_until(lambda s: len(s.members) == 2)
            server.wait_for(lambda: server.get("/ready").status == 200, what="a resume")
            failed = server.metric('actions_core_outcomes_total{mapping="Sync",outcome="failed"}')
            logs = [entry["event"] for entry in server.logs()]

    assert ready["ready"] is False
    assert "refused the credentials (401)" in ready["reason"]
    assert paused == 1
    assert ld.state() == {("aud_trial_001", "p1"): True, ("aud_trial_001", "p2"): False}
    assert failed == 0
    assert "pause" in logs and "resume" in logs
    assert TOKEN not in server.text()


def test_sigterm_drains_exits_0_and_what_is_left_stays_queued(tmp_path: Path) -> None:
    events = [identify(f"t{n}", True, f"t-{n}") for n in range(400)]
    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID, delay=0.2) as ld:
        config = write_config(tmp_path / "config.yaml", ld.url)
        options = (*FAST, "--batch-size", "10", "--concurrency", "1", "--drain-timeout", "5")
        with ServeProcess(tmp_path, config, *options, name="first") as first:
            for start in range(0, 400, 100):
                assert first.post("/v1/batch", {"batch": events[start : start + 100]}).status == 200
            assert ld.wait_until(lambda s: s.items >= 10)
            first.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 60
            while not any(e["event"] == "drain" for e in first.logs()):
                assert time.monotonic() < deadline, "no drain was logged"
                time.sleep(0.01)
            try:  # still draining the slow deliveries: intake refuses, never acknowledges
                late = first.post("/v1/batch", {"batch": [identify("late", True, "late-1")]}).status
            except OSError:  # or the port is closed already
                late = None
            code = first.process.wait(timeout=60)
        left = pending(first.queue)

        ld.delay = 0.0
        with ServeProcess(tmp_path, config, *FAST, name="second") as second:
            assert ld.wait_until(lambda s: len(s.members) == 400, timeout=120)
            second.wait_for(lambda: pending(second.queue) == 0, what="an empty queue")

    assert code == 0
    assert late in (503, None)
    assert 0 < left < 400
    assert [e["event"] for e in first.logs()][-1] == "stop"


def test_dead_letters_are_exported_once_and_a_replay_delivers_them(tmp_path: Path) -> None:
    events = [identify(f"d{n}", True, f"d-{n}") for n in range(3)]
    with LaunchDarklyServer(token=TOKEN, client_id="another-environment") as ld:
        # Our client-side ID is unknown: every sync is answered 400 (not an interruption).
        config = write_config(tmp_path / "config.yaml", ld.url)
        queue = f"sqlite:{tmp_path / 'data' / 'queue.db'}"
        with ServeProcess(tmp_path, config, *FAST) as server:
            assert server.post("/v1/batch", {"batch": events}).status == 200
            server.wait_for(lambda: server.metric("actions_core_outcomes_total") == 3, what="3 outcomes")
            server.wait_for(lambda: pending(server.queue) == 0, what="an empty queue")
            exported = run_cli("dead-letters", "export", "--queue", queue, cwd=tmp_path, env=serve_env())
            (tmp_path / "dead.jsonl").write_text(exported.stdout, encoding="utf-8")
            rerun = run_cli("run", str(config), "--input", "dead.jsonl", "--dry-run", cwd=tmp_path, env=serve_env())
            status = run_cli("queue", "status", "--queue", queue, "--format", "json", cwd=tmp_path, env=serve_env())

            ld.client_ids.add(CLIENT_ID)
            replayed = run_cli("dead-letters", "replay", "--queue", queue, cwd=tmp_path, env=serve_env())
            assert ld.wait_until(lambda s: len(s.members) == 3)
            after = run_cli("dead-letters", "export", "--queue", queue, cwd=tmp_path, env=serve_env())

    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    assert exported.returncode == 0
    assert sorted(entry["event"]["userId"] for entry in lines) == ["d0", "d1", "d2"]
    assert {entry["outcome"] for entry in lines} == {"failed"}
    assert all(entry["dead_letter"] == 1 and entry["mapping"] == "Sync" for entry in lines)
    assert json.loads(status.stdout)["dead_letters"] == 3
    assert {"mapping": "Sync", "outcome": "failed", "count": 3} in json.loads(status.stdout)["outcomes"]
    assert replayed.returncode == 0 and "3 dead letters queued again" in replayed.stderr
    assert after.stdout == ""
    assert rerun.returncode == 0, rerun.stderr  # the export is input `run` accepts
    assert rerun.stderr.startswith("3 events: 3 delivered")
