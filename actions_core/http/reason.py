"""The destination's own reason for refusing a request, taken from its error response body.

A bare ``400 Bad Request`` tells a user nothing they can act on; the body usually says what
was wrong (LaunchDarkly answers ``{"code": "...", "message": "..."}``). The reason goes into
the error's message, so it reaches the report and the dead letter. It is server-controlled
text: the caller redacts it (before it is cut, so a secret cannot survive half-cut), and it
is bounded, so an HTML error page cannot flood a report.
"""

from __future__ import annotations

import json
from typing import Any

REASON_LIMIT = 500
"""Characters of the destination's reason kept in an error message."""

# Keys an error body commonly names its message with, in the order they are tried.
_MESSAGE_KEYS = ("message", "error_description", "error", "errors", "detail", "title")


def destination_reason(body: str) -> str:
    """The human-readable reason in an error body: a JSON body's ``message`` (or ``error``,
    ``errors[...]``, ``detail``, ...), else the body's text; whitespace collapsed, ``""`` when
    there is none. Not bounded here (see :func:`bounded`)."""
    text = body.strip()
    if not text:
        return ""
    if text[0] in "{[":
        try:
            parsed = json.loads(text)
        except ValueError:
            pass
        else:
            found = _message_in(parsed)
            if found:
                return _collapse(found)
    return _collapse(text)


def bounded(reason: str, limit: int = REASON_LIMIT) -> str:
    """``reason`` cut to ``limit`` characters, marked with ``...`` when cut."""
    return reason if len(reason) <= limit else reason[:limit].rstrip() + "..."


def _message_in(value: Any, depth: int = 0) -> str:
    """The message a parsed JSON body carries, looking a little way into nested errors."""
    if depth > 3:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [_message_in(item, depth + 1) for item in value]
        return "; ".join(p for p in parts if p)
    if isinstance(value, dict):
        for key in _MESSAGE_KEYS:
            if key in value:
                found = _message_in(value[key], depth + 1)
                if found:
                    return found
    return ""


def _collapse(text: str) -> str:
    return " ".join(text.split())


__all__ = ["REASON_LIMIT", "bounded", "destination_reason"]
