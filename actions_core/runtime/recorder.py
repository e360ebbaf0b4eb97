"""The outcome recorder: where every stage's decisions about events end up.

Reading decides ``invalid``, routing decides ``filtered`` and ``rejected`` (a payload that
fails mapping or validation), performing decides the rest. All of them hand their results
forward to ONE :class:`OutcomeRecorder`, which owns what follows: the counts behind the run
summary, the sinks (report, dead letter, tests), and the redaction of every error message
before it is kept. No stage calls back into another to record an outcome.

Without sinks nothing but counts is kept: no record objects are built (the hot path of a
plain run). Records arrive from several threads; the counts and every sink lock per call.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from actions_core.redaction import Redactor
from actions_core.runtime.batching import Batch
from actions_core.runtime.outcomes import ItemResult, Outcome, OutcomeRecord, OutcomeSink
from actions_core.runtime.outcomes import outcome_for_exception as _outcome_for
from actions_core.runtime.sinks import CountingSink


class OutcomeRecorder:
    """Counts every outcome and hands records to the sinks, error messages redacted.

    ``keep_events``: whether batches carry their events (some sink wants them in records).
    ``track_pending``: remember the lines recorded ``pending`` (a checkpoint must stay before
    them, and must not call them resolved).
    """

    def __init__(
        self,
        sinks: Sequence[OutcomeSink],
        redactor: Redactor,
        *,
        keep_events: bool,
        track_pending: bool = False,
    ) -> None:
        self._sinks = tuple(sinks)
        self._redact = redactor.redact
        self.keep_records = bool(self._sinks)
        """Whether records are built at all (some sink wants them); else only counts."""
        self.keep_events = keep_events
        self.counts = CountingSink()
        self._pending_lock = threading.Lock()
        self._pending_lines: set[int] | None = set() if track_pending else None

    def pending_lines(self) -> list[int]:
        """The lines recorded ``pending`` so far (when tracked)."""
        with self._pending_lock:
            return list(self._pending_lines or ())

    def _note_pending(self, lines: Iterable[int]) -> None:
        if self._pending_lines is not None:
            with self._pending_lock:
                self._pending_lines.update(lines)

    def new_run(self) -> None:
        """Start counting afresh."""
        self.counts = CountingSink()

    def emit(self, records: list[OutcomeRecord]) -> None:
        """Hand records to the counts and every sink (their errors are redacted already)."""
        self.counts.record(records)
        for sink in self._sinks:
            sink.record(records)

    def count(self, outcome: Outcome, n: int) -> None:
        """Count ``n`` outcomes that need no record (filtered events when no sink wants them)."""
        self.counts.add(outcome, n)

    def result_for(self, exc: Exception) -> ItemResult:
        """An exception's outcome, its message redacted."""
        r = _outcome_for(exc)
        if r.error is None:
            return r
        return ItemResult(r.outcome, r.status, self._redact(r.error), r.error_type)

    def record_batch(
        self,
        batch: Batch,
        results: Sequence[ItemResult] | None,
        attempts: int = 0,
        status: int | None = None,
    ) -> None:
        """A call's results as records (``None``: all delivered); only counts without sinks.
        A delivered record without a status takes the call's last HTTP ``status``."""
        n = len(batch.lines)
        if results is not None and self._pending_lines is not None:
            pending = Outcome.PENDING
            self._note_pending(
                line for line, r in zip(batch.lines, results, strict=True) if r.outcome is pending
            )
        if not self.keep_records:
            if results is None:
                self.counts.add(Outcome.DELIVERED, n)
            else:
                self.counts.add_counts(Counter(r.outcome for r in results))
            return
        name = batch.subscription.name
        events: Sequence[Any] = batch.events if self.keep_events else [None] * n
        if results is None:
            delivered = Outcome.DELIVERED
            records = [
                OutcomeRecord(line, name, delivered, status, None, event, attempts)
                for line, event in zip(batch.lines, events, strict=True)
            ]
        else:
            records = []
            redacted: dict[str, str] = {}  # a batch's events often share one error
            for line, event, r in zip(batch.lines, events, results, strict=True):
                error = r.error
                if error is not None:
                    error = redacted.get(error) or redacted.setdefault(error, self._redact(error))
                code = status if r.status is None and r.outcome is Outcome.DELIVERED else r.status
                records.append(
                    OutcomeRecord(line, name, r.outcome, code, error, event, attempts, r.error_type)
                )
        self.emit(records)


__all__ = ["OutcomeRecorder"]
