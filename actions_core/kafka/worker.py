"""A consume worker: one member of a consumer group, delivering with the engine of ``run``.

Each fetch becomes one chunk of lines for :meth:`Engine.run_line_batches
<actions_core.runtime.engine.Engine.run_line_batches>`; the
:class:`~actions_core.kafka.ledger.OffsetLedger` turns the engine's first unresolved line into
commit points, so an offset is committed only once every message before it in its partition
has a recorded outcome (docs/kafka.md). Delivery is at least once: after ``kill -9`` the next
owner reads from the last commit, and LaunchDarkly's membership writes are idempotent.

A *session* is one consumer (one group membership) and one engine. It ends when the worker
is stopped (SIGTERM: drain within ``drain_timeout``, commit, leave the group) or interrupted
(a 401/403, a rate limit that outlasted the retries): then nothing more is sent or committed,
the consumer leaves the group, the worker waits (probing the credentials with the
destination's authentication test) and starts a new session from the committed offsets.

Rebalances: on revocation the worker stops taking the partitions' messages, waits (at most
``drain_timeout``) until their lines are resolved, commits them and gives them up; a
partition lost without a revocation (the session timed out) commits nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from actions_core.errors import ActionsCoreError
from actions_core.http.authentication import run_authentication_test
from actions_core.instance import Instance
from actions_core.kafka.address import KafkaAddress
from actions_core.kafka.dead_letters import DeadLetterTopic
from actions_core.kafka.interruptions import Interruption, interruption_of
from actions_core.kafka.ledger import OffsetLedger
from actions_core.kafka.metrics import WorkerMetrics
from actions_core.kafka.producer import EventProducer
from actions_core.redaction import Redactor
from actions_core.runtime.engine import Engine, RunOptions
from actions_core.runtime.outcomes import Outcome, OutcomeRecord

COMMIT_INTERVAL = 0.2
"""Seconds between two commits while a session runs (the engine saves its mark as often)."""


@dataclass(frozen=True)
class ConsumeOptions:
    """How a worker joins its group and paces itself."""

    address: KafkaAddress
    group: str
    dead_letter_topic: str
    drain_timeout: float = 30.0
    session_timeout: float = 45.0
    fetch_max: int = 1000
    """Messages taken per fetch (one engine chunk)."""
    poll_timeout: float = 0.2
    pause_min: float = 1.0
    """First wait after an interruption (doubling up to ``pause_max``)."""
    pause_max: float = 30.0


@dataclass
class WorkerSummary:
    """What a worker did over its sessions."""

    sessions: int = 0
    messages: int = 0
    commits: int = 0
    pauses: int = 0


class ConsumeWorker:
    """Consumes ``options.address.topic`` in group ``options.group`` and delivers through
    ``instance`` until :meth:`stop`."""

    def __init__(
        self,
        instance: Instance,
        options: ConsumeOptions,
        run_options: RunOptions,
        *,
        transport: httpx.BaseTransport | None = None,
        metrics: WorkerMetrics | None = None,
        log: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.instance = instance
        self.options = options
        self.run_options = run_options
        self.summary = WorkerSummary()
        self._transport = transport
        self._metrics = metrics or WorkerMetrics()
        self._log = log
        self._redactor = Redactor(instance.secrets)
        self._stopping = threading.Event()
        self._engine: Engine | None = None
        self._drain_timer: threading.Timer | None = None
        self._dead_letters = EventProducer(
            options.address.bootstrap_servers, options.dead_letter_topic
        )

    # ------------------------------------------------------------------ control

    def stop(self) -> None:
        """Drain and leave (signal-safe: only sets a flag and starts a timer). After
        ``drain_timeout`` what is not sent yet is given up, uncommitted, for the next owner."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        timer = threading.Timer(self.options.drain_timeout, self._drain_ran_out)
        timer.daemon = True
        timer.start()
        self._drain_timer = timer

    def _drain_ran_out(self) -> None:
        engine = self._engine
        if engine is not None:
            engine.abort(f"the drain timeout of {self.options.drain_timeout:g} s ran out")

    def run(self) -> WorkerSummary:
        """Sessions until stopped; waits out interruptions in between."""
        pause = self.options.pause_min
        try:
            while not self._stopping.is_set():
                interruption = self._session()
                if interruption is None or self._stopping.is_set():
                    break
                self.summary.pauses += 1
                self._metrics.paused.set(1)
                pause = self._wait_out(interruption, pause)
                self._metrics.paused.set(0)
        finally:
            if self._drain_timer is not None:
                self._drain_timer.cancel()
            self._dead_letters.close()
        return self.summary

    # ------------------------------------------------------------------ one session

    def _session(self) -> Interruption | None:
        ledger = OffsetLedger()
        watcher = _Watcher(ledger, self._metrics)
        dead_letters = DeadLetterTopic(
            self._dead_letters,
            self.options.dead_letter_topic,
            source_topic=self.options.address.topic,
            ledger=ledger,
            redactor=self._redactor,
        )
        engine = Engine(
            self.instance,
            options=self.run_options,
            transport=self._transport,
            sinks=[watcher, dead_letters],
            checkpoint=ledger,
        )
        watcher.engine = engine
        self._engine = engine
        if self._stopping.is_set():  # stopped while the session started: abort right away
            self._drain_ran_out()
        self.summary.sessions += 1
        consumer = Consumer(self._consumer_config())
        session = _Session(self, consumer, ledger, engine, dead_letters, watcher)
        try:
            consumer.subscribe(
                [self.options.address.topic],
                on_assign=session.on_assign,
                on_revoke=session.on_revoke,
                on_lost=session.on_lost,
            )
            engine.run_line_batches(session.batches())
            session.commit(asynchronous=False)
        finally:
            try:
                consumer.close()  # leaves the group: a rebalance hands the partitions on
            finally:
                self._engine = None
                engine.close()
        if watcher.interruption is not None:
            self._log(f"paused: {watcher.reason}")
        return watcher.interruption

    def _consumer_config(self) -> dict[str, Any]:
        o = self.options
        return {
            "bootstrap.servers": o.address.bootstrap_servers,
            "group.id": o.group,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": int(o.session_timeout * 1000),
            "heartbeat.interval.ms": max(100, int(o.session_timeout * 1000 / 10)),
            "partition.assignment.strategy": "range",
            "log.connection.close": False,
            # A fetch the broker holds for new data returns at least this often: a quiet
            # topic's next event waits at most this long (brokers differ in waking it early).
            "fetch.wait.max.ms": 100,
        }

    # ------------------------------------------------------------------ pauses

    def _wait_out(self, interruption: Interruption, pause: float) -> float:
        """Wait until the cause is likely gone; returns the next pause length."""
        while not self._stopping.wait(pause):
            pause = min(self.options.pause_max, pause * 2)
            if interruption is not Interruption.CREDENTIALS or self._credentials_work():
                return self.options.pause_min
            self._log("the credentials are still refused; still paused")
        return pause

    def _credentials_work(self) -> bool:
        """The destination's authentication test passes (no test: assume they might)."""
        try:
            run_authentication_test(self.instance, redactor=self._redactor, transport=self._transport)
        except ActionsCoreError:
            return False
        return True


class _Watcher:
    """An outcome sink: counts outcomes, and turns the first interruption into a pause
    (commits frozen, the engine stops sending)."""

    wants_events = False

    def __init__(self, ledger: OffsetLedger, metrics: WorkerMetrics) -> None:
        self.ledger = ledger
        self.metrics = metrics
        self.engine: Engine | None = None
        self.interruption: Interruption | None = None
        self.reason = ""
        self._lock = threading.Lock()

    def record(self, records: Sequence[OutcomeRecord]) -> None:
        self.metrics.record(records)
        for r in records:
            kind = interruption_of(r)
            if kind is not None:
                self.interrupt(kind, r.error or str(kind))
                return

    def interrupt(self, kind: Interruption, reason: str) -> None:
        with self._lock:
            self.ledger.freeze(reason)
            if self.interruption is not None:
                return
            self.interruption = kind
            self.reason = reason
        if self.engine is not None:
            self.engine.abort(reason)


class _Session:
    """One group membership: the fetch loop, rebalance callbacks and commits."""

    def __init__(
        self,
        worker: ConsumeWorker,
        consumer: Consumer,
        ledger: OffsetLedger,
        engine: Engine,
        dead_letters: DeadLetterTopic,
        watcher: _Watcher,
    ) -> None:
        self.worker = worker
        self.consumer = consumer
        self.ledger = ledger
        self.engine = engine
        self.dead_letters = dead_letters
        self.watcher = watcher
        self.topic = worker.options.address.topic
        self.metrics = worker._metrics
        self._requests_seen = 0
        self._next_lag = 0.0

    def batches(self) -> Iterator[list[bytes]]:
        """The fetched values, one list per fetch, until the worker stops or is interrupted."""
        worker, ledger, consumer = self.worker, self.ledger, self.consumer
        options = worker.options
        next_commit = time.monotonic() + COMMIT_INTERVAL
        while not worker._stopping.is_set() and ledger.frozen is None:
            # What is there already, else wait for one message and take what came with it:
            # consume(n, timeout) would hold a slow stream's messages until n arrived.
            messages = consumer.consume(options.fetch_max, 0)
            if not messages:
                messages = consumer.consume(1, options.poll_timeout)
                if messages and options.fetch_max > 1:
                    messages += consumer.consume(options.fetch_max - 1, 0)
            lines: list[bytes] = []
            origins: list[tuple[int, int, bytes | None]] = []
            empty: list[tuple[int, bytes | None]] = []  # (index, value) of empty values
            owns = ledger.owns
            for message in messages:
                error = message.error()
                if error is not None:
                    if error.code() != KafkaError._PARTITION_EOF:
                        worker._log(f"kafka: {error.str()}")
                    continue
                partition, offset = message.partition(), message.offset()
                if partition is None or offset is None or not owns(partition):
                    continue
                value = message.value()
                if value is None or not value.strip():
                    empty.append((len(lines), value))
                    value = b""  # a blank line: no engine outcome, ours is recorded below
                origins.append((partition, offset, message.key()))
                lines.append(value)
            if lines:
                first = ledger.extend(origins) - len(lines) + 1
                if empty:  # recorded before the engine sees the fetch, so before its mark
                    records = [_empty_message(first + i, value) for i, value in empty]
                    self.watcher.record(records)
                    self.dead_letters.record(records)
            worker.summary.messages += len(lines)
            if lines:
                yield lines
            now = time.monotonic()
            if now >= next_commit:
                next_commit = now + COMMIT_INTERVAL
                self.commit(asynchronous=True)
                self._observe(now)

    # ------------------------------------------------------------------ commits

    def commit(self, *, asynchronous: bool) -> None:
        """Commit every owned partition's resolved offsets."""
        commits = self.ledger.settle()
        offsets = [TopicPartition(self.topic, p, o) for p, o in commits.items()]
        if not offsets:
            return
        try:
            if asynchronous:
                self.consumer.commit(offsets=offsets, asynchronous=True)
            else:
                self.consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as exc:
            self.worker._log(f"kafka: commit failed (the offsets are committed later): {exc}")
            return
        self.worker.summary.commits += 1
        self.metrics.commits.inc()
        for tp in offsets:
            self.metrics.committed.labels(str(tp.partition)).set(tp.offset)

    def _observe(self, now: float) -> None:
        """Requests and lag into the metrics (about once a second)."""
        requests = self.engine.snapshot().requests
        if requests > self._requests_seen:
            self.metrics.requests.inc(requests - self._requests_seen)
            self._requests_seen = requests
        if now < self._next_lag:
            return
        self._next_lag = now + 1.0
        try:
            assignment = self.consumer.assignment()
            positions = self.consumer.position(assignment)
        except KafkaException:
            return
        for tp in positions:
            try:
                _low, high = self.consumer.get_watermark_offsets(tp, cached=True)
            except KafkaException:
                continue
            if high >= 0 and tp.offset >= 0:
                self.metrics.lag.labels(str(tp.partition)).set(max(0, high - tp.offset))

    # ------------------------------------------------------------------ rebalances

    def on_assign(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        numbers = [tp.partition for tp in partitions]
        self.ledger.assign(numbers)
        self.worker._log(f"assigned partitions {numbers}")

    def on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Stop taking these partitions' messages; commit what is resolved, then give up."""
        numbers = [tp.partition for tp in partitions]
        ledger = self.ledger
        deadline = time.monotonic() + self.worker.options.drain_timeout
        while not ledger.resolved(numbers) and ledger.frozen is None:
            if time.monotonic() >= deadline:
                self.worker._log(f"partitions {numbers}: revoked before their events resolved")
                break
            time.sleep(0.02)
        self.commit(asynchronous=False)
        ledger.revoke(numbers)
        self.worker._log(f"revoked partitions {numbers}")

    def on_lost(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        numbers = [tp.partition for tp in partitions]
        self.ledger.revoke(numbers)
        self.worker._log(f"lost partitions {numbers}: nothing committed for them")


def _empty_message(line: int, value: bytes | None) -> OutcomeRecord:
    what = "a tombstone (no value)" if value is None else "an empty value"
    return OutcomeRecord(
        line, None, Outcome.INVALID, None, f"not a JSON object (got {what})",
        "" if value is None else value.decode("utf-8", "replace"), 0, "INVALID_JSON",
    )


__all__ = ["COMMIT_INTERVAL", "ConsumeOptions", "ConsumeWorker", "WorkerSummary"]
