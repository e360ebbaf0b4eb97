"""The embedded queue (:mod:`actions_core.queue`): de-duplication, resolution, durability
settings and the ``--queue`` URL."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from actions_core.errors import QueueError
from actions_core.queue import store
from actions_core.queue.url import sqlite_path
from actions_core.queue.writer import Writer


def append(writer: Writer, ids: list[str]) -> int:
    done = threading.Event()
    result: list[Any] = []

    def finished(count: Any, error: BaseException | None) -> None:
        result.append(error or count)
        done.set()

    writer.append(ids, [b'{"type":"track","messageId":"%s"}' % i.encode() for i in ids], finished)
    assert done.wait(30)
    assert isinstance(result[0], int), result[0]
    return result[0]


@pytest.fixture
def writer(tmp_path: Path) -> Any:
    w = Writer(tmp_path / "data" / "queue.db")
    yield w
    w.close()


def test_the_queue_is_durable_wal_with_full_sync(writer: Writer) -> None:
    conn = store.connect(writer.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_message_id_seen_within_the_window_is_not_queued_again(writer: Writer) -> None:
    assert append(writer, ["a", "b"]) == 2
    assert append(writer, ["b", "c", "c"]) == 1
    conn = store.connect(writer.path)
    assert [row[0] for row in store.read_after(conn, 0, 10)] == [1, 2, 3]


def test_a_message_id_is_forgotten_after_the_window(tmp_path: Path) -> None:
    now = [1000.0]
    writer = Writer(tmp_path / "q.db", dedup_window=60.0, clock=lambda: now[0])
    try:
        append(writer, ["a"])
        conn = store.connect(writer.path)
        conn.execute("BEGIN IMMEDIATE")
        assert store.forget_seen_before(conn, now[0] + 61 - 60) == 1
        conn.execute("COMMIT")
        assert append(writer, ["a"]) == 1
    finally:
        writer.close()


def test_resolved_events_leave_the_queue_and_sequence_numbers_keep_growing(writer: Writer) -> None:
    append(writer, ["a", "b", "c"])
    writer.resolve_through(2)
    assert writer.sync(30)
    writer.resolve_through(3)
    append(writer, ["d"])
    conn = store.connect(writer.path)
    assert store.read_after(conn, 0, 10)[0][0] == 4
    assert writer.depth == 1


def test_a_queue_url_other_than_sqlite_is_refused_with_the_way_forward() -> None:
    with pytest.raises(QueueError, match="a kafka queue's events and dead letters are in its topics"):
        sqlite_path("kafka://broker:9092/events")
    with pytest.raises(QueueError, match="expected sqlite:PATH"):
        sqlite_path("queue.db")
    assert sqlite_path("sqlite:///tmp/q.db") == Path("/tmp/q.db")
    assert sqlite_path("sqlite:data/q.db") == Path("data/q.db")


def test_status_of_a_missing_queue_is_an_error_not_a_new_queue(tmp_path: Path) -> None:
    with pytest.raises(QueueError, match="no queue here"):
        store.connect(tmp_path / "nothing.db", create=False)
    assert not (tmp_path / "nothing.db").exists()
