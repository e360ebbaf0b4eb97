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
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from actions_core.runtime.outcomes import Outcome, OutcomeRecord

DEAD_LETTER_KEY = "dead_letter"
"""The key that marks a JSON object as a dead-letter entry (its value is the format version)."""

FORMAT_VERSION = 1

DEAD_LETTER_OUTCOMES = frozenset({Outcome.REJECTED, Outcome.FAILED, Outcome.INVALID})
"""Outcomes worth keeping for a replay (``delivered`` is done, ``filtered`` was not wanted)."""


@dataclass(frozen=True, slots=True)
class DeadLetterEntry:
    """A recognised dead-letter line: where the event failed, and the event to send again.

    ``mapping`` is ``None`` for an ``invalid`` entry, whose ``event`` is the raw line text.
    """

    mapping: str | None
    event: Mapping[str, Any] | str
    line: int | None = None
    outcome: str | None = None


def dead_letter_line(record: OutcomeRecord) -> str:
    """The JSON text (no newline) that keeps ``record`` and its event for a replay.

    Values that JSON cannot carry (an event built in code may hold a ``datetime``) are written
    as strings rather than losing the line.
    """
    return json.dumps(
        {
            DEAD_LETTER_KEY: FORMAT_VERSION,
            "line": record.line,
            "mapping": record.mapping,
            "outcome": str(record.outcome),
            "status": record.status,
            "error": record.error,
            "error_type": record.error_type,
            "attempts": record.attempts,
            "event": record.event,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


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
    if not isinstance(event, Mapping | str):
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


__all__ = [
    "DEAD_LETTER_KEY",
    "DEAD_LETTER_OUTCOMES",
    "FORMAT_VERSION",
    "DeadLetterEntry",
    "dead_letter_line",
    "is_dead_letter",
    "parse_entry",
]
