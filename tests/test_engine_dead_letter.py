"""Dead-letter files: written for every rejected/failed/invalid record, and replayable as input
to the mapping each event failed for, and to no other."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from actions_core.http.retry import RetryPolicy
from actions_core.instance import SubscriptionSpec
from actions_core.runtime.dead_letter import dead_letter_line, is_dead_letter, parse_entry
from actions_core.runtime.engine import RunOptions
from actions_core.runtime.outcomes import Outcome, OutcomeRecord
from actions_core.runtime.runner import RunFiles, run
from actions_core.runtime.sinks import DeadLetterWriter
from tests.engine_server import AudienceServer, fail_audience
from tests.http_server import Reply
from tests.toy_destination import TRIGGER, event, toy_instance

FAST = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02, jitter=False)
OPTIONS = RunOptions(mode="batch", retry=FAST)


def two_mappings(url: str) -> Any:
    """Two mappings matching every event, each syncing it to an audience of its own."""
    return toy_instance(
        url,
        SubscriptionSpec("first", "syncAudience", TRIGGER, {"audience_id": "aud-1"}),
        SubscriptionSpec("second", "syncAudience", TRIGGER, {"audience_id": "aud-2"}),
    )


def write_lines(path: Path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


def test_replaying_a_dead_letter_file_delivers_only_to_the_mapping_that_failed(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(event(f"u{i}")) for i in range(3)])
    dead = tmp_path / "dead.jsonl"
    with AudienceServer(plan=fail_audience("aud-2", Reply(status=400))) as server:
        first = run(two_mappings(server.url), RunFiles(input=source, dead_letter=str(dead)), OPTIONS)
    assert (first.counts[Outcome.DELIVERED], first.counts[Outcome.FAILED]) == (3, 3)
    assert {json.loads(line)["mapping"] for line in dead.read_text().splitlines()} == {"second"}

    with AudienceServer() as server:  # the cause is fixed
        replay = run(two_mappings(server.url), RunFiles(input=str(dead)), OPTIONS)
    assert replay.counts[Outcome.DELIVERED] == 3 and replay.exit_ok
    assert {body["audience"] for body in server.accepted} == {"aud-2"}
    assert server.members == {("aud-2", f"u{i}"): True for i in range(3)}


def test_replaying_to_a_mapping_that_no_longer_exists_is_rejected(tmp_path: Path) -> None:
    record = OutcomeRecord(4, "renamed", Outcome.FAILED, 503, "503", event("u1"), 5, "HTTP_ERROR")
    source = write_lines(tmp_path / "dead.jsonl", [dead_letter_line(record)])
    report = tmp_path / "report.jsonl"
    with AudienceServer() as server:
        summary = run(toy_instance(server.url), RunFiles(input=source, report=str(report)), OPTIONS)
    assert server.requests == []
    assert summary.counts[Outcome.REJECTED] == 1
    (line,) = [json.loads(text) for text in report.read_text().splitlines()]
    assert line["mapping"] == "renamed" and line["outcome"] == "rejected"
    assert "mapping 'renamed' no longer exists" in line["error"]


def test_an_invalid_entry_replays_as_its_raw_line(tmp_path: Path) -> None:
    still_broken = OutcomeRecord(2, None, Outcome.INVALID, None, "bad", "{oops", 0, "INVALID_JSON")
    fixed_by_hand = OutcomeRecord(
        3, None, Outcome.INVALID, None, "bad", json.dumps(event("u9")), 0, "INVALID_JSON"
    )
    source = write_lines(tmp_path / "dead.jsonl", [dead_letter_line(still_broken), dead_letter_line(fixed_by_hand)])
    report = tmp_path / "report.jsonl"
    with AudienceServer() as server:
        run(toy_instance(server.url), RunFiles(input=source, report=str(report)), OPTIONS)
    lines = sorted((json.loads(t)["line"], json.loads(t)["outcome"]) for t in report.read_text().splitlines())
    assert lines == [(1, "invalid"), (2, "delivered")]  # numbered by the dead-letter file
    assert server.members == {("aud-a", "u9"): True}


def test_a_dead_letter_line_keeps_everything_a_replay_needs() -> None:
    record = OutcomeRecord(7, "sync", Outcome.FAILED, 503, "503 Service Unavailable", event("u1"), 5, "HTTP_ERROR")
    line = json.loads(dead_letter_line(record))
    assert line == {
        "dead_letter": 1, "line": 7, "mapping": "sync", "outcome": "failed", "status": 503,
        "error": "503 Service Unavailable", "error_type": "HTTP_ERROR", "attempts": 5,
        "event": event("u1"),
    }
    assert is_dead_letter(line) and not is_dead_letter(event("u1"))
    entry = parse_entry(line)
    assert (entry.mapping, entry.event, entry.line) == ("sync", event("u1"), 7)


def test_the_dead_letter_writer_keeps_only_events_that_did_not_get_through() -> None:
    out = io.StringIO()
    DeadLetterWriter(out).record([
        OutcomeRecord(1, "sync", Outcome.DELIVERED, 204, None, event("u1")),
        OutcomeRecord(2, None, Outcome.FILTERED, None, None, {"type": "page"}),
        OutcomeRecord(3, "sync", Outcome.REJECTED, 400, "no", event("u3"), 0, "PAYLOAD_VALIDATION_FAILED"),
        OutcomeRecord(4, None, Outcome.INVALID, None, "bad", "{oops", 0, "INVALID_JSON"),
    ])
    assert [json.loads(line)["line"] for line in out.getvalue().splitlines()] == [3, 4]
