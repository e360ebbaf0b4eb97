"""The engine: every input event to its recorded outcomes.

Data flows one way: line -> JSON -> trigger -> mapping + validation -> batch -> perform ->
outcome. Each event ends with one record per matching mapping (``filtered`` when none matched,
``invalid`` when the line is not a JSON object), so nothing is lost. Every stage hands its
outcomes forward to one :class:`~actions_core.runtime.recorder.OutcomeRecorder`; batches that
are ready go from the batchers into an outbox that the engine drains into the dispatcher.

Threads and locks:

* The calling thread reads the input and routes each event. It takes the engine lock once
  per chunk of input (:mod:`actions_core.runtime.reading`), never while it waits for input.
* A ticker thread takes the same lock a few times per ``max_wait`` to submit batches older
  than ``max_wait`` (a slow stream still flows), to flush the sinks and save the checkpoint
  (every ``SAVE_INTERVAL`` seconds) and to report progress.
* ``concurrency`` worker threads (:class:`~actions_core.runtime.dispatch.Dispatcher`) perform the
  batches through ONE shared :class:`~actions_core.http.client.RequestClient`: in input order per
  ordering key (mapping + batch-key values), concurrently across keys.

An interruption (:meth:`Engine.interrupt`: a signal, a 401/403, a rate limit longer than the
retry budget) stops sending: waiting retries give up, requests on the wire finish, and every
event not sent is recorded ``pending``, never ``failed``; the checkpoint stays before it
(docs/framework.md, "Delivery guarantees"). With a checkpoint, reading stops; without one the
input is read to its end so that every event gets its record (and dead-letter entry). Once
interrupted, batches still pass through the dispatcher, so their ``pending`` records keep each
key's input order (a dead-letter replay then ends in the right state). Every recorded error
message is redacted.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from actions_core.errors import DeliveryInterrupted
from actions_core.http.client import DEFAULT_TIMEOUT, RequestClient
from actions_core.http.retry import RetryPolicy
from actions_core.instance import Instance, Subscription
from actions_core.json_types import json_type_name
from actions_core.redaction import Redactor
from actions_core.runtime.batching import Batch, Batcher, BatchMode, batch_size_for
from actions_core.runtime.big_integers import loads as standard_loads
from actions_core.runtime.checkpoint import Checkpoint, Progress, SavedProgress, resolved_ranges
from actions_core.runtime.dead_letter import DEAD_LETTER_KEY, is_dead_letter, parse_entry
from actions_core.runtime.dispatch import Dispatcher
from actions_core.runtime.outcomes import ItemResult, Outcome, OutcomeRecord, OutcomeSink
from actions_core.runtime.performer import Performer
from actions_core.runtime.reading import Chunk, Loads, batch_chunks, item_chunks, line_chunks
from actions_core.runtime.recorder import OutcomeRecorder

SAVE_INTERVAL = 0.2
"""Seconds between two flushes of the sinks (and checkpoint saves) while a run goes on."""

_Route = tuple[
    str,  # the subscription's name
    Callable[[Mapping[str, Any]], bool] | None,  # the trigger's predicate (None: every event)
    Callable[[Mapping[str, Any]], dict[str, Any]],  # map + validate (Subscription.build)
    Callable[[int, Mapping[str, Any], dict[str, Any]], None],  # its Batcher's add
]
"""One subscription's per-event steps, looked up once so the hot loop only calls them."""


@dataclass(frozen=True)
class RunOptions:
    """How a run batches, paces and retries (the defaults suit LaunchDarkly)."""

    batch_size: int = 1000
    """Flush a batch at this many events (capped by the action's ``max_batch_size``)."""
    max_wait: float = 1.0
    """Flush a batch older than this many seconds, so a slow stream still flows."""
    concurrency: int = 8
    """Independent requests in flight."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one request attempt may take in all: connect, send and the full response."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    wait_rate_limits: bool = False
    """Wait out a rate limit longer than the retry budget instead of stopping the run."""
    mode: BatchMode = "auto"
    """``auto``: batch when the payload's ``enable_batching`` is true and the action has
    ``perform_batch``; ``single``/``batch`` force it (the test harness uses them)."""

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.concurrency < 1:
            raise ValueError("batch_size and concurrency must be at least 1")
        if self.max_wait <= 0 or self.timeout <= 0:
            raise ValueError("max_wait and timeout must be positive")
        if self.mode not in ("auto", "single", "batch"):
            raise ValueError(f"mode must be auto, single or batch, not {self.mode!r}")


@dataclass
class RunSummary:
    """What a run did: events read, records per outcome, HTTP work, and why it stopped early."""

    events: int
    counts: dict[Outcome, int]
    requests: int
    attempts: int
    retries: int
    elapsed: float
    aborted: str | None = None
    """Why the run was interrupted (stopped sending), or ``None``."""
    next_line: int | None = None
    """With a checkpoint: the first line not resolved at the last save (a resume starts there)."""
    unread_from: int | None = None
    """The first line not read when reading stopped early (an interruption with a checkpoint,
    or a stop at once), else ``None``."""
    stopped_at_once: bool = False
    """A second interruption (KeyboardInterrupt) stopped the run without waiting for the
    requests in flight; their outcomes are not recorded (the checkpoint stays before them)."""

    @property
    def pending(self) -> int:
        """Events not sent because the run was interrupted."""
        return self.counts.get(Outcome.PENDING, 0)

    @property
    def exit_ok(self) -> bool:
        """No event was rejected, failed, invalid or left pending."""
        bad = (Outcome.REJECTED, Outcome.FAILED, Outcome.INVALID, Outcome.PENDING)
        return not any(self.counts.get(outcome) for outcome in bad)


class _ChunkRecords:
    """Outcomes the reader decides for one chunk, emitted at once before the lock is freed.
    Filtered events are only counted unless a sink wants records."""

    __slots__ = ("blank", "filtered", "keep", "records")

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.records: list[OutcomeRecord] = []
        self.filtered = 0
        self.blank = 0

    def add_filtered(self, line: int, event: Mapping[str, Any]) -> None:
        self.filtered += 1
        if self.keep:
            self.records.append(OutcomeRecord(line, None, Outcome.FILTERED, event=event))

    def add(self, line: int, mapping: str | None, r: ItemResult, event: Any) -> None:
        record = OutcomeRecord(line, mapping, r.outcome, r.status, r.error, event, 0, r.error_type)
        self.records.append(record)


class Engine:
    """Runs events through an instance's enabled subscriptions to its destination.

    Load-time work happens here, once: the request client, a :class:`Batcher` per
    subscription, the routing table. ``progress`` (optional) is called from the ticker thread
    about every ``progress_interval`` seconds with the figures so far.
    """

    def __init__(
        self,
        instance: Instance,
        *,
        options: RunOptions = RunOptions(),
        transport: httpx.BaseTransport | None = None,
        sinks: Sequence[OutcomeSink] = (),
        checkpoint: Progress | None = None,
        clock: Callable[[], float] = time.monotonic,
        progress: Callable[[RunSummary], None] | None = None,
        progress_interval: float = 1.0,
    ) -> None:
        self.instance = instance
        self.options = options
        self._clock = clock
        self._checkpoint = checkpoint
        self._progress = progress
        self._progress_interval = progress_interval
        self._client = RequestClient(
            transport=transport,
            defaults=instance.request_defaults,
            policy=options.retry,
            timeout=options.timeout,
            wait_rate_limits=options.wait_rate_limits,
            redactor=Redactor(instance.secrets),
        )
        self._flushers = [f for f in (getattr(s, "flush", None) for s in sinks) if callable(f)]
        keep_events = any(getattr(s, "wants_events", True) for s in sinks)
        self._recorder = OutcomeRecorder(
            sinks, self._client.redactor, keep_events=keep_events,
            track_pending=checkpoint is not None,
        )
        self._performer = Performer(instance.settings, self._client, self._recorder)
        self._lock = threading.Lock()
        # Batches ready to perform wait here until handed to the dispatcher *outside* the
        # engine lock: a full dispatcher (backpressure) then blocks only the hand-over, never
        # the ticker's age flushes and checkpoint saves, which take the engine lock.
        self._outbox: deque[Batch] = deque()
        self._handover = threading.Lock()
        self._dispatcher: Dispatcher[Batch] = Dispatcher(
            self._performer.perform,
            workers=options.concurrency,
            max_pending=2 * options.concurrency + 2,
        )
        self._by_name: dict[str, tuple[Subscription, Batcher]] = {}
        self._batchers: list[Batcher] = []
        self._routes: list[_Route] = []
        for sub in instance.subscriptions:
            if sub.enabled:
                batcher = Batcher(
                    sub,
                    size=batch_size_for(sub, options.batch_size),
                    mode=options.mode,
                    outbox=self._outbox,
                    clock=clock,
                    keep_events=keep_events,
                )
                self._by_name[sub.name] = (sub, batcher)
                self._batchers.append(batcher)
                test = sub.trigger.predicate if sub.trigger else None
                self._routes.append((sub.name, test, sub.build, batcher.add))
        self._begin_run()

    # ------------------------------------------------------------------ public surface

    def run_lines(self, lines: Iterable[bytes | str], *, first_line: int = 1) -> RunSummary:
        """Run JSON lines (a binary file is read in chunks; blank lines have no outcome but
        keep their number). ``first_line`` is the number of the first line given."""
        return self._run(line_chunks(lines, first_line), self._process_lines)

    def run_line_batches(
        self, batches: Iterable[Sequence[bytes | str]], *, first_line: int = 1
    ) -> RunSummary:
        """Run JSON lines that arrive in batches (a queue consumer's fetches): each batch is
        one chunk, routed under one lock, numbered on from ``first_line``. The iterable may
        wait for its next batch: the lock is not held meanwhile."""
        return self._run(batch_chunks(batches, first_line), self._process_lines)

    def run_events(self, events: Iterable[Mapping[str, Any]]) -> RunSummary:
        """Run already-parsed events, numbered 1..n."""
        return self._run(item_chunks(events, 1), self._process_events)

    def snapshot(self) -> RunSummary:
        """The current run's figures so far (thread-safe)."""
        requests, attempts, retries = self._client.stats
        base = self._stats_base
        elapsed = self._clock() - self._started
        return RunSummary(
            self._events, self._recorder.counts.counts, requests - base[0], attempts - base[1],
            retries - base[2], elapsed, self._performer.reason, self._saved_line,
            self._unread_from, self._stopped_at_once,
        )

    def interrupt(self, cause: DeliveryInterrupted) -> None:
        """Stop sending (thread-safe, from any thread but a signal handler's: it takes locks).

        Requests on the wire finish; waiting retries give up; every event not sent is recorded
        ``pending``. With a checkpoint, reading stops too (the checkpoint stays before the
        first unsent event, and a resume reads on from there); without one the input is read
        to its end, so that every event gets its ``pending`` record (and dead-letter entry).
        The first cause wins; :attr:`RunSummary.aborted` gives its reason."""
        self._performer.interrupt(cause)

    @property
    def interrupted(self) -> DeliveryInterrupted | None:
        """What interrupted the run, or ``None``."""
        return self._performer.interrupted

    def abort(self, reason: str) -> None:
        """:meth:`interrupt` with a reason in words (``serve`` pauses delivery with it)."""
        self.interrupt(DeliveryInterrupted(reason))

    def close(self) -> None:
        self._dispatcher.close(wait=not self._stopped_at_once)
        self._client.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ reading and routing

    def _begin_run(self) -> None:
        self._recorder.new_run()
        self._events = 0
        self._next_line = 1  # every line before it is routed (for checkpoints)
        self._bytes_read = 0  # the input's bytes before _next_line (for its identity)
        self._saved_line: int | None = None
        self._unread_from: int | None = None
        self._stopped_at_once = False
        self._started = self._clock()
        self._stats_base = self._client.stats
        self._next_save = self._next_progress = self._started

    def _run(
        self, chunks: Iterable[Chunk], process: Callable[[int, Sequence[Any], Loads], None]
    ) -> RunSummary:
        self._begin_run()
        checkpoint = self._checkpoint
        progress = _load(checkpoint)
        self._next_line = progress.next_line
        count_bytes = isinstance(checkpoint, Checkpoint) and checkpoint.input is not None
        ticker = _Ticker(min(0.1, max(0.005, self.options.max_wait / 4)), self._tick)
        try:
            for first, items, loads in chunks:
                end = first + len(items)
                if count_bytes:
                    self._bytes_read += sum(map(len, items))
                if end <= progress.next_line:
                    continue
                with self._lock:
                    if first >= progress.read_to:
                        process(first, items, loads)
                    else:  # resuming: skip the lines resolved already
                        for start, stop in _unresolved_runs(progress, first, end):
                            process(start, items[start - first : stop - first], loads)
                    self._next_line = end
                self._hand_over()
                ticker.raise_error()
                if self._dispatcher.broken:  # outcomes can no longer be recorded: stop sending
                    self.interrupt(DeliveryInterrupted("an outcome could not be recorded"))
                    break
                if checkpoint is not None and self._performer.interrupted is not None:
                    self._unread_from = end  # the checkpoint covers the rest
                    break
        except BaseException as exc:
            if not isinstance(exc, Exception):  # KeyboardInterrupt (a second Ctrl-C)
                self._stop_at_once()
            raise
        finally:
            try:
                try:
                    self._finish()
                except KeyboardInterrupt:  # while waiting for the requests in flight
                    self._stop_at_once()
                    self._finish()
                    raise
            finally:
                ticker.stop()
        ticker.raise_error()
        return self.snapshot()

    def _stop_at_once(self) -> None:
        """Stop without waiting for the requests in flight (their outcomes go unrecorded; the
        checkpoint stays before them)."""
        self._stopped_at_once = True
        if self._unread_from is None:
            self._unread_from = self._next_line
        self.interrupt(DeliveryInterrupted("the run was stopped at once"))

    def _finish(self) -> None:
        """The end of a run: send the open batches (once interrupted, this only records them
        pending), wait for the requests in flight unless stopping at once, save."""
        with self._lock:
            for batcher in self._batchers:
                batcher.flush_all()
        self._hand_over()
        if not self._stopped_at_once:
            self._dispatcher.wait_idle()
        with self._lock:
            self._save_checkpoint()

    def _process_lines(self, first: int, lines: Sequence[bytes | str], loads: Loads) -> None:
        out = _ChunkRecords(self._recorder.keep_records)
        self._route_lines(first, lines, loads, out)
        self._events += len(lines) - out.blank
        self._emit_chunk(out)

    def _process_events(self, first: int, events: Sequence[Any], loads: Loads) -> None:
        out = _ChunkRecords(self._recorder.keep_records)
        for number, event in enumerate(events, first):
            if isinstance(event, Mapping):
                self._route(number, event, out)
            else:
                message = f"not an event object: {type(event).__name__}"
                out.add(number, None, _invalid(message), repr(event))
        self._events += len(events)
        self._emit_chunk(out)

    def _route_lines(
        self, first: int, lines: Sequence[bytes | str], loads: Loads, out: _ChunkRecords
    ) -> None:
        """The per-line path: parse, then route a JSON object."""
        route = self._route
        for number, raw in enumerate(lines, first):
            try:
                event = loads(raw)
            except (ValueError, RecursionError):
                try:
                    event = standard_loads(raw)  # the standard parser decides, and words the error
                except (ValueError, RecursionError) as exc:  # also bytes that are not UTF-8
                    if raw.strip():
                        out.add(number, None, _invalid(str(exc)), _text(raw))
                    else:
                        out.blank += 1
                    continue
            if type(event) is dict:
                route(number, event, out)
            else:
                message = f"not a JSON object (got {json_type_name(event)})"
                out.add(number, None, _invalid(message), _text(raw))

    def _route(self, number: int, event: Mapping[str, Any], out: _ChunkRecords) -> None:
        """Trigger, map and validate ``event`` for every subscription, then batch it."""
        if DEAD_LETTER_KEY in event and is_dead_letter(event):
            self._replay(number, event, out)
            return
        matched = False
        for name, test, build, add in self._routes:
            if test is not None:
                try:
                    if not test(event):
                        continue
                except Exception:  # an odd value on a path: no match, as in Trigger.matches
                    continue
            matched = True
            try:
                payload = build(event)  # map and validate: sub.payload(event)
            except Exception as exc:  # PayloadValidationError -> rejected
                out.add(number, name, self._recorder.result_for(exc), event)
            else:
                add(number, event, payload)
        if not matched:
            out.add_filtered(number, event)

    def _replay(self, number: int, entry_obj: Mapping[str, Any], out: _ChunkRecords) -> None:
        """A dead-letter line: back to the mapping it failed for only, skipping the triggers."""
        try:
            entry = parse_entry(entry_obj)
        except ValueError as exc:
            out.add(number, None, _invalid(str(exc)), dict(entry_obj))
            return
        if isinstance(entry.event, str | bytes):  # an invalid line: replay the raw line
            if entry.event.strip():
                self._route_lines(number, (entry.event,), json.loads, out)
            else:
                out.add(number, None, _invalid("dead-letter entry: the line is empty"), entry.event)
            return
        target = self._by_name.get(entry.mapping or "")
        if target is None:
            message = f"mapping {entry.mapping!r} no longer exists (or is disabled); not sent"
            result = ItemResult(Outcome.REJECTED, None, message, "MAPPING_NOT_FOUND")
            out.add(number, entry.mapping, result, entry.event)
            return
        sub, batcher = target
        try:
            payload = sub.payload(entry.event)
        except Exception as exc:
            out.add(number, sub.name, self._recorder.result_for(exc), entry.event)
        else:
            batcher.add(number, entry.event, payload)

    def _emit_chunk(self, out: _ChunkRecords) -> None:
        if out.records:
            self._recorder.emit(out.records)
        if out.filtered and not out.keep:
            self._recorder.count(Outcome.FILTERED, out.filtered)

    def _hand_over(self, *, block: bool = True) -> None:
        """Move the outbox to the dispatcher in order, without the engine lock (submit may
        block on backpressure). A batch leaves the outbox only once the dispatcher holds it,
        so a checkpoint always sees it in one of the two."""
        if not self._handover.acquire(blocking=block):
            return  # the reader is handing over already
        try:
            outbox = self._outbox
            while outbox:
                batch = outbox[0]
                if self._stopped_at_once:  # no waiting for room behind requests in flight
                    self._performer.record_pending(batch)
                else:  # once interrupted, it is recorded pending in its key's order
                    self._dispatcher.submit(batch.ordering_key, batch)
                outbox.popleft()
        finally:
            self._handover.release()

    # ------------------------------------------------------------------ ticker work

    def _tick(self) -> None:
        now = self._clock()
        with self._lock:
            for batcher in self._batchers:
                batcher.flush_due(now - self.options.max_wait)
            if now >= self._next_save:
                self._save_checkpoint()
                self._next_save = now + SAVE_INTERVAL
        self._hand_over(block=False)  # a slow stream: the reader may be waiting for input
        if self._progress is not None and now >= self._next_progress:
            self._next_progress = now + self._progress_interval
            self._progress(self.snapshot())

    def _save_checkpoint(self) -> None:
        """(Under the engine lock.) Flush the sinks, then save which lines are resolved.

        Unresolved: the lines in an open, outgoing, queued or running batch and the lines
        recorded ``pending``; resolved: every other line read. Never saved after a work item
        broke: its records may be missing."""
        if self._dispatcher.broken:
            return
        checkpoint = self._checkpoint
        if checkpoint is None:
            for flush in self._flushers:
                flush()
            return
        # In this order each batch is seen at least once: a batch enters the dispatcher before
        # it leaves the outbox, and its pending lines are noted before it leaves either.
        unresolved: list[int] = []
        for batch in list(self._outbox):
            unresolved += batch.lines
        for batcher in self._batchers:
            for batch in batcher.open.values():
                unresolved += batch.lines
        for batch in self._dispatcher.items():
            unresolved += batch.lines
        unresolved += self._recorder.pending_lines()
        read_to = self._next_line
        low = min(unresolved, default=read_to)
        low = min(low, read_to)
        for flush in self._flushers:
            flush()
        if isinstance(checkpoint, Checkpoint):
            covered = self._bytes_read if checkpoint.input is not None else None
            ranges = resolved_ranges(low, read_to, unresolved)
            checkpoint.save(low, read_to=read_to, resolved=ranges, covered=covered)
        else:
            checkpoint.save(low)
        self._saved_line = low


class _Ticker:
    """Calls ``tick`` every ``interval`` seconds on a daemon thread until stopped; an error
    stops it and is re-raised in the run's thread (:meth:`raise_error`)."""

    def __init__(self, interval: float, tick: Callable[[], None]) -> None:
        self._interval = interval
        self._tick = tick
        self._stopped = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="engine-ticker", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self._tick()
            except BaseException as exc:
                self._error = exc
                return

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def raise_error(self) -> None:
        if self._error is not None:
            raise self._error


# ---------------------------------------------------------------------- helpers


def _load(checkpoint: Progress | None) -> SavedProgress:
    """Where to start: a :class:`Checkpoint` knows resolved ranges too; any other progress
    keeper only its first unresolved line."""
    if checkpoint is None:
        return SavedProgress()
    if isinstance(checkpoint, Checkpoint):
        return checkpoint.load()
    line = checkpoint.resume_from()
    return SavedProgress(line, line)


def _unresolved_runs(progress: SavedProgress, first: int, end: int) -> Iterator[tuple[int, int]]:
    """The runs ``[start, stop)`` of lines in ``[first, end)`` that a resume must process."""
    start: int | None = None
    for line in range(first, end):
        if progress.is_resolved(line):
            if start is not None:
                yield start, line
                start = None
        elif start is None:
            start = line
    if start is not None:
        yield start, end



def _invalid(message: str) -> ItemResult:
    return ItemResult(Outcome.INVALID, None, message, "INVALID_JSON")


def _text(raw: bytes | str) -> str | bytes:
    """An invalid line as text, for its record and its dead-letter replay; its bytes when they
    are not UTF-8 (kept byte for byte, never with replacement characters)."""
    if isinstance(raw, str):
        return raw.rstrip("\r\n")
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return raw.rstrip(b"\r\n")


__all__ = ["Engine", "RunOptions", "RunSummary"]
