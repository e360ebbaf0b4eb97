"""MockHTTP: queued responses by method and URL, strict by default, every exchange recorded."""

from __future__ import annotations

import contextlib
import re

import httpx
import pytest

from actions_core.testing import MockHTTP, UnexpectedRequestError

URL = "https://api.example.com/v1/events"


def client(mock: MockHTTP) -> httpx.Client:
    return httpx.Client(transport=mock.transport)


def test_a_queued_response_answers_its_request() -> None:
    mock = MockHTTP()
    mock.add("POST", URL, status=202, json={"ok": True}, headers={"x-request-id": "r1"})

    response = client(mock).post(URL, json={"a": 1})

    assert response.status_code == 202
    assert response.json() == {"ok": True}
    assert response.headers["x-request-id"] == "r1"


def test_responses_for_the_same_request_are_used_in_order() -> None:
    mock = MockHTTP()
    mock.add("POST", URL, status=429)
    mock.add("POST", URL, status=204)

    statuses = [client(mock).post(URL).status_code for _ in range(2)]

    assert statuses == [429, 204]


def test_times_answers_that_many_requests() -> None:
    mock = MockHTTP()
    mock.add("GET", URL, status=200, times=2)

    assert [client(mock).get(URL).status_code for _ in range(2)] == [200, 200]
    with pytest.raises(UnexpectedRequestError):
        client(mock).get(URL)


def test_times_none_answers_any_number_of_requests() -> None:
    mock = MockHTTP()
    mock.add("GET", URL, text="pong", times=None)

    assert [client(mock).get(URL).text for _ in range(3)] == ["pong"] * 3
    mock.assert_all_used()


def test_a_pattern_matches_the_whole_url() -> None:
    mock = MockHTTP()
    mock.add("GET", re.compile(r"https://api\.example\.com/v1/users/\d+"), status=200)

    assert client(mock).get("https://api.example.com/v1/users/42").status_code == 200


def test_an_unexpected_request_fails_naming_method_and_url() -> None:
    mock = MockHTTP()
    mock.add("POST", URL, status=204)

    with pytest.raises(UnexpectedRequestError, match=r"Unexpected request GET https://api\.example\.com/v1/other"):
        client(mock).get("https://api.example.com/v1/other")
    assert "queued: POST https://api.example.com/v1/events -> 204" in mock.unexpected[0]


def test_the_method_must_match_too() -> None:
    mock = MockHTTP()
    mock.add("POST", URL)

    with pytest.raises(UnexpectedRequestError, match="Unexpected request PUT"):
        client(mock).put(URL)


def test_assert_all_used_fails_on_a_response_never_requested() -> None:
    mock = MockHTTP()
    mock.add("POST", URL, status=204)

    with pytest.raises(AssertionError, match=r"never requested: POST https://api\.example\.com/v1/events -> 204"):
        mock.assert_all_used()


def test_assert_all_used_also_reports_unexpected_requests_a_caller_may_have_swallowed() -> None:
    mock = MockHTTP()
    with contextlib.suppress(UnexpectedRequestError):  # a destination's over-broad except
        client(mock).get(URL)

    with pytest.raises(UnexpectedRequestError, match="Unexpected request GET"):
        mock.assert_all_used()


def test_each_unexpected_request_is_reported_once() -> None:
    mock = MockHTTP()
    with pytest.raises(UnexpectedRequestError):
        client(mock).get(URL)
    with pytest.raises(UnexpectedRequestError):
        mock.assert_no_unexpected()

    mock.assert_all_used()


def test_permissive_mode_answers_anything_with_the_default_status() -> None:
    mock = MockHTTP(strict=False, default_status=401)

    response = client(mock).delete("https://anywhere.example/x")

    assert response.status_code == 401
    mock.assert_all_used()


def test_every_exchange_is_recorded_in_send_order_with_the_parsed_json() -> None:
    mock = MockHTTP(strict=False)
    http = client(mock)
    http.post(URL, json={"n": 1})
    http.get(URL, headers={"X-Trace": "t"})

    assert [(e.method, e.url, e.status) for e in mock.exchanges] == [
        ("POST", URL, 200),
        ("GET", URL, 200),
    ]
    assert mock.exchanges[0].json == {"n": 1}
    assert mock.exchanges[1].json is None
    assert mock.exchanges[1].headers["x-trace"] == "t"


def test_a_response_takes_json_or_text_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        MockHTTP().add("GET", URL, json={}, text="")
