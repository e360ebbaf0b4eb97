"""Which consumed messages have all their outcomes recorded: the offsets a worker may commit.

The engine numbers the lines it is given 1, 2, 3, ... and reports, through the
:class:`~actions_core.runtime.checkpoint.Progress` interface, the first line not yet fully
resolved (every line before it has all of its outcome records, and the sinks, the dead-letter
producer included, have been flushed). The ledger remembers which partition and offset each
line came from, so that this one number becomes a commit point per partition: the offset
after the last message of that partition whose line is below the mark. An offset is thus
committed only when every message before it in its partition has a recorded outcome
(docs/kafka.md, "At least once").

A partition the worker no longer owns (revoked in a rebalance, or lost) is never committed by
it again: its lines stay in the ledger, so line numbers still map, but they commit nothing.
``freeze`` stops the mark for good: after an interruption (a 401, a rate limit that ran out, a
drain that timed out) some lines end without a real outcome, and the next owner must read
them again. What was resolved before still commits: the interruption's records reach the
ledger (through the worker's outcome sink) before the engine can count their lines as
resolved, so no mark saved after the freeze is taken.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import NamedTuple


class Origin(NamedTuple):
    """Where a line came from."""

    partition: int
    offset: int
    key: bytes | None


class OffsetLedger:
    """Line numbers to partitions and offsets, and the commit point of each partition."""

    def __init__(self, first_line: int = 1) -> None:
        self._lock = threading.Lock()
        self._base = first_line  # the line of _lines[0]
        self._lines: deque[tuple[int, int, bytes | None, int]] = deque()
        """(partition, offset, key, the partition's ownership epoch then) per line."""
        self._owned: dict[int, int] = {}  # partition -> epoch while owned
        self._epochs = 0
        self._last_line: dict[int, int] = {}  # partition -> its last line handed out
        self._mark = first_line  # the engine's first unresolved line
        self._frozen: str | None = None

    # -------------------------------------------------------------- ownership

    def assign(self, partitions: list[int]) -> None:
        """The worker now owns ``partitions`` (a new epoch each: lines from an earlier
        ownership of the same partition never commit)."""
        with self._lock:
            for partition in partitions:
                self._epochs += 1
                self._owned[partition] = self._epochs

    def revoke(self, partitions: list[int]) -> None:
        with self._lock:
            for partition in partitions:
                self._owned.pop(partition, None)

    def owns(self, partition: int) -> bool:
        return partition in self._owned

    # -------------------------------------------------------------- lines

    def add(self, partition: int, offset: int, key: bytes | None) -> int:
        """Record the next line's origin; returns its line number."""
        return self.extend([(partition, offset, key)])

    def extend(self, origins: list[tuple[int, int, bytes | None]]) -> int:
        """Record the origins of the next lines (one fetch, one lock); returns the last
        line's number."""
        with self._lock:
            owned = self._owned
            lines = self._lines
            line = self._base + len(lines) - 1
            last = self._last_line
            for partition, offset, key in origins:
                line += 1
                lines.append((partition, offset, key, owned.get(partition, 0)))
                last[partition] = line
            return line

    def origin(self, line: int) -> Origin | None:
        """Where ``line`` came from (``None`` once it was settled or before it was added)."""
        with self._lock:
            index = line - self._base
            if not 0 <= index < len(self._lines):
                return None
            partition, offset, key, _epoch = self._lines[index]
            return Origin(partition, offset, key)

    # -------------------------------------------------------------- the mark

    def resume_from(self) -> int:
        return self._base

    def save(self, next_line: int) -> None:
        """The engine's first unresolved line (called after the sinks were flushed)."""
        with self._lock:
            if self._frozen is None and next_line > self._mark:
                self._mark = next_line

    def freeze(self, reason: str) -> None:
        """Commit nothing more (the first reason is kept)."""
        with self._lock:
            if self._frozen is None:
                self._frozen = reason

    @property
    def frozen(self) -> str | None:
        return self._frozen

    def resolved(self, partitions: list[int]) -> bool:
        """Whether every line of ``partitions`` handed out so far is resolved."""
        with self._lock:
            return all(self._last_line.get(p, 0) < self._mark for p in partitions)

    def settle(self) -> dict[int, int]:
        """Forget the lines below the mark; returns the offset to commit per owned partition
        that moved on (one past its last resolved message)."""
        commits: dict[int, int] = {}
        with self._lock:
            lines, owned = self._lines, self._owned
            count = min(self._mark - self._base, len(lines))
            for _ in range(max(0, count)):
                partition, offset, _key, epoch = lines.popleft()
                if epoch and owned.get(partition) == epoch:
                    commits[partition] = offset + 1
            self._base += max(0, count)
        return commits


__all__ = ["OffsetLedger", "Origin"]
