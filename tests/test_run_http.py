"""``actions-core run`` as a real process against a local server on 127.0.0.1: what the HTTP
side does for a whole run (the destination's reason, deadlines, Ctrl-C, rate limits)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.http_server import LocalServer, Reply, serve
from tests.processes import (
    HANG_GUARD,
    TOKEN,
    actions_core,
    cli_env,
    read_jsonl,
    run_cli,
    write_config,
)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    yield from serve()


def event(user: str, audience: str = "aud_trial_001", computation: str = "audience") -> str:
    personas = {
        "computation_class": computation,
        "computation_key": "trial_users",
        "computation_id": audience,
    }
    return json.dumps({
        "type": "identify",
        "userId": user,
        "traits": {"trial_users": True},
        "context": {"personas": personas},
    })


def write_events(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def run_args(tmp_path: Path, server: LocalServer, events: Path, *options: str) -> list[str]:
    config = write_config(tmp_path / "config.yaml", server.url)
    return ["run", str(config), "--input", str(events), "--report", str(tmp_path / "report.jsonl"), *options]


def run(tmp_path: Path, server: LocalServer, events: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*run_args(tmp_path, server, events, *options), env=cli_env(token=TOKEN))


def ctrl_c_once(ready: threading.Event, args: list[str]) -> tuple[int, str]:
    """Start ``actions-core *args``, send one SIGINT once ``ready`` is set, and return the exit
    code and stderr (the process is killed if it does not end within the hang guard)."""
    process = subprocess.Popen(
        [*actions_core(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=cli_env(token=TOKEN),
    )
    try:
        assert ready.wait(HANG_GUARD)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=HANG_GUARD)
    finally:
        process.kill()
        process.wait()
    return process.returncode, stderr


# ----------------------------------------------------------------- destination's reason


def test_the_destination_s_reason_reaches_the_report_and_the_dead_letter(
    tmp_path: Path, server: LocalServer
) -> None:
    server.default = Reply(400, body={"code": "invalid_request", "message": "cohort refused"})
    events = write_events(tmp_path, event("user-1"))
    result = run(tmp_path, server, events, "--dead-letter", str(tmp_path / "dead.jsonl"))
    assert result.returncode == 1, result.stderr
    [record] = read_jsonl(tmp_path / "report.jsonl")
    assert (record["status"], record["error"]) == (400, "400 Bad Request: cohort refused")
    [dead] = read_jsonl(tmp_path / "dead.jsonl")
    assert dead["error"] == "400 Bad Request: cohort refused"


def test_an_event_rejected_by_validation_has_no_status(tmp_path: Path, server: LocalServer) -> None:
    events = write_events(tmp_path, event("user-1", computation="bogus"))
    result = run(tmp_path, server, events)
    assert result.returncode == 1, result.stderr
    [record] = read_jsonl(tmp_path / "report.jsonl")
    assert (record["outcome"], record["status"]) == ("rejected", None)
    assert server.requests == []  # nothing was sent


# ---------------------------------------------------------------------------- deadline


def test_a_trickling_server_cannot_hold_a_run_past_the_request_deadline(
    tmp_path: Path, server: LocalServer
) -> None:
    server.queue(Reply(trickle=0.05))  # the first attempt never ends by itself
    server.default = Reply(204)
    events = write_events(tmp_path, event("user-1"))
    result = run(tmp_path, server, events, "--request-timeout", "1")
    assert result.returncode == 0, result.stderr
    [record] = read_jsonl(tmp_path / "report.jsonl")
    assert (record["outcome"], record["status"]) == ("delivered", 204)
    assert len(server.requests) == 2  # the timed-out attempt, then its retry


def test_ctrl_c_stops_a_run_waiting_on_a_trickling_response(
    tmp_path: Path, server: LocalServer
) -> None:
    server.default = Reply(trickle=0.05)
    events = write_events(tmp_path, event("user-1"))
    args = run_args(tmp_path, server, events, "--request-timeout", "3600")
    code, stderr = ctrl_c_once(server.received, args)  # today: waits out the hour
    assert code != 0, stderr
    assert len(server.requests) == 1
    [record] = read_jsonl(tmp_path / "report.jsonl")
    assert record["outcome"] != "delivered", record


# -------------------------------------------------------------------------- rate limits

AUDIENCES = [f"aud_{n}" for n in range(5)]  # one request each


def test_a_long_rate_limit_ends_the_run_without_sending_more(
    tmp_path: Path, server: LocalServer
) -> None:
    server.queue(Reply(429, headers={"Retry-After": "3600"}))
    server.default = Reply(204)
    events = write_events(tmp_path, *(event(f"user-{a}", audience=a) for a in AUDIENCES))
    started = time.time()
    result = run(tmp_path, server, events, "--concurrency", "1")
    assert len(server.requests) == 1  # today: all five go out, into the known limit
    match = re.search(r"rate limited by 127\.0\.0\.1:\d+ until (\S+Z)", result.stderr)
    assert match is not None, result.stderr
    reset = datetime.fromisoformat(match[1]).timestamp()
    assert started + 3590 <= reset <= time.time() + 3610
    records = read_jsonl(tmp_path / "report.jsonl")
    assert len(records) == len(AUDIENCES)
    assert all(r["outcome"] != "delivered" and match[1] in r["error"] for r in records)


def test_ctrl_c_stops_a_run_waiting_out_a_rate_limit(tmp_path: Path, server: LocalServer) -> None:
    server.queue(Reply(429, headers={"Retry-After": "3600"}))
    events = write_events(tmp_path, event("user-1"))
    args = run_args(tmp_path, server, events, "--wait-rate-limits")
    code, stderr = ctrl_c_once(server.answered, args)  # once the 429 is in: it waits out the hour
    assert code != 0, stderr
    assert len(server.requests) == 1
    [record] = read_jsonl(tmp_path / "report.jsonl")
    assert record["outcome"] != "delivered", record
