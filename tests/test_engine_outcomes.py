"""Every input line ends with its outcome record: counts add up, line numbers are right,
an authentication failure stops the run without losing anything, secrets stay out."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from actions_core import ExecutionContext, IntegrationError
from actions_core.http.retry import RetryPolicy
from actions_core.instance import SubscriptionSpec, compile_instance
from actions_core.runtime.engine import Engine, RunOptions
from actions_core.runtime.outcomes import Outcome
from actions_core.runtime.runner import RunFiles, run
from actions_core.runtime.sinks import CollectingSink
from tests.engine_server import AudienceServer
from tests.toy_destination import SYNC, TOKEN, TOY, TRIGGER, event, toy_instance

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, jitter=False)
ACCEPT_ALL = httpx.MockTransport(lambda request: httpx.Response(204))

# One kind of input line each, and the outcome it must get (None: a blank line, no record).
LINES: dict[str, tuple[str, Outcome | None]] = {
    "valid": (json.dumps(event("u1")), Outcome.DELIVERED),
    "rejected": (json.dumps(event("u2", value="yes")), Outcome.REJECTED),  # not a boolean
    "filtered": (json.dumps({"type": "identify", "userId": "u3"}), Outcome.FILTERED),
    "not json": ("{not json", Outcome.INVALID),
    "not an object": ("[1, 2]", Outcome.INVALID),
    "blank": ("   ", None),
}


def run_lines(lines: list[str], **options: Any) -> tuple[CollectingSink, Any]:
    sink = CollectingSink()
    opts = RunOptions(**{"retry": FAST, "mode": "batch", **options})
    with Engine(toy_instance("http://toy.test"), options=opts, transport=ACCEPT_ALL, sinks=[sink]) as engine:
        summary = engine.run_lines(lines)
    return sink, summary


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(sorted(LINES)), max_size=40), st.integers(1, 5))
def test_outcome_counts_always_add_up_to_the_input(kinds: list[str], batch_size: int) -> None:
    sink, summary = run_lines([LINES[k][0] for k in kinds], batch_size=batch_size)
    expected = {n: LINES[k][1] for n, k in enumerate(kinds, 1) if LINES[k][1] is not None}
    assert {r.line: r.outcome for r in sink.records} == expected
    assert len(sink.records) == len(expected)  # one record per line, none twice
    assert summary.events == len(expected)
    assert sum(summary.counts.values()) == len(expected)


def test_a_file_is_read_with_the_fast_parser_and_gets_the_same_outcomes(tmp_path: Any) -> None:
    kinds = sorted(LINES)
    path = tmp_path / "in.jsonl"
    nested = "[" * 100_000 + "]" * 100_000  # too deep for either parser: invalid, not a crash
    path.write_text("\n".join([LINES[k][0] for k in kinds] + [nested]) + "\n")
    sink = CollectingSink()
    with Engine(toy_instance("http://toy.test"), options=RunOptions(retry=FAST, mode="batch"),
                transport=ACCEPT_ALL, sinks=[sink]) as engine, path.open("rb") as file:
        engine.run_lines(file)
    expected = {n: LINES[k][1] for n, k in enumerate(kinds, 1) if LINES[k][1] is not None}
    assert {r.line: r.outcome for r in sink.records} == {**expected, len(kinds) + 1: Outcome.INVALID}


def test_filtered_and_invalid_records_carry_their_line_numbers() -> None:
    lines = ["", json.dumps({"type": "page"}), "{oops", "", '"text"']
    sink, _ = run_lines(lines)
    assert [(r.line, r.mapping, r.outcome, r.event) for r in sink.sorted()] == [
        (2, None, Outcome.FILTERED, {"type": "page"}),
        (3, None, Outcome.INVALID, "{oops"),
        (5, None, Outcome.INVALID, '"text"'),
    ]
    errors = [r.error for r in sink.sorted()[1:]]
    assert errors == ["Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
                      "not a JSON object (got a string)"]


def test_a_payload_that_fails_validation_is_rejected_with_its_message() -> None:
    sink, summary = run_lines([json.dumps(event("u1", value="yes"))])
    (record,) = sink.records
    assert (record.outcome, record.status, record.error_type) == (
        Outcome.REJECTED, None, "PAYLOAD_VALIDATION_FAILED",  # nothing was sent
    )
    assert record.error == "Member must be a boolean but it was a string."
    assert not summary.exit_ok


def test_an_authentication_failure_stops_the_run_and_leaves_every_unsent_event_pending() -> None:
    events = [event(f"u{i}", f"aud-{i % 3}") for i in range(12)]
    sink = CollectingSink()
    with AudienceServer(token="the-right-token") as server:
        options = RunOptions(mode="batch", batch_size=2, concurrency=1, retry=FAST)
        with Engine(toy_instance(server.url), options=options, sinks=[sink]) as engine:
            summary = engine.run_events(events)
    assert len(server.requests) == 1  # nothing sent after the 401
    records = sink.sorted()
    assert [r.line for r in records] == list(range(1, 13))
    assert {r.outcome for r in records} == {Outcome.PENDING}  # an interruption resolves nothing
    sent = [r for r in records if r.attempts == 1]  # the batch that met the 401
    unsent = [r for r in records if r.attempts == 0]
    assert len(sent) + len(unsent) == 12 and sent
    assert all(r.status == 401 and "credentials" in (r.error or "") for r in sent)
    assert all(
        (r.error or "").startswith("Not sent: the run was interrupted (401 Unauthorized")
        for r in unsent
    )
    assert summary.aborted is not None and "credentials" in summary.aborted
    assert summary.counts[Outcome.PENDING] == 12 and summary.counts[Outcome.FAILED] == 0
    assert not summary.exit_ok


def test_secrets_never_appear_in_report_or_dead_letter_lines(tmp_path: Any) -> None:
    def perform_batch(ctx: ExecutionContext, payloads: Any) -> None:
        raise IntegrationError(f"the destination refused token {ctx.settings['api_key']}")

    leaky = dataclasses.replace(TOY, actions=(dataclasses.replace(SYNC, perform_batch=perform_batch),))
    instance = compile_instance(
        leaky, {"api_key": TOKEN, "base_url": "http://toy.test"},
        [SubscriptionSpec("sync", "syncAudience", TRIGGER)],
    )
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(event("u1", note=f"pasted {TOKEN} here")) + "\n" + f"not json {TOKEN}\n"
    )
    files = RunFiles(
        input=str(source),
        report=str(tmp_path / "report.jsonl"),
        dead_letter=str(tmp_path / "dead.jsonl"),
    )
    summary = run(instance, files, RunOptions(mode="batch", retry=FAST), transport=ACCEPT_ALL)
    assert summary.counts[Outcome.REJECTED] == 1 and summary.counts[Outcome.INVALID] == 1
    for name in ("report.jsonl", "dead.jsonl"):
        text = (tmp_path / name).read_text()
        assert TOKEN not in text
        assert "***" in text


def test_run_summary_counts_requests_and_says_whether_all_went_well() -> None:
    _, summary = run_lines([json.dumps(event(f"u{i}")) for i in range(5)], batch_size=2)
    assert (summary.events, summary.requests, summary.attempts, summary.retries) == (5, 3, 3, 0)
    assert summary.counts[Outcome.DELIVERED] == 5
    assert summary.exit_ok and summary.aborted is None
