"""The queue's one writer: a thread that commits every write, many requests per commit.

SQLite allows one writer at a time and a durable commit costs an fsync, so concurrent intake
requests, delivery's progress and outcomes all go through this thread: it takes every job
waiting, runs them in ONE transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``) and only then tells
each job it is done (group commit). A request is therefore acknowledged only once its events
are on disk, and a burst of requests shares one fsync. If the commit fails (a full disk),
every job of the group is told so and nothing of it is kept.

Jobs run in submission order, so outcomes and dead letters submitted before a resolve are
committed no later than it: an event is never deleted before its outcome is kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from actions_core.queue import store

DEDUP_WINDOW = 24 * 3600.0
"""Seconds a ``messageId`` is remembered (a resent batch within it is not queued again)."""

MAINTENANCE_INTERVAL = 1.0

Done = Callable[[Any, BaseException | None], None]
"""Called on the writer thread after the commit: ``(result, None)`` or ``(None, error)``."""


@dataclass
class _Job:
    apply: Callable[[sqlite3.Connection], Any]
    done: Done | None = None
    committed: Callable[[Any], None] | None = None  # writer-side bookkeeping after the commit
    result: Any = field(default=None)


_STOP = _Job(lambda conn: None)


class Writer:
    """Owns the write connection of the queue at ``path`` (created with its folder)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        dedup_window: float = DEDUP_WINDOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = os.fspath(path)
        self._conn = store.connect(path)
        self._clock = clock
        self._window = dedup_window
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._changed = threading.Condition()
        self._version = 0  # bumped by every commit that queued events
        self.depth = store.depth_estimate(self._conn)
        """Pending events (kept by this thread; read anywhere for back-pressure)."""
        self.commits = 0
        self.error: BaseException | None = None
        """The last commit's error, or ``None`` once a commit succeeds again."""
        self._thread = threading.Thread(target=self._loop, name="queue-writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ jobs

    def append(self, message_ids: Sequence[str], bodies: Sequence[bytes], done: Done) -> None:
        """Queue events (not those whose message id was seen within the window); ``done``
        gets how many were queued, once they are durable."""

        def apply(conn: sqlite3.Connection) -> int:
            return store.append(conn, message_ids, bodies, self._clock())

        self._jobs.put(_Job(apply, done, self._queued))

    def requeue(self, bodies: Sequence[bytes], done: Done | None = None) -> None:
        def apply(conn: sqlite3.Connection) -> int:
            return store.requeue(conn, bodies, self._clock())

        self._jobs.put(_Job(apply, done, self._queued))

    def resolve_through(self, seq: int) -> None:
        """Every event up to ``seq`` has its outcomes kept: remove them from the queue."""

        def apply(conn: sqlite3.Connection) -> int:
            return store.resolve_through(conn, seq)

        self._jobs.put(_Job(apply, None, self._resolved))

    def add_outcomes(
        self, counts: dict[tuple[str, str], int], dead_letters: Sequence[tuple[str, str]]
    ) -> None:
        def apply(conn: sqlite3.Connection) -> None:
            store.add_outcomes(conn, counts, dead_letters, self._clock())

        self._jobs.put(_Job(apply))

    def sync(self, timeout: float | None = None) -> bool:
        """Wait until every job submitted before has been committed (or failed)."""
        event = threading.Event()
        self._jobs.put(_Job(lambda conn: None, lambda result, error: event.set()))
        return event.wait(timeout)

    def wait_for_events(self, version: int, timeout: float) -> int:
        """Block until a commit queues events after ``version`` (or ``timeout``); the new
        version. Delivery calls this when it has read everything."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != version, timeout)
            return self._version

    @property
    def version(self) -> int:
        with self._changed:
            return self._version

    def close(self, timeout: float = 30.0) -> None:
        """Commit what was submitted, then stop."""
        if self._thread.is_alive():
            self._jobs.put(_STOP)
            self._thread.join(timeout)
        if not self._thread.is_alive():
            self._conn.close()

    # ------------------------------------------------------------------ the thread

    def _queued(self, count: int) -> None:
        if count:
            self.depth += count
            with self._changed:
                self._version += 1
                self._changed.notify_all()

    def _resolved(self, count: int) -> None:
        self.depth = max(0, self.depth - count)

    def _loop(self) -> None:
        next_maintenance = 0.0
        while True:
            try:
                first = self._jobs.get(timeout=MAINTENANCE_INTERVAL)
            except queue.Empty:
                first = None
            group: list[_Job] = [] if first is None else [first]
            while True:
                try:
                    group.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            stop = any(job is _STOP for job in group)
            now = time.monotonic()
            if now >= next_maintenance:
                next_maintenance = now + MAINTENANCE_INTERVAL
                group.append(_Job(self._maintain, None, self._set_depth))
            self._commit([job for job in group if job is not _STOP])
            if stop:
                return

    def _maintain(self, conn: sqlite3.Connection) -> int:
        store.forget_seen_before(conn, self._clock() - self._window)
        return store.depth_estimate(conn)  # also counts what other processes queued

    def _set_depth(self, depth: int) -> None:
        self.depth = depth

    def _commit(self, group: list[_Job]) -> None:
        if not group:
            return
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in group:
                job.result = job.apply(conn)
            conn.execute("COMMIT")
        except Exception as exc:  # a full disk, or a bug: the jobs hear of it, the thread lives
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            self.error = exc
            for job in group:
                if job.done is not None:
                    _call(job.done, None, exc)
            return
        self.error = None
        self.commits += 1
        for job in group:
            if job.committed is not None:
                job.committed(job.result)
            if job.done is not None:
                _call(job.done, job.result, None)


def _call(done: Done, result: Any, error: BaseException | None) -> None:
    """Tell a job's submitter; its own failure must not stop the writer for everyone."""
    try:
        done(result, error)
    except Exception:  # pragma: no cover - a callback bug; the job's submitter times out
        logging.getLogger(__name__).exception("a queue job's callback failed")


__all__ = ["DEDUP_WINDOW", "Done", "Writer"]
