"""``--queue URL``: which store holds the queue.

``sqlite:PATH`` (``sqlite:actions-core-data/queue.db``, ``sqlite:///abs/queue.db``) is the
embedded store. ``serve`` also takes ``kafka://`` (docs/kafka.md), which it handles before
asking for a file; the commands that read a store's file (``queue status``, ``dead-letters``)
name the way forward when given one.
"""

from __future__ import annotations

from pathlib import Path

from actions_core.errors import QueueError

DEFAULT_QUEUE = "sqlite:actions-core-data/queue.db"


def sqlite_path(url: str) -> Path:
    """The database file a ``sqlite:`` URL names; :class:`QueueError` for anything else."""
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.lower() != "sqlite":
        if scheme.lower() == "kafka":
            raise QueueError(
                f"--queue {url}: this command reads the embedded sqlite queue; a kafka queue's "
                "events and dead letters are in its topics (docs/kafka.md)"
            )
        raise QueueError(f"--queue {url}: expected sqlite:PATH (for example {DEFAULT_QUEUE})")
    if rest.startswith("//"):  # sqlite:///abs/path or sqlite://rel/path
        rest = rest[2:]
    if not rest or rest.endswith("/"):
        raise QueueError(f"--queue {url}: the sqlite URL names no file")
    return Path(rest)


__all__ = ["DEFAULT_QUEUE", "sqlite_path"]
