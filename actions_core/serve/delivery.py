"""Delivery: queued events through the same compiled instance and :class:`Engine` as ``run``.

A delivery *cycle* is one engine run over an endless feed: the feed reads pending events from
the queue in order (blocking while the queue is empty), the engine triggers, maps, batches
(flushed at size or age, per-key order) and performs them, and its outcomes come back here:

* :class:`QueueProgress` is the engine's checkpoint. The engine says "every line before N is
  resolved" only after the sinks were flushed, so outcomes and dead letters are submitted to
  the queue's writer before the events they belong to are deleted (the writer commits in
  order): ``kill -9`` at any moment leaves every event whose outcome is not kept still
  queued, and a restart sends again only what was not resolved.
* :class:`StoreSink` counts outcomes and keeps dead letters in the queue.

Interruptions pause; they never fail events (docs/serve.md, "What a revoked token does"). A
record that says the destination refused our credentials (401/403) or could not be reached
(no answer, 429 or 5xx after the retries) *freezes* the cycle: nothing more is resolved, the
engine is aborted, and the events stay queued. Delivery then pauses (``/ready`` says why),
probes the destination (its authentication test) every ``probe_interval`` seconds and starts
a new cycle from the oldest pending event once the probe passes.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx

from actions_core.errors import ActionsCoreError, AuthenticationError
from actions_core.http.authentication import run_authentication_test
from actions_core.http.retry import RetryPolicy
from actions_core.instance import Instance
from actions_core.queue import store
from actions_core.queue.codec import dumps, loads
from actions_core.queue.writer import Writer
from actions_core.redaction import Redactor
from actions_core.runtime.dead_letter import DEAD_LETTER_OUTCOMES, dead_letter_line
from actions_core.runtime.engine import Engine, RunOptions, RunSummary
from actions_core.runtime.outcomes import Outcome, OutcomeRecord
from actions_core.serve.logs import LifecycleLog
from actions_core.serve.metrics import Metrics

READ_BATCH = 500
"""Events read from the queue per query."""

IDLE_WAIT = 0.25
"""Seconds the feed waits for new events before it looks again (it is woken on commits)."""

PROBE_POLICY = RetryPolicy(max_attempts=1)
"""A paused delivery's probe tries once; the next probe is the retry."""

_UNREACHABLE = frozenset({408, 429})


def interruption(record: OutcomeRecord) -> str | None:
    """Why ``record`` means "pause" rather than "this event failed", or ``None``."""
    status = record.status
    if record.outcome is Outcome.PENDING:  # the engine was interrupted: nothing is resolved
        if status in (401, 403):
            return f"the destination refused the credentials ({status}); fix them and delivery resumes"
        return record.error or "delivery stopped"
    if record.outcome is not Outcome.FAILED:
        return None
    if record.error_type in ("RETRYABLE_ERROR", "HTTP_ERROR") and (
        status is None or status in _UNREACHABLE or status >= 500
    ):
        return f"the destination is unavailable: {record.error}"
    return None


class QueueProgress:
    """The engine's checkpoint for a cycle: its line numbers (1, 2, ... in feed order) to
    queue ``seq`` numbers; resolving a line resolves its event in the queue."""

    def __init__(self, writer: Writer, frozen: threading.Event) -> None:
        self._writer = writer
        self._frozen = frozen
        self._lock = threading.Lock()
        self._seqs: deque[int] = deque()
        self._first_line = 1  # the line of self._seqs[0]

    def fed(self, seq: int) -> None:
        with self._lock:
            self._seqs.append(seq)

    def resume_from(self) -> int:
        return 1

    def save(self, next_line: int) -> None:
        if self._frozen.is_set():  # interrupted: what is not resolved yet stays queued
            return
        with self._lock:
            count = min(next_line - self._first_line, len(self._seqs))
            if count <= 0:
                return
            last = 0
            for _ in range(count):
                last = self._seqs.popleft()
            self._first_line += count
        self._writer.resolve_through(last)


class StoreSink:
    """Outcome counts and dead letters, to the queue (submitted on :meth:`flush`)."""

    def __init__(
        self,
        writer: Writer,
        metrics: Metrics,
        redactor: Redactor,
        frozen: threading.Event,
        interrupt: Callable[[str], None],
    ) -> None:
        self._writer = writer
        self._metrics = metrics
        self._redactor = redactor
        self._frozen = frozen
        self._interrupt = interrupt
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}
        self._dead: list[tuple[str, str]] = []

    def record(self, records: Sequence[OutcomeRecord]) -> None:
        if self._frozen.is_set():
            return
        for r in records:
            reason = interruption(r)
            if reason is not None:
                self._interrupt(reason)
                return
        outcomes = self._metrics.outcomes
        with self._lock:
            counts = self._counts
            for r in records:
                key = (r.mapping or "", r.outcome.value)
                counts[key] = counts.get(key, 0) + 1
                if r.outcome in DEAD_LETTER_OUTCOMES:
                    self._dead.append((_dead_letter_key(r), dead_letter_line(r, self._redactor)))
        for r in records:
            outcomes.labels(r.mapping or "", r.outcome.value).inc()

    def flush(self) -> None:
        with self._lock:
            counts, dead = self._counts, self._dead
            self._counts, self._dead = {}, []
        if counts or dead:
            self._writer.add_outcomes(counts, dead)


def _dead_letter_key(r: OutcomeRecord) -> str:
    """One dead letter per (event, mapping): an event delivered again after a crash and
    dead-lettered again replaces its first entry."""
    event = r.event
    message_id = event.get("messageId") if isinstance(event, Mapping) else None
    if not isinstance(message_id, str):
        if isinstance(event, bytes | str):
            data = event if isinstance(event, bytes) else event.encode("utf-8", "surrogatepass")
        else:
            data = dumps(event)
        message_id = "sha1:" + hashlib.sha1(data).hexdigest()
    return f"{r.mapping or ''}\x1f{message_id}"


class Delivery:
    """Runs delivery cycles on a thread until :meth:`stop`."""

    def __init__(
        self,
        instance: Instance,
        writer: Writer,
        *,
        options: RunOptions,
        transport: httpx.BaseTransport,
        metrics: Metrics,
        log: LifecycleLog,
        probe_interval: float = 5.0,
    ) -> None:
        self._instance = instance
        self._writer = writer
        self._options = options
        self._transport = transport
        self._metrics = metrics
        self._log = log
        self._probe_interval = probe_interval
        self._redactor = Redactor(instance.secrets)
        self._stopping = threading.Event()
        self._paused: str | None = None
        self._retries_seen = 0
        self._thread = threading.Thread(target=self._loop, name="delivery", daemon=True)

    @property
    def paused(self) -> str | None:
        """Why delivery is paused, or ``None``."""
        return self._paused

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> bool:
        """Stop reading the queue; batches already read are sent (within ``timeout``) and
        resolved. False when the last cycle did not finish in time (its events stay queued)."""
        self._stopping.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # ------------------------------------------------------------------ the thread

    def _loop(self) -> None:
        reader = store.connect(self._writer.path)
        try:
            while not self._stopping.is_set():
                if self._paused is not None:
                    if self._stopping.wait(self._probe_interval):
                        break
                    problem = self._probe()
                    if problem is not None:
                        self._paused = problem
                        continue
                    self._log("resume", reason="the destination answers again")
                    self._paused = None
                    self._metrics.paused.set(0)
                try:
                    reason = self._cycle(reader)
                except Exception as exc:  # a bug or a broken output: pause, never drop
                    reason = f"delivery failed: {type(exc).__name__}: {self._redactor.redact(str(exc))}"
                    self._log("error", "error", reason=reason)
                if reason is not None and not self._stopping.is_set():
                    self._paused = reason
                    self._metrics.paused.set(1)
                    self._log("pause", "warning", reason=reason)
        finally:
            reader.close()

    def _cycle(self, reader: Any) -> str | None:
        """One engine run over the queue; why it was interrupted, or ``None`` (stopping)."""
        self._writer.sync(timeout=30.0)  # resolves of the last cycle are committed
        frozen = threading.Event()
        why: list[str] = []
        engine: Engine | None = None

        def interrupt(reason: str) -> None:
            if not frozen.is_set():
                why.append(reason)
                frozen.set()
                if engine is not None:
                    engine.abort(reason)

        progress = QueueProgress(self._writer, frozen)
        sink = StoreSink(self._writer, self._metrics, self._redactor, frozen, interrupt)
        self._retries_seen = 0
        engine = Engine(
            self._instance,
            options=self._options,
            transport=self._transport,
            sinks=[sink],
            checkpoint=progress,
            progress=self._count_retries,
            progress_interval=1.0,
        )
        with engine:
            engine.run_events(self._feed(reader, progress, frozen))
        return why[0] if why else None

    def _feed(
        self, reader: Any, progress: QueueProgress, frozen: threading.Event
    ) -> Iterator[Any]:
        """Pending events in queue order, forever (until stopping or frozen)."""
        last = 0
        while not (self._stopping.is_set() or frozen.is_set()):
            version = self._writer.version
            rows = store.read_after(reader, last, READ_BATCH)
            if not rows:
                self._writer.wait_for_events(version, IDLE_WAIT)
                continue
            for seq, body in rows:
                if self._stopping.is_set() or frozen.is_set():
                    return
                progress.fed(seq)
                last = seq
                try:
                    yield loads(body)
                except (ValueError, RecursionError):
                    yield bytes(body).decode("utf-8", "replace")  # recorded invalid, kept

    def _count_retries(self, summary: RunSummary) -> None:
        if summary.retries > self._retries_seen:
            self._metrics.retries.inc(summary.retries - self._retries_seen)
            self._retries_seen = summary.retries

    def _probe(self) -> str | None:
        """Why the destination still cannot take events (its authentication test), or None."""
        try:
            run_authentication_test(
                self._instance, redactor=self._redactor, transport=self._transport,
                timeout=10.0, policy=PROBE_POLICY,
            )
        except AuthenticationError as exc:
            return f"the destination refused the credentials ({exc.status}); fix them and delivery resumes"
        except ActionsCoreError as exc:
            return f"the destination is unavailable: {self._redactor.redact(str(exc))}"
        except Exception as exc:
            return f"the destination check failed: {self._redactor.redact(str(exc))}"
        return None


__all__ = ["Delivery", "QueueProgress", "StoreSink", "interruption"]
