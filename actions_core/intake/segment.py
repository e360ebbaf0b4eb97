"""Segment's HTTP Tracking API bodies, to the events ``serve`` queues (docs/serve.md).

* ``POST /v1/batch``: ``{"batch": [...], "context": ..., "integrations": ..., "sentAt": ...}``;
  the batch's ``context`` and ``integrations`` are merged into each event (the event's own
  keys win), as Segment does.
* ``POST /v1/identify|track|page|screen|group|alias``: one event; the path gives ``type``
  when the event has none.

Each event gets a ``messageId`` when it has none and ``receivedAt`` (now, ISO 8601 UTC);
``writeKey`` never reaches the queue. Limits are Segment's: 32 KB per event (its compact
JSON as sent), 500 KB per request. A problem raises :class:`IntakeError` naming what and where;
nothing of a refused request is queued.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from actions_core.errors import IntakeError
from actions_core.queue.codec import dumps, loads

MAX_EVENT_BYTES = 32 * 1024
MAX_REQUEST_BYTES = 500 * 1024
EVENT_TYPES = ("identify", "track", "page", "screen", "group", "alias")


@dataclass(frozen=True, slots=True)
class Accepted:
    """A request's events, ready to queue: their message ids and compact JSON bodies."""

    message_ids: list[str]
    bodies: list[bytes]
    write_key: str | None
    """The body's ``writeKey`` (the request may authenticate with it)."""


def parse_body(raw: bytes) -> Any:
    """The request's JSON; 400 naming the line and column when it is not JSON (the standard
    parser has the last word and words the error)."""
    try:
        return loads(raw)
    except (ValueError, RecursionError) as exc:
        raise IntakeError(400, f"request body: invalid JSON: {exc}") from None


def now_iso() -> str:
    """Segment's timestamp format: ``2024-05-01T10:00:00.123Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def accept_batch(body: Any, received_at: str, new_id: Callable[[], str] | None = None) -> Accepted:
    """A ``/v1/batch`` body's events."""
    if not isinstance(body, dict):
        raise IntakeError(400, f"request body: expected a JSON object, got {_kind(body)}")
    batch = body.get("batch")
    if not isinstance(batch, list):
        raise IntakeError(400, "request body: 'batch' must be an array of events")
    context, integrations = body.get("context"), body.get("integrations")
    sent_at = body.get("sentAt")
    ids: list[str] = []
    bodies: list[bytes] = []
    for i, item in enumerate(batch):
        where = f"batch[{i}]"
        if not isinstance(item, dict):
            raise IntakeError(400, f"{where}: expected an event object, got {_kind(item)}")
        original = dict(item)  # its size is checked only when the stored event is too big
        if isinstance(context, dict):
            own = item.get("context")
            item["context"] = {**context, **own} if isinstance(own, dict) else dict(context)
        if isinstance(integrations, dict):
            own = item.get("integrations")
            item["integrations"] = (
                {**integrations, **own} if isinstance(own, dict) else dict(integrations)
            )
        if sent_at is not None and "sentAt" not in item:
            item["sentAt"] = sent_at
        message_id, data = _finish(item, None, where, received_at, new_id)
        if len(data) > MAX_EVENT_BYTES:
            _check_size(original, where)
        ids.append(message_id)
        bodies.append(data)
    return Accepted(ids, bodies, _write_key(body))


def accept_single(
    body: Any, kind: str, received_at: str, new_id: Callable[[], str] | None = None
) -> Accepted:
    """A ``/v1/{kind}`` body: one event."""
    if not isinstance(body, dict):
        raise IntakeError(400, f"request body: expected an event object, got {_kind(body)}")
    original = dict(body)
    key = _write_key(body)
    message_id, data = _finish(body, kind, "request body", received_at, new_id)
    if len(data) > MAX_EVENT_BYTES:
        _check_size(original, "request body")
    return Accepted([message_id], [data], key)


def _finish(
    event: dict[str, Any],
    kind: str | None,
    where: str,
    received_at: str,
    new_id: Callable[[], str] | None,
) -> tuple[str, bytes]:
    event.pop("writeKey", None)
    event_type = event.get("type")
    if event_type is None and kind is not None:
        event_type = event["type"] = kind
    if event_type not in EVENT_TYPES:
        expected = ", ".join(EVENT_TYPES)
        raise IntakeError(400, f"{where}: 'type' must be one of {expected} (got {event_type!r})")
    message_id = event.get("messageId")
    if not isinstance(message_id, str) or not message_id:
        message_id = event["messageId"] = new_id() if new_id else f"api-{uuid.uuid4()}"
    event["receivedAt"] = received_at
    return message_id, dumps(event)


def _check_size(event: dict[str, Any], where: str) -> None:
    """The event as the client sent it (what we add does not count against it)."""
    size = len(dumps(event))
    if size > MAX_EVENT_BYTES:
        raise IntakeError(
            400, f"{where}: the event is {size} bytes; the limit is 32 KB ({MAX_EVENT_BYTES} bytes) per event"
        )


def _write_key(body: dict[str, Any]) -> str | None:
    key = body.pop("writeKey", None)
    return key if isinstance(key, str) else None


def _kind(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else "an object")


__all__ = [
    "EVENT_TYPES",
    "MAX_EVENT_BYTES",
    "MAX_REQUEST_BYTES",
    "Accepted",
    "accept_batch",
    "accept_single",
    "now_iso",
    "parse_body",
]
