"""Test events: :func:`create_test_event`, the reference's ``createTestEvent``.

The defaults are the reference's, value for value (a track event from ``user1234`` with a
full browser ``context``), so a mapping tested here sees what it sees under Segment's
harness. Unlike the reference, :class:`~actions_core.testing.TestIntegration` does NOT wrap
the events it is given in these defaults: call this function yourself when you want them.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final


class _Absent:
    """The type of :data:`ABSENT`."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Final[Any] = _Absent()
"""An override value that removes a default key from the test event.

The reference spells this ``createTestEvent({properties: undefined})``; JSON and Python have
no ``undefined``, and ``None`` is a real value (``properties: null``), hence a sentinel:
``create_test_event(type="identify", properties=ABSENT)`` is an identify event with no
``properties`` key at all.
"""

# The reference's defaults (actions-core 3.170.0, create-test-event.js), in its key order.
_CONTEXT: Final[Mapping[str, Any]] = {
    "ip": "8.8.8.8",
    "library": {"name": "analytics.js", "version": "2.11.1"},
    "locale": "en-US",
    "location": {
        "city": "San Francisco",
        "country": "United States",
        "latitude": 40.2964197,
        "longitude": -76.9411617,
        "speed": 0,
    },
    "page": {
        "path": "/academy/",
        "referrer": "",
        "search": "",
        "title": "Analytics Academy",
        "url": "https://segment.com/academy/",
    },
    "timezone": "Europe/Amsterdam",
    "userAgent": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 9_1 like Mac OS X) AppleWebKit/601.1.46 "
        "(KHTML, like Gecko) Version/9.0 Mobile/13B143 Safari/601.1"
    ),
}


def iso_timestamp(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as JavaScript's ``toISOString()`` writes it:
    UTC, milliseconds, ``Z`` (``2021-02-01T00:00:00.000Z``)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def create_test_event(overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """A track event with the reference's defaults, shallow-merged with the overrides.

    ``overrides`` and keyword arguments are merged in that order (keywords win); a value of
    :data:`ABSENT` removes the key. The merge is shallow like the reference's: ``context={...}``
    replaces the whole default context. Every call returns fresh objects (a new
    ``messageId``, the current time in ``timestamp``/``sentAt``/``receivedAt``), so a test may
    mutate its event freely.
    """
    now = iso_timestamp()
    event: dict[str, Any] = {
        "anonymousId": "anonId1234",
        "context": copy.deepcopy(dict(_CONTEXT)),
        "event": "Test Event",
        "messageId": str(uuid.uuid4()),
        "properties": {},
        "receivedAt": now,
        "sentAt": now,
        "timestamp": now,
        "traits": {},
        "type": "track",
        "userId": "user1234",
    }
    for source in (overrides or {}, kwargs):
        for key, value in source.items():
            if value is ABSENT:
                event.pop(key, None)
            else:
                event[key] = value
    return event


__all__ = ["ABSENT", "create_test_event", "iso_timestamp"]
