"""The embedded durable queue: one SQLite file that holds what ``serve`` acknowledged.

Tables (docs/serve.md, "The data folder"):

* ``events``: every acknowledged event not yet resolved, in arrival order (``seq`` is an
  AUTOINCREMENT key, so it only grows, even after the table was emptied). A row is deleted
  once the engine has recorded every outcome of its event: a row present is pending.
* ``seen``: the ``messageId`` of every event accepted within the de-duplication window, so a
  batch a client sends again (it lost our answer) is acknowledged without being queued twice.
* ``outcomes``: counts per mapping and outcome, for ``queue status``.
* ``dead_letters``: one replayable dead-letter line per (event, mapping) that was rejected,
  failed or invalid, keyed so that an event dead-lettered twice (delivered again after a
  crash) is kept once.

Durability: WAL with ``synchronous=FULL``, so a commit is on disk (the WAL is fsync'd) before
``serve`` answers 200; ``NORMAL`` would survive ``kill -9`` but may lose the last commits on a
power cut. Every write goes through ONE connection (:class:`~actions_core.queue.writer.Writer`),
one transaction per group of requests; readers use their own connections (WAL lets them read
while the writer writes).

This module holds the schema and the statements; it does not start threads.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from actions_core.errors import QueueError

SCHEMA_VERSION = "1"
BUSY_TIMEOUT_MS = 30_000
"""How long a connection waits for another's write lock (a CLI command while serve runs)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    received REAL NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (message_id TEXT NOT NULL UNIQUE, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS outcomes (
    mapping TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (mapping, outcome)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dead_letters (
    key TEXT PRIMARY KEY,
    at REAL NOT NULL,
    line TEXT NOT NULL
);
"""

SQL_PARAMS = 500
"""Message ids looked up per ``IN (...)`` query (well under SQLite's variable limit)."""


@dataclass(frozen=True)
class QueueStatus:
    """What ``actions-core queue status`` shows."""

    depth: int
    oldest_age: float | None
    outcomes: dict[tuple[str, str], int]
    dead_letters: int
    bytes_on_disk: int


def connect(path: str | os.PathLike[str], *, create: bool = True) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, ``synchronous=FULL``.

    ``create=False`` refuses a file that does not exist (the CLI's status and dead-letter
    commands must not make an empty queue where the user mistyped a path)."""
    file = Path(path)
    if not create and not file.exists():
        raise QueueError(f"{file}: no queue here (the file does not exist)")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(file, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise QueueError(f"{file}: cannot use write-ahead logging (journal mode {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.executescript(_SCHEMA)
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
        )
        (version,) = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.Error as exc:
        raise QueueError(f"{file}: cannot open the queue: {exc}") from exc
    except OSError as exc:
        raise QueueError(f"{file}: cannot open the queue: {exc.strerror or exc}") from exc
    if version != SCHEMA_VERSION:
        conn.close()
        raise QueueError(f"{file}: queue schema {version} is not supported (expected {SCHEMA_VERSION})")
    return conn


# ------------------------------------------------------------------------------ writes
# (called by the writer thread, inside its transaction)


def append(
    conn: sqlite3.Connection, message_ids: Sequence[str], bodies: Sequence[bytes], now: float
) -> int:
    """Queue the events whose message id was not seen before; how many were queued."""
    seen: set[str] = set()
    for start in range(0, len(message_ids), SQL_PARAMS):
        chunk = message_ids[start : start + SQL_PARAMS]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT message_id FROM seen WHERE message_id IN ({marks})"
        seen.update(row[0] for row in conn.execute(query, chunk))
    fresh_ids: list[tuple[str, float]] = []
    fresh: list[tuple[float, bytes]] = []
    for message_id, body in zip(message_ids, bodies, strict=True):
        if message_id in seen:
            continue
        seen.add(message_id)  # twice in one request: the first wins
        fresh_ids.append((message_id, now))
        fresh.append((now, body))
    conn.executemany("INSERT INTO seen (message_id, at) VALUES (?, ?)", fresh_ids)
    conn.executemany("INSERT INTO events (received, body) VALUES (?, ?)", fresh)
    return len(fresh)


def requeue(conn: sqlite3.Connection, bodies: Iterable[bytes], now: float) -> int:
    """Queue bodies without de-duplication (a dead-letter replay); how many."""
    rows = [(now, body) for body in bodies]
    conn.executemany("INSERT INTO events (received, body) VALUES (?, ?)", rows)
    return len(rows)


def resolve_through(conn: sqlite3.Connection, seq: int) -> int:
    """Every event up to ``seq`` has its outcomes recorded: delete them; how many."""
    return conn.execute("DELETE FROM events WHERE seq <= ?", (seq,)).rowcount


def add_outcomes(
    conn: sqlite3.Connection,
    counts: dict[tuple[str, str], int],
    dead_letters: Sequence[tuple[str, str]],
    now: float,
) -> None:
    """Add outcome counts; keep dead-letter lines (``(key, line)``; a key kept already is
    replaced by its latest line)."""
    conn.executemany(
        "INSERT INTO outcomes (mapping, outcome, count) VALUES (?, ?, ?) "
        "ON CONFLICT (mapping, outcome) DO UPDATE SET count = count + excluded.count",
        [(mapping, outcome, n) for (mapping, outcome), n in counts.items()],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO dead_letters (key, at, line) VALUES (?, ?, ?)",
        [(key, now, line) for key, line in dead_letters],
    )


def forget_seen_before(conn: sqlite3.Connection, cutoff: float, limit: int = 5000) -> int:
    """Forget message ids accepted before ``cutoff``, oldest first, at most ``limit`` (rows
    are in time order, so only the table's head is read); how many."""
    return conn.execute(
        "DELETE FROM seen WHERE rowid IN (SELECT rowid FROM seen ORDER BY rowid LIMIT ?) "
        "AND at < ?",
        (limit, cutoff),
    ).rowcount


def take_dead_letters(conn: sqlite3.Connection) -> list[str]:
    """Remove every dead-letter line and give them (a replay queues them again)."""
    lines = [row[0] for row in conn.execute("SELECT line FROM dead_letters ORDER BY at, key")]
    conn.execute("DELETE FROM dead_letters")
    return lines


# ------------------------------------------------------------------------------ reads


def read_after(conn: sqlite3.Connection, seq: int, limit: int) -> list[tuple[int, bytes]]:
    """Up to ``limit`` pending events after ``seq``, in order."""
    return conn.execute(
        "SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
    ).fetchall()


def depth_estimate(conn: sqlite3.Connection) -> int:
    """Pending events, from the first and last ``seq`` (two index look-ups; exact unless a
    rolled-back write left a gap, which only makes it high)."""
    low, high = conn.execute("SELECT min(seq), max(seq) FROM events").fetchone()
    return 0 if low is None else high - low + 1


def oldest_received(conn: sqlite3.Connection) -> float | None:
    """When the oldest pending event was received (epoch seconds), or ``None``."""
    row = conn.execute("SELECT received FROM events ORDER BY seq LIMIT 1").fetchone()
    return None if row is None else float(row[0])


def dead_letter_lines(conn: sqlite3.Connection) -> Iterator[str]:
    """Every dead-letter line, oldest first."""
    for (line,) in conn.execute("SELECT line FROM dead_letters ORDER BY at, key"):
        yield line


def bytes_on_disk(path: str | os.PathLike[str]) -> int:
    """The database file and its WAL and shared-memory files."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            total += os.stat(f"{os.fspath(path)}{suffix}").st_size
    return total


def status(conn: sqlite3.Connection, path: str | os.PathLike[str]) -> QueueStatus:
    """Exact figures (a full count: for the CLI, not for every request)."""
    (depth,) = conn.execute("SELECT count(*) FROM events").fetchone()
    oldest = oldest_received(conn)
    outcomes = {
        (mapping, outcome): count
        for mapping, outcome, count in conn.execute(
            "SELECT mapping, outcome, count FROM outcomes ORDER BY mapping, outcome"
        )
    }
    (dead,) = conn.execute("SELECT count(*) FROM dead_letters").fetchone()
    age = None if oldest is None else max(0.0, time.time() - oldest)
    return QueueStatus(depth, age, outcomes, dead, bytes_on_disk(path))


__all__ = [
    "QueueStatus",
    "add_outcomes",
    "append",
    "bytes_on_disk",
    "connect",
    "dead_letter_lines",
    "depth_estimate",
    "forget_seen_before",
    "oldest_received",
    "read_after",
    "requeue",
    "resolve_through",
    "status",
    "take_dead_letters",
]
