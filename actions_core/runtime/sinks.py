"""Outcome sinks: where the engine's per-event records go.

* :class:`CountingSink` counts per outcome; the engine always keeps one (the run summary).
* :class:`ReportWriter` writes one JSON line per record: the run's audit trail.
* :class:`DeadLetterWriter` keeps every ``rejected``/``failed``/``invalid`` record with its
  event, in the format :mod:`actions_core.runtime.dead_letter` can replay.
* :class:`CollectingSink` keeps records in memory, for tests and the test harness.

A sink may set ``wants_events = False`` when it never reads ``OutcomeRecord.event``: when no
sink wants them, the engine does not keep events alive while their batch waits.

Records arrive from several threads (the reader and the engine's workers), so every sink
takes its own lock once per :meth:`record` call, never per record. Writers do not flush on
every call: the engine calls :meth:`flush` periodically and always before it saves a
checkpoint, so a checkpoint never gets ahead of what the files hold. A write or flush that
fails (a full disk) raises :class:`OutputWriteError`, which names the file.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import IO

from actions_core.errors import OutputWriteError
from actions_core.redaction import NO_SECRETS, Redactor
from actions_core.runtime.dead_letter import DEAD_LETTER_OUTCOMES, dead_letter_line
from actions_core.runtime.outcomes import Outcome, OutcomeRecord


class CountingSink:
    """Counts records per outcome; also takes counts directly (:meth:`add`) so the engine can
    count an all-delivered batch without building a record per event."""

    wants_events = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[Outcome, int] = dict.fromkeys(Outcome, 0)

    def record(self, records: Sequence[OutcomeRecord]) -> None:
        with self._lock:
            counts = self._counts
            for record in records:
                counts[record.outcome] += 1

    def add(self, outcome: Outcome, count: int = 1) -> None:
        with self._lock:
            self._counts[outcome] += count

    def add_counts(self, counts: Mapping[Outcome, int]) -> None:
        with self._lock:
            for outcome, count in counts.items():
                self._counts[outcome] += count

    @property
    def counts(self) -> dict[Outcome, int]:
        """A snapshot: every outcome, zeros included."""
        with self._lock:
            return dict(self._counts)



class ReportWriter:
    """One compact JSON line per record:
    ``{"line":3,"mapping":"Sync","outcome":"delivered","status":204,"error":null}``.

    The engine has already redacted every error message; the file is not closed here (the
    caller opened it).
    """

    wants_events = False

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self._lock = threading.Lock()
        self._names: dict[str | None, str] = {None: "null"}

    def record(self, records: Sequence[OutcomeRecord]) -> None:
        text = "".join([self._line(r) for r in records])
        with self._lock:
            try:
                self._file.write(text)
            except OSError as exc:
                raise OutputWriteError.wrap(exc, "report", self._file) from exc

    def _line(self, r: OutcomeRecord) -> str:
        # Hand-formatted because a report can hold millions of lines; only the free texts
        # (mapping name, error) need JSON encoding, and mapping names repeat, so cache them.
        name = self._names.get(r.mapping)
        if name is None:
            name = self._names[r.mapping] = json.dumps(r.mapping, ensure_ascii=False)
        status = "null" if r.status is None else str(r.status)
        error = "null" if r.error is None else json.dumps(r.error, ensure_ascii=False)
        return (
            f'{{"line":{r.line},"mapping":{name},"outcome":"{r.outcome.value}",'
            f'"status":{status},"error":{error}}}\n'
        )

    def flush(self) -> None:
        with self._lock:
            try:
                self._file.flush()
            except OSError as exc:
                raise OutputWriteError.wrap(exc, "report", self._file) from exc


class DeadLetterWriter:
    """Keeps every ``rejected``, ``failed`` and ``invalid`` record as a replayable line.

    The line holds the original event exactly as read, which may itself contain a secret (a
    token pasted into a property, or one that happens to occur inside a user id). Redaction
    never rewrites it (a replay would send the masked value): with a ``redactor``, errors are
    redacted and an event holding a secret is kept base64-encoded
    (:func:`~actions_core.runtime.dead_letter.dead_letter_line`).
    """

    def __init__(self, file: IO[str], *, redactor: Redactor | None = None) -> None:
        self._file = file
        self._redactor = redactor or NO_SECRETS
        self._lock = threading.Lock()

    def record(self, records: Sequence[OutcomeRecord]) -> None:
        redactor = self._redactor
        lines = [
            dead_letter_line(r, redactor) for r in records if r.outcome in DEAD_LETTER_OUTCOMES
        ]
        if not lines:
            return
        text = "\n".join(lines) + "\n"
        with self._lock:
            try:
                self._file.write(text)
            except OSError as exc:
                raise OutputWriteError.wrap(exc, "dead-letter file", self._file) from exc

    def flush(self) -> None:
        with self._lock:
            try:
                self._file.flush()
            except OSError as exc:
                raise OutputWriteError.wrap(exc, "dead-letter file", self._file) from exc


class CollectingSink:
    """Keeps every record in memory (tests, the test harness)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[OutcomeRecord] = []

    def record(self, records: Sequence[OutcomeRecord]) -> None:
        with self._lock:
            self._records.extend(records)

    @property
    def records(self) -> list[OutcomeRecord]:
        """A copy, in arrival order (which is not input order across batches)."""
        with self._lock:
            return list(self._records)

    def sorted(self) -> list[OutcomeRecord]:
        """The records in input order (by line, then mapping name)."""
        return sorted(self.records, key=lambda r: (r.line, r.mapping or ""))

    def outcomes(self) -> dict[Outcome, int]:
        counts: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
        for record in self.records:
            counts[record.outcome] += 1
        return counts


__all__ = [
    "CollectingSink", "CountingSink", "DeadLetterWriter", "ReportWriter"
]
