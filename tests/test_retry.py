"""Unit tests of the retry policy (actions_core.http.retry): pure functions, a fixed clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from actions_core.errors import (
    AuthenticationError,
    HTTPError,
    NetworkError,
    RequestTimeoutError,
)
from actions_core.http.retry import (
    RetryPolicy,
    backoff,
    decide,
    is_retryable,
    is_retryable_status,
    parse_retry_after,
)

NOW = 1_700_000_000.0  # a fixed wall clock (epoch seconds)
EXACT = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=30.0, max_total=120.0, jitter=False)


@pytest.mark.parametrize("status", [408, 409, 423, 429, 500, 502, 503, 504, 599])
def test_transient_statuses_are_retryable(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 413, 422, 501])
def test_client_errors_and_501_are_not_retryable(status: int) -> None:
    assert not is_retryable_status(status)


def test_timeouts_and_network_errors_are_retryable() -> None:
    assert is_retryable(RequestTimeoutError("Request timed out after 10000ms"))
    assert is_retryable(NetworkError("Network error: reset"))
    assert is_retryable(httpx.ReadTimeout("timed out"))
    assert is_retryable(httpx.ConnectError("refused"))


def test_authentication_errors_and_plain_exceptions_are_not_retryable() -> None:
    assert not is_retryable(AuthenticationError(401, "Unauthorized"))
    assert not is_retryable(HTTPError(404, "Not Found"))
    assert not is_retryable(ValueError("a bug"))
    assert is_retryable(HTTPError(503, "Service Unavailable"))


def test_retry_after_seconds() -> None:
    assert parse_retry_after({"Retry-After": "7"}, NOW) == 7.0


def test_retry_after_http_date_is_relative_to_the_clock() -> None:
    when = datetime.fromtimestamp(NOW + 42, tz=UTC)
    assert parse_retry_after({"Retry-After": format_datetime(when, usegmt=True)}, NOW) == 42.0


def test_retry_after_date_in_the_past_asks_for_no_wait() -> None:
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, NOW) == 0.0


def test_ratelimit_reset_is_epoch_milliseconds() -> None:
    headers = {"X-Ratelimit-Reset": str(int((NOW + 3.5) * 1000))}
    assert parse_retry_after(headers, NOW) == pytest.approx(3.5)


def test_auth_token_reset_header_is_honoured_too() -> None:
    headers = {"X-RateLimit-Auth-Token-Reset": str(int((NOW + 9) * 1000))}
    assert parse_retry_after(headers, NOW) == pytest.approx(9.0)


def test_the_longest_asked_wait_wins() -> None:
    headers = {"Retry-After": "2", "X-Ratelimit-Reset": str(int((NOW + 6) * 1000))}
    assert parse_retry_after(headers, NOW) == pytest.approx(6.0)


@pytest.mark.parametrize("value", ["soon", "-3", "nan", ""])
def test_unparseable_retry_after_is_ignored(value: str) -> None:
    assert parse_retry_after({"Retry-After": value}, NOW) is None


def test_no_rate_limit_headers_means_no_asked_wait() -> None:
    assert parse_retry_after({"content-type": "application/json"}, NOW) is None


def test_backoff_doubles_up_to_max_delay_without_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=False)
    rng = random.Random(0)
    assert [backoff(policy, n, rng) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_full_jitter_stays_within_zero_and_the_exponential_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    rng = random.Random(1)
    for attempt in range(1, 8):
        cap = min(5.0, 2.0 ** (attempt - 1))
        assert all(0.0 <= backoff(policy, attempt, rng) <= cap for _ in range(50))


def test_decorrelated_jitter_grows_from_the_previous_delay_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter_mode="decorrelated")
    rng = random.Random(2)
    previous = None
    for attempt in range(1, 20):
        delay = backoff(policy, attempt, rng, previous)
        assert 1.0 <= delay <= min(10.0, 3.0 * (previous or 1.0))
        previous = delay


def test_decide_waits_the_backoff_for_a_plain_retryable_failure() -> None:
    decision = decide(EXACT, attempt=2, elapsed=1.0, status=500, now=NOW)
    assert decision.retry and decision.delay == 1.0


@pytest.mark.parametrize("status", [600, 799, 999])
def test_statuses_of_600_and_more_are_not_retryable(status: int) -> None:
    assert not is_retryable_status(status)
    assert not HTTPError(status, "Odd").retryable


def test_http_error_retryable_is_the_retry_loop_s_rule() -> None:
    for status in range(100, 1000):
        assert HTTPError(status, "").retryable == is_retryable_status(status), status
    assert not AuthenticationError(401, "Unauthorized").retryable


def test_decide_gives_up_after_max_attempts() -> None:
    decision = decide(EXACT, attempt=5, elapsed=1.0, status=503)
    assert decision.delay is None


def test_decide_waits_at_least_retry_after_on_429() -> None:
    decision = decide(
        EXACT, attempt=1, elapsed=0.0, status=429, headers={"Retry-After": "12"}
    )
    assert decision.delay == 12.0


def test_decide_keeps_the_longer_backoff_when_retry_after_asks_less() -> None:
    policy = RetryPolicy(base_delay=4.0, jitter=False)
    decision = decide(
        policy, attempt=1, elapsed=0.0, status=503, headers={"Retry-After": "1"}
    )
    assert decision.delay == 4.0


def test_retry_after_is_only_honoured_on_429_and_503() -> None:
    decision = decide(
        EXACT, attempt=1, elapsed=0.0, status=500, headers={"Retry-After": "60"}
    )
    assert decision.delay == 0.5


def test_asked_wait_beyond_the_remaining_budget_gives_up_at_once_and_says_so() -> None:
    decision = decide(
        EXACT,
        attempt=1,
        elapsed=100.0,
        status=429,
        headers={"Retry-After": "30"},
    )
    assert decision.delay is None
    assert "asked to wait 30 s" in decision.reason
    assert "20 s left" in decision.reason


def test_backoff_is_clipped_to_the_remaining_budget() -> None:
    policy = RetryPolicy(base_delay=8.0, max_total=10.0, jitter=False)
    decision = decide(policy, attempt=1, elapsed=7.0, status=500)
    assert decision.delay == pytest.approx(3.0)


def test_spent_budget_gives_up() -> None:
    decision = decide(EXACT, attempt=2, elapsed=120.0, status=500)
    assert decision.delay is None
    assert "budget" in decision.reason


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1)
