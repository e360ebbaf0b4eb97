"""The dead-letter line: how an event that did not get through is kept, and recognised again.

A dead-letter file holds one JSON object per ``rejected``, ``failed`` or ``invalid`` record::

    {"dead_letter": 1, "line": 7, "mapping": "Sync audiences", "outcome": "failed",
     "status": 503, "error": "503 Service Unavailable (gave up after 5 attempts)",
     "error_type": "HTTP_ERROR", "attempts": 5, "event": {...the original event...}}

The file is itself valid input. When the engine reads such a line it does not run the
triggers: it sends ``event`` again to the mapping named in ``mapping`` only (the one it failed
for; the others already had their outcome). An ``invalid`` entry carries the raw input line as
a string in ``event`` and replays as that line. Fix the cause (credentials, a mapping, the
data) and replay the file to deliver what was left behind.

The event is kept exactly as it was read, never rewritten (docs: README, "Outcomes, dead
letters and resuming"). Two kinds of event cannot be written as readable JSON text and are
kept base64-encoded in ``raw_b64`` instead, with ``"event": null``:

* an invalid line whose bytes are not UTF-8: ``raw_b64`` holds the bytes as read, so a replay
  reads the very same bytes and records ``invalid`` again;
* an event or line that contains a secret (a ``password`` setting such as the API token, even
  by chance inside a user id): secrets never appear in a file as text, and masking them would
  change the data a replay sends. ``raw_b64`` holds the line (an invalid one) or the event's
  JSON text (UTF-8). Base64 only keeps the secret out of sight (of a ``grep``, a shared
  screen): protect a dead-letter file as you protect the input it came from.

Only ``error`` (a message) is redacted.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from actions_core.redaction import NO_SECRETS, Redactor
from actions_core.runtime import big_integers
from actions_core.runtime.outcomes import Outcome, OutcomeRecord

DEAD_LETTER_KEY = "dead_letter"
"""The key that marks a JSON object as a dead-letter entry (its value is the format version)."""

FORMAT_VERSION = 1

RAW_KEY = "raw_b64"
"""The key of an event kept base64-encoded (bytes that are not UTF-8, or data with a secret)."""

DEAD_LETTER_OUTCOMES = frozenset(
    {Outcome.REJECTED, Outcome.FAILED, Outcome.INVALID, Outcome.PENDING}
)
"""Outcomes worth keeping for a replay (``delivered`` is done, ``filtered`` was not wanted)."""


@dataclass(frozen=True, slots=True)
class DeadLetterEntry:
    """A recognised dead-letter line: where the event failed, and the event to send again.

    ``mapping`` is ``None`` for an ``invalid`` entry, whose ``event`` is the raw line (text, or
    bytes when it was kept base64-encoded).
    """

    mapping: str | None
    event: Mapping[str, Any] | str | bytes
    line: int | None = None
    outcome: str | None = None


def dead_letter_line(record: OutcomeRecord, redactor: Redactor = NO_SECRETS) -> str:
    """The JSON text (no newline) that keeps ``record`` and its event for a replay; ``error``
    is redacted, the event never is (it goes to ``raw_b64`` when it holds a secret).

    Values that JSON cannot carry (an event built in code may hold a ``datetime``) are written
    as strings rather than losing the line; integers of any length are written as read.
    """
    entry: dict[str, Any] = {
        DEAD_LETTER_KEY: FORMAT_VERSION,
        "line": record.line,
        "mapping": record.mapping,
        "outcome": str(record.outcome),
        "status": record.status,
        "error": None if record.error is None else redactor.redact(record.error),
        "error_type": record.error_type,
        "attempts": record.attempts,
        "event": record.event,
    }
    event = record.event
    raw: bytes | None = None
    if isinstance(event, bytes):
        raw = event
    elif isinstance(event, str):
        if redactor.contains(event):
            raw = event.encode("utf-8", "surrogatepass")
    elif event is not None and redactor:
        text = big_integers.dumps(event, _dump)
        if redactor.contains(text):
            raw = text.encode("utf-8", "surrogatepass")
    if raw is not None:
        entry["event"] = None
        entry[RAW_KEY] = base64.b64encode(raw).decode("ascii")
    return big_integers.dumps(entry, _dump)


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)


def is_dead_letter(obj: Mapping[str, Any]) -> bool:
    """Whether a parsed input object is a dead-letter entry rather than an event.

    Cheap enough for the per-event path: one dict lookup for ordinary events.
    """
    return obj.get(DEAD_LETTER_KEY) == FORMAT_VERSION and "event" in obj


def parse_entry(obj: Mapping[str, Any]) -> DeadLetterEntry:
    """Read a dead-letter entry (``is_dead_letter(obj)`` is true); ``ValueError`` names what
    is malformed, so the line can be recorded as ``invalid`` with a reason."""
    event = obj.get("event")
    mapping = obj.get("mapping")
    if event is None and RAW_KEY in obj:
        event = _raw_event(obj[RAW_KEY], mapping)
    if not isinstance(event, Mapping | str | bytes):
        raise ValueError("dead-letter entry: 'event' must be an object or a string")
    if isinstance(event, Mapping) and not isinstance(mapping, str):
        raise ValueError("dead-letter entry: 'mapping' must name the mapping the event failed for")
    line = obj.get("line")
    outcome = obj.get("outcome")
    return DeadLetterEntry(
        mapping if isinstance(mapping, str) else None,
        event,
        line if isinstance(line, int) else None,
        outcome if isinstance(outcome, str) else None,
    )


def _raw_event(encoded: Any, mapping: Any) -> Mapping[str, Any] | bytes:
    """The event kept in ``raw_b64``: the line's bytes, or (for a mapping) the event object."""
    try:
        raw = base64.b64decode(str(encoded), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"dead-letter entry: '{RAW_KEY}' is not base64") from None
    if not isinstance(mapping, str):
        return raw
    try:
        event = big_integers.loads(raw)
    except (ValueError, RecursionError):
        raise ValueError(f"dead-letter entry: '{RAW_KEY}' does not hold a JSON event") from None
    if not isinstance(event, Mapping):
        raise ValueError(f"dead-letter entry: '{RAW_KEY}' does not hold a JSON object")
    return event


__all__ = [
    "DEAD_LETTER_KEY",
    "DEAD_LETTER_OUTCOMES",
    "FORMAT_VERSION",
    "RAW_KEY",
    "DeadLetterEntry",
    "dead_letter_line",
    "is_dead_letter",
    "parse_entry",
]
