"""The destination's reason for refusing a request (actions_core.http.reason)."""

from __future__ import annotations

import pytest

from actions_core.http.reason import REASON_LIMIT, bounded, destination_reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"code": "invalid_request", "message": "cohort refused"}', "cohort refused"),
        ('{"error": "bad token"}', "bad token"),
        ('{"error": {"message": "nested"}}', "nested"),
        ('{"errors": [{"message": "one"}, {"detail": "two"}, "three"]}', "one; two; three"),
        ('[{"message": "first"}]', "first"),
    ],
)
def test_a_json_body_gives_its_message(body: str, reason: str) -> None:
    assert destination_reason(body) == reason


def test_a_text_body_is_the_reason_with_whitespace_collapsed() -> None:
    assert destination_reason("  upstream\n  overloaded \t now ") == "upstream overloaded now"


def test_json_without_a_message_is_shown_as_text() -> None:
    assert destination_reason('{"code": 7}') == '{"code": 7}'


def test_an_empty_body_has_no_reason() -> None:
    assert destination_reason(" \n") == ""


def test_a_long_reason_is_bounded_and_marked() -> None:
    cut = bounded("x" * 5000)
    assert len(cut) == REASON_LIMIT + 3 and cut.endswith("...")
    assert bounded("short") == "short"
