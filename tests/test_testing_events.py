"""create_test_event: the reference's test-event defaults, overrides and ABSENT."""

from __future__ import annotations

import re
import uuid

from actions_core.testing import ABSENT, create_test_event

ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_defaults_are_the_references_track_event() -> None:
    event = create_test_event()

    assert event["type"] == "track"
    assert event["event"] == "Test Event"
    assert event["userId"] == "user1234"
    assert event["anonymousId"] == "anonId1234"
    assert event["properties"] == {}
    assert event["traits"] == {}


def test_default_context_is_the_references_browser_context() -> None:
    context = create_test_event()["context"]

    assert context["ip"] == "8.8.8.8"
    assert context["library"] == {"name": "analytics.js", "version": "2.11.1"}
    assert context["locale"] == "en-US"
    assert context["location"]["city"] == "San Francisco"
    assert context["page"]["url"] == "https://segment.com/academy/"
    assert context["timezone"] == "Europe/Amsterdam"
    assert context["userAgent"].startswith("Mozilla/5.0 (iPhone")


def test_message_id_is_a_fresh_uuid_each_call() -> None:
    first, second = create_test_event(), create_test_event()

    assert uuid.UUID(first["messageId"])
    assert first["messageId"] != second["messageId"]


def test_timestamps_are_written_like_javascript_to_iso_string() -> None:
    event = create_test_event()

    for key in ("timestamp", "sentAt", "receivedAt"):
        assert ISO_MILLIS.match(event[key]), event[key]


def test_overrides_are_merged_shallowly() -> None:
    event = create_test_event({"type": "identify", "context": {"ip": "10.0.0.1"}})

    assert event["type"] == "identify"
    assert event["context"] == {"ip": "10.0.0.1"}
    assert event["userId"] == "user1234"


def test_keyword_overrides_win_over_the_mapping() -> None:
    event = create_test_event({"event": "From mapping"}, event="From keyword")

    assert event["event"] == "From keyword"


def test_absent_removes_a_default_key() -> None:
    event = create_test_event(type="identify", properties=ABSENT)

    assert "properties" not in event
    assert event["traits"] == {}


def test_none_is_a_real_value_not_absent() -> None:
    assert create_test_event(userId=None)["userId"] is None


def test_each_event_has_its_own_context() -> None:
    first = create_test_event()
    first["context"]["page"]["title"] = "changed"

    assert create_test_event()["context"]["page"]["title"] == "Analytics Academy"
