"""When to retry a request and how long to wait first (docs/framework.md#http-and-retries).

Everything here is a pure function of its arguments (the clock and the random source are
passed in), so the policy is unit-tested with a fixed clock; :mod:`actions_core.http.client` runs the
loop and does the waiting.

* Retried: network errors, timeouts, 408, 409, 423, 429 and 5xx except 501. Never other 4xx,
  nor a status of 600 or more (outside HTTP's classes: nothing says it is transient). This is
  the one rule: :attr:`HTTPError.retryable <actions_core.errors.HTTPError.retryable>` and the
  client's retry loop both ask :func:`is_retryable`.
* Backoff: exponential from ``base_delay``, capped at ``max_delay``, with full jitter
  (uniform in ``[0, cap]``) or decorrelated jitter (uniform in ``[base, 3 * previous]``).
* A 429 or 503 waits at least what the server asks: ``Retry-After`` (seconds or an HTTP date)
  or ``X-Ratelimit-Reset`` / ``X-Ratelimit-Auth-Token-Reset`` (epoch milliseconds, as
  LaunchDarkly sends them). When that wait would not fit in what is left of ``max_total``,
  giving up at once beats sleeping into a certain failure.
* Bounded: at most ``max_attempts`` attempts and ``max_total`` seconds of retrying.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx

from actions_core.errors import AuthenticationError, HTTPError, RetryableError

# Statuses worth another attempt (docs/framework.md#http-and-retries): 501 Not Implemented will
# not start working, and 600+ is not HTTP.
RETRYABLE_STATUSES = frozenset({408, 409, 423, 429, *range(500, 600)} - {501})

# Statuses whose rate-limit headers are honoured (a 429 "slow down", a 503 "come back later").
RATE_LIMIT_STATUSES = frozenset({429, 503})

# Reset headers carrying an epoch time in milliseconds (docs/launchdarkly-audiences.md#responses).
RESET_HEADERS = ("x-ratelimit-reset", "x-ratelimit-auth-token-reset")

_RNG = random.Random()


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Seconds throughout; ``jitter=False`` gives exact, testable delays."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total: float = 120.0
    jitter: bool = True
    jitter_mode: Literal["full", "decorrelated"] = "full"

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.max_total) < 0:
            raise ValueError("delays must not be negative")


DEFAULT_POLICY = RetryPolicy()
"""5 attempts, 0.5 s doubling up to 30 s, at most 120 s in all, full jitter."""


@dataclass(frozen=True)
class RetryDecision:
    """``delay`` seconds to wait before the next attempt, or ``None`` to give up because of
    ``reason`` (worded to follow "gave up after N attempts: ")."""

    delay: float | None
    reason: str = ""

    @property
    def retry(self) -> bool:
        return self.delay is not None


def is_retryable_status(status: int) -> bool:
    """408, 409, 423, 429 and 5xx except 501 (Not Implemented will not start working)."""
    return status in RETRYABLE_STATUSES


def is_retryable(error: BaseException) -> bool:
    """Whether an exception raised by a request is worth another attempt."""
    if isinstance(error, AuthenticationError):
        return False
    if isinstance(error, HTTPError):
        return is_retryable_status(error.status)
    if isinstance(error, RetryableError):
        return True
    if isinstance(error, httpx.UnsupportedProtocol):
        return False
    return isinstance(error, httpx.TransportError)


def parse_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asks us to wait, or ``None`` when it does not say.

    ``now`` is the wall-clock time (epoch seconds) used to turn an HTTP date or an epoch
    reset time into a wait. When several headers are present the longest wait wins (we must
    wait *at least* what each asks); a time already past asks for ``0``. Unparseable values
    are ignored rather than trusted.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    waits: list[float] = []
    retry_after = lowered.get("retry-after")
    if retry_after is not None:
        wait = _parse_retry_after_value(retry_after.strip(), now)
        if wait is not None:
            waits.append(wait)
    for name in RESET_HEADERS:
        value = lowered.get(name)
        if value is None:
            continue
        try:
            reset_ms = float(value.strip())
        except ValueError:
            continue
        if math.isfinite(reset_ms):
            waits.append(max(0.0, reset_ms / 1000.0 - now))
    return max(waits) if waits else None


def _parse_retry_after_value(value: str, now: float) -> float | None:
    """``Retry-After``: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def backoff(
    policy: RetryPolicy, attempt: int, rng: random.Random, previous: float | None = None
) -> float:
    """The jittered exponential delay after failed attempt number ``attempt`` (1-based).

    ``previous`` is the last delay, used by decorrelated jitter.
    """
    cap = min(policy.max_delay, policy.base_delay * 2.0 ** max(0, attempt - 1))
    if not policy.jitter:
        return cap
    if policy.jitter_mode == "decorrelated":
        upper = max(policy.base_delay, (previous or policy.base_delay) * 3.0)
        return min(policy.max_delay, rng.uniform(policy.base_delay, upper))
    return rng.uniform(0.0, cap)


def decide(
    policy: RetryPolicy,
    *,
    attempt: int,
    elapsed: float,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    now: float = 0.0,
    rng: random.Random | None = None,
    previous: float | None = None,
) -> RetryDecision:
    """Whether to try again after failed attempt ``attempt`` of a retryable request
    (:func:`is_retryable` said so), and how long to wait first.

    ``elapsed`` is the time since the first attempt started (monotonic clock); ``now`` is the
    wall-clock time for rate-limit headers; ``status``/``headers`` describe the failed
    response, if there was one.
    """
    if attempt >= policy.max_attempts:
        return RetryDecision(None, "")
    remaining = policy.max_total - elapsed
    if remaining <= 0:
        return RetryDecision(
            None, f"the retry time budget of {_seconds(policy.max_total)} is used up"
        )
    delay = backoff(policy, attempt, rng or _RNG, previous)
    if status in RATE_LIMIT_STATUSES and headers is not None:
        asked = parse_retry_after(headers, now)
        if asked is not None:
            if asked > remaining:
                return RetryDecision(
                    None,
                    f"the server asked to wait {_seconds(asked)}, more than the "
                    f"{_seconds(remaining)} left of the retry time budget",
                )
            delay = max(delay, asked)
    return RetryDecision(min(delay, remaining))


def _seconds(value: float) -> str:
    return f"{value:.3g} s" if value < 100 else f"{value:.0f} s"


__all__ = [
    "DEFAULT_POLICY",
    "RATE_LIMIT_STATUSES",
    "RESET_HEADERS",
    "RETRYABLE_STATUSES",
    "RetryDecision",
    "RetryPolicy",
    "backoff",
    "decide",
    "is_retryable",
    "is_retryable_status",
    "parse_retry_after",
]
