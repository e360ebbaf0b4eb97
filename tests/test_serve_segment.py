"""Segment's HTTP Tracking API bodies to queued events (:mod:`actions_core.intake.segment`)."""

from __future__ import annotations

import json

import pytest

from actions_core.errors import IntakeError
from actions_core.intake.segment import accept_batch, accept_single, parse_body
from actions_core.queue.codec import loads

NOW = "2026-01-02T03:04:05.678Z"


def test_batch_context_and_integrations_are_merged_into_each_event_whose_own_keys_win() -> None:
    body = {
        "batch": [
            {"type": "track", "event": "A", "messageId": "m1", "context": {"ip": "own"}},
            {"type": "track", "event": "B", "messageId": "m2"},
        ],
        "context": {"ip": "batch", "library": {"name": "x"}},
        "integrations": {"All": False},
        "sentAt": "2026-01-02T03:04:05.000Z",
    }

    accepted = accept_batch(body, NOW)

    first, second = (json.loads(b) for b in accepted.bodies)
    assert first["context"] == {"ip": "own", "library": {"name": "x"}}
    assert second["context"] == {"ip": "batch", "library": {"name": "x"}}
    assert first["integrations"] == second["integrations"] == {"All": False}
    assert first["sentAt"] == "2026-01-02T03:04:05.000Z"


def test_a_missing_message_id_is_added_and_received_at_is_set() -> None:
    accepted = accept_single({"type": "identify", "userId": "u"}, "identify", NOW, lambda: "new-id")

    event = json.loads(accepted.bodies[0])
    assert accepted.message_ids == ["new-id"]
    assert (event["messageId"], event["receivedAt"]) == ("new-id", NOW)


def test_a_client_message_id_is_kept() -> None:
    accepted = accept_batch({"batch": [{"type": "page", "messageId": "mine"}]}, NOW)

    assert accepted.message_ids == ["mine"]


def test_the_write_key_is_taken_out_of_the_events() -> None:
    body = {"batch": [{"type": "page", "writeKey": "k2"}], "writeKey": "k1"}

    accepted = accept_batch(body, NOW)

    assert accepted.write_key == "k1"
    assert b"writeKey" not in accepted.bodies[0]


def test_a_body_without_a_batch_array_is_refused_naming_it() -> None:
    with pytest.raises(IntakeError, match="'batch' must be an array") as info:
        accept_batch({"events": []}, NOW)
    assert info.value.status == 400


def test_an_integer_beyond_64_bits_is_queued_exactly_as_sent() -> None:
    raw = b'{"batch": [{"type": "track", "properties": {"n": 123456789012345678901234567890}}]}'

    accepted = accept_batch(parse_body(raw), NOW)

    assert b'"n":123456789012345678901234567890' in accepted.bodies[0]
    assert loads(accepted.bodies[0])["properties"]["n"] == 123456789012345678901234567890
