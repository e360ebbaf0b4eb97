"""How an event is kept in the queue: compact JSON bytes.

msgspec reads and writes every event as the standard library would (integers beyond 64 bits
included; orjson would turn those into floats), about twice as fast; the standard library,
through :mod:`actions_core.runtime.big_integers`, has the last word on what msgspec refuses
(integers beyond Python's 4,300-digit conversion limit), so every event is queued and
delivered exactly as received.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from actions_core.runtime import big_integers

_ENCODE = msgspec.json.Encoder().encode
_DECODE = msgspec.json.Decoder().decode


def dumps(event: Any) -> bytes:
    """Compact JSON of an event."""
    try:
        return _ENCODE(event)
    except (TypeError, ValueError, OverflowError):
        return big_integers.dumps(event, _standard_dump).encode("utf-8", "surrogatepass")


def loads(body: bytes) -> Any:
    """A queued event back (the inverse of :func:`dumps`)."""
    try:
        return _DECODE(body)
    except (msgspec.DecodeError, ValueError, RecursionError):
        return big_integers.loads(body)


def _standard_dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


__all__ = ["dumps", "loads"]
