"""The rate-limit gate: once the destination says "wait until T", nothing more goes to it
before T, from any worker thread (docs/framework.md, "HTTP and retries").

Without it each batch would meet the same 429 on its own and give up, while the rest of the
run kept firing into the limit. The gate holds a host until T when:

* a 429 or 503 asks for a wait (``Retry-After``: seconds or an HTTP date;
  ``X-Ratelimit-Reset`` / ``X-Ratelimit-Auth-Token-Reset``: epoch milliseconds), or
* any answer says the budget is spent (``X-Ratelimit-Route-Remaining: 0`` or
  ``X-Ratelimit-Global-Remaining: 0``) and when it resets: the gate holds before the 429.

The client asks the gate before every attempt (:meth:`RequestClient._admit
<actions_core.http.client.RequestClient>`): a hold that fits in the retry budget is waited
out; a longer one ends the run like an interruption (:class:`~actions_core.errors.
RateLimitInterrupted`, events left pending, its message giving the reset time), unless the
user asked to wait rate limits out (``run --wait-rate-limits``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from datetime import UTC, datetime

from actions_core.http.retry import RATE_LIMIT_STATUSES, RESET_HEADERS, parse_retry_after

REMAINING_HEADERS = ("x-ratelimit-route-remaining", "x-ratelimit-global-remaining")
"""Headers announcing how many requests are left in the window (docs/launchdarkly-audiences.md#responses)."""


def hold_until(status: int, headers: Mapping[str, str], now: float) -> float | None:
    """The epoch time before which this answer asks for no further request, or ``None``.

    ``headers`` must look names up case-insensitively (httpx's do); ``now`` is epoch seconds.
    """
    if status in RATE_LIMIT_STATUSES:
        asked = parse_retry_after(headers, now)
        return now + asked if asked else None
    if not any(_is_zero(headers.get(name)) for name in REMAINING_HEADERS):
        return None
    resets = [_epoch_ms(headers.get(name)) for name in RESET_HEADERS]
    until = max((r for r in resets if r is not None), default=None)
    return until if until is not None and until > now else None


def utc_text(epoch: float) -> str:
    """``2026-12-06T04:26:00Z``: how a reset time is shown."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class RateLimitGate:
    """Per host (``host:port``), the time until which requests wait. Thread-safe; a later
    hold never shortens an earlier one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}

    def learn(self, host: str, status: int, headers: Mapping[str, str], now: float) -> None:
        """Note what an answer from ``host`` says about waiting."""
        until = hold_until(status, headers, now)
        if until is None:
            return
        with self._lock:
            if until > self._until.get(host, 0.0):
                self._until[host] = until

    def until(self, host: str, now: float) -> float | None:
        """When ``host`` may be sent to again, or ``None`` when it may be now."""
        until = self._until.get(host)
        return until if until is not None and until > now else None


def _is_zero(value: str | None) -> bool:
    try:
        return value is not None and int(value.strip()) <= 0
    except ValueError:
        return False


def _epoch_ms(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        ms = float(value.strip())
    except ValueError:
        return None
    return ms / 1000.0 if math.isfinite(ms) else None


__all__ = ["REMAINING_HEADERS", "RateLimitGate", "hold_until", "utc_text"]
