"""The engine delivers: retries, ordering per key under concurrency, failure isolation,
batch sizes and max_wait, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from actions_core.http.retry import RetryPolicy
from actions_core.instance import SubscriptionSpec, compile_instance
from actions_core.runtime.engine import Engine, RunOptions
from actions_core.runtime.outcomes import Outcome
from actions_core.runtime.sinks import CollectingSink
from tests.engine_server import AudienceServer, fail_audience, fail_every_third_once, fail_first
from tests.http_server import Reply
from tests.toy_destination import SYNC, TOKEN, TOY, TRIGGER, event, toy_instance

FAST = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, jitter=False)


def run(server: AudienceServer, events: list[dict[str, Any]], **options: Any) -> CollectingSink:
    sink = CollectingSink()
    opts = RunOptions(**{"retry": FAST, "mode": "batch", **options})
    with Engine(toy_instance(server.url), options=opts, sinks=[sink]) as engine:
        engine.run_events(events)
    return sink


@pytest.mark.parametrize(
    "failure",
    [
        Reply(status=429, headers={"Retry-After": "0"}),
        Reply(status=500),
        Reply(status=503),
        Reply(status=200, delay=1.0),  # answered after the client's timeout
        Reply(reset=True),
    ],
    ids=["429", "500", "503", "timeout", "connection-reset"],
)
def test_retryable_failures_end_in_delivery(failure: Reply) -> None:
    with AudienceServer(plan=fail_first(1, failure)) as server:
        sink = run(server, [event("u1")], timeout=0.3)
    (record,) = sink.records
    assert (record.outcome, record.status, record.attempts) == (Outcome.DELIVERED, 204, 2)
    assert server.members == {("aud-a", "u1"): True}


@pytest.mark.parametrize("mode", ["batch", "single"])
def test_final_state_is_the_last_value_per_key_while_a_third_of_requests_fail_once(
    mode: str,
) -> None:
    rng = random.Random(7)
    events = [
        event(f"u{rng.randrange(8)}", f"aud-{rng.randrange(4)}", rng.random() < 0.5)
        for _ in range(240)
    ]
    with AudienceServer(plan=fail_every_third_once(Reply(status=503))) as server:
        sink = run(server, events, mode=mode, batch_size=5, concurrency=4)

    def key(e: dict[str, Any]) -> tuple[str, str]:
        return (e["properties"]["audience_id"], e["userId"])

    assert sink.outcomes()[Outcome.DELIVERED] == len(events)
    assert server.members == {key(e): e["properties"]["value"] for e in events}
    # Stronger than the final state: per key, the server applied every value once, in input
    # order, although requests for different keys raced and a third were retried.
    applied: dict[tuple[str, str], list[bool]] = {}
    for body in server.accepted:
        for item in body["batch"]:
            applied.setdefault((body["audience"], item["key"]), []).append(item["value"])
    sent: dict[tuple[str, str], list[bool]] = {}
    for e in events:
        sent.setdefault(key(e), []).append(e["properties"]["value"])
    assert applied == sent


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(400, Outcome.FAILED), (401, Outcome.PENDING), (403, Outcome.PENDING)],
)
def test_client_errors_are_not_retried(status: int, outcome: Outcome) -> None:
    """A 401/403 interrupts the run: the event stays pending, for a resume once fixed."""
    with AudienceServer(plan=lambda number, body: Reply(status=status)) as server:
        sink = run(server, [event("u1")])
    (record,) = sink.records
    assert (record.outcome, record.status, record.attempts) == (outcome, status, 1)
    assert len(server.requests) == 1


def test_each_event_keeps_its_own_outcome_when_one_audience_request_fails() -> None:
    events = [event("u1", "aud-a"), event("u2", "aud-b"), event("u3", "aud-a"), event("u4", "aud-b")]
    with AudienceServer(plan=fail_audience("aud-b", Reply(status=400))) as server:
        sink = run(server, events)
    assert [(r.line, r.outcome, r.status) for r in sink.sorted()] == [
        (1, Outcome.DELIVERED, 204),
        (2, Outcome.FAILED, 400),
        (3, Outcome.DELIVERED, 204),
        (4, Outcome.FAILED, 400),
    ]
    assert server.members == {("aud-a", "u1"): True, ("aud-a", "u3"): True}


def test_item_results_from_perform_batch_become_per_event_outcomes() -> None:
    events = [event("u1"), event("not a key"), event("u3")]
    with AudienceServer() as server:
        sink = run(server, events)
    outcomes = [(r.line, r.outcome) for r in sink.sorted()]
    assert outcomes == [(1, Outcome.DELIVERED), (2, Outcome.REJECTED), (3, Outcome.DELIVERED)]
    assert server.accepted == [
        {"audience": "aud-a", "batch": [{"key": "u1", "value": True}, {"key": "u3", "value": True}]}
    ]


def test_batches_are_split_at_batch_size() -> None:
    with AudienceServer() as server:
        run(server, [event(f"u{i}") for i in range(10)], batch_size=3, concurrency=1)
    assert [len(body["batch"]) for body in server.accepted] == [3, 3, 3, 1]


def test_the_action_max_batch_size_caps_the_run_batch_size() -> None:
    small = dataclasses.replace(TOY, actions=(dataclasses.replace(SYNC, max_batch_size=4),))
    with AudienceServer() as server:
        instance = compile_instance(
            small,
            {"api_key": TOKEN, "base_url": server.url},
            [SubscriptionSpec("sync", "syncAudience", TRIGGER)],
        )
        with Engine(instance, options=RunOptions(mode="batch", concurrency=1)) as engine:
            engine.run_events([event(f"u{i}") for i in range(10)])
    assert [len(body["batch"]) for body in server.accepted] == [4, 4, 2]


def test_auto_mode_batches_only_payloads_that_enable_batching() -> None:
    spec = SubscriptionSpec("sync", "syncAudience", TRIGGER, {"enable_batching": False})
    with AudienceServer() as server:
        instance = compile_instance(TOY, {"api_key": TOKEN, "base_url": server.url}, [spec])
        with Engine(instance, options=RunOptions(mode="auto", retry=FAST)) as engine:
            engine.run_events([event(f"u{i}") for i in range(3)])
    assert [len(body["batch"]) for body in server.accepted] == [1, 1, 1]


def test_max_wait_flushes_a_slow_stream() -> None:
    """The stream pauses after three events and only goes on once the server has them: with
    batch_size 1000 only the max_wait flush can deliver them (no timing is asserted; the
    10 s bound only keeps a broken engine from hanging the suite)."""
    seen_while_paused: list[bool] = []

    with AudienceServer() as server:

        def slow_stream() -> Iterator[dict[str, Any]]:
            yield from (event("u1"), event("u2"), event("u3"))
            seen_while_paused.append(server.wait_for_items(3, timeout=10.0))
            yield event("u4")

        options = RunOptions(batch_size=1000, max_wait=0.05, retry=FAST)
        with Engine(toy_instance(server.url), options=options) as engine:
            summary = engine.run_events(slow_stream())
    assert seen_while_paused == [True]
    assert summary.counts[Outcome.DELIVERED] == 4
    assert server.items() == 4


def test_different_audiences_are_sent_concurrently() -> None:
    """The server holds the first audience's request until the second audience's request
    arrives, which only happens if the two are in flight together."""
    second_arrived = threading.Event()
    held_until_second: list[bool] = []

    class HoldingServer(AudienceServer):
        def _next(self, recorded: Any) -> Reply:
            reply = super()._next(recorded)
            if b"aud-b" in recorded.body:
                second_arrived.set()
            else:
                held_until_second.append(second_arrived.wait(5.0))
            return reply

    with HoldingServer() as server:
        sink = run(server, [event("u1", "aud-a"), event("u2", "aud-b")], concurrency=2)
    assert held_until_second == [True]
    assert sink.outcomes()[Outcome.DELIVERED] == 2


def test_max_wait_flushes_a_slow_pipe() -> None:
    """The CLI's case: lines arrive on a pipe (stdin) and then nothing for a while; the reader
    waits in read1 without holding the engine lock, so max_wait still sends what it has."""
    read_fd, write_fd = os.pipe()
    seen_while_paused: list[bool] = []

    with AudienceServer() as server:

        def writer() -> None:
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(b"".join(json.dumps(event(f"u{i}")).encode() + b"\n" for i in range(3)))
                pipe.flush()
                seen_while_paused.append(server.wait_for_items(3, timeout=10.0))
                pipe.write(json.dumps(event("u3")).encode() + b"\n")

        thread = threading.Thread(target=writer)
        thread.start()
        options = RunOptions(batch_size=1000, max_wait=0.05, retry=FAST)
        with open(read_fd, "rb") as stream, Engine(toy_instance(server.url), options=options) as engine:
            summary = engine.run_lines(stream)
        thread.join()
    assert seen_while_paused == [True]
    assert summary.counts[Outcome.DELIVERED] == 4
