"""Lifecycle logs: one JSON object per line on stderr (start, pause and its reason, resume,
drain, stop, errors). Callers pass only values that hold no secret; every message goes
through the instance's redactor too, as defence in depth."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

import orjson


class LifecycleLog:
    def __init__(
        self, stream: IO[str] | None = None, redact: Callable[[str], str] = lambda text: text
    ) -> None:
        self._stream = stream
        self._redact = redact
        self._lock = threading.Lock()

    def __call__(self, event: str, level: str = "info", **fields: Any) -> None:
        record = {"ts": round(time.time(), 3), "level": level, "event": event, **fields}
        line = self._redact(orjson.dumps(record, default=str).decode()) + "\n"
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(line)
            stream.flush()


__all__ = ["LifecycleLog"]
