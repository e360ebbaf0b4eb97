"""Pacing by the destination's rate-limit headers, so a backlog flows at the limit.

LaunchDarkly tells every answer how much of the route's budget is left
(``X-Ratelimit-Route-Remaining``) and when the window resets (``X-Ratelimit-Reset``, epoch
milliseconds). :class:`PacedTransport` wraps the real transport, shared by every worker: it
lets at most ``remaining`` requests start before the reset and holds the others until then,
instead of letting them run into 429s (which the retry loop would then wait out one by one).
A 429 spends the budget until its reset or ``Retry-After``. Without the headers it does
nothing. (docs/serve.md, "Rate limits".)

The request client's gate (:mod:`actions_core.http.rate_limit`) holds a host only once an
answer says the budget is spent, when up to ``concurrency`` requests may already be on their
way; counting the budget down here keeps those from running into 429s (measured in
benchmarks/README.md: 14.5% of requests answered 429 with the gate alone, 1.0% with both).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from actions_core.http.retry import parse_retry_after

REMAINING = "x-ratelimit-route-remaining"
RESET = "x-ratelimit-reset"
MAX_HOLD = 60.0
"""Never hold a request longer than this in one go (a reset date far off is a bad header)."""


class PacedTransport(httpx.BaseTransport):
    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._remaining: int | None = None  # None: no budget known (go)
        self._reset = 0.0  # epoch seconds
        self.held = 0.0
        """Seconds requests spent waiting for a reset (for benchmarks and tests)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._wait_turn()
        response = self._inner.handle_request(request)
        self._learn(response)
        return response

    def close(self) -> None:
        self._inner.close()

    def _wait_turn(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                if self._remaining is None or now >= self._reset:
                    self._remaining = None
                    return
                if self._remaining > 0:
                    self._remaining -= 1
                    return
                wait = min(self._reset - now, MAX_HOLD)
                self.held += wait
            self._sleep(wait)

    def _learn(self, response: httpx.Response) -> None:
        headers = response.headers
        now = self._clock()
        remaining = _int(headers.get(REMAINING))
        reset_ms = _int(headers.get(RESET))
        reset = reset_ms / 1000.0 if reset_ms is not None else None
        if response.status_code == 429:
            remaining = 0
            asked = parse_retry_after(headers, now)
            if asked is not None:
                reset = max(reset or 0.0, now + asked)
        if remaining is None or reset is None or reset <= now:
            return
        with self._lock:
            if self._remaining is not None and abs(reset - self._reset) < 0.5:
                self._remaining = min(self._remaining, remaining)  # same window: only fewer
            elif reset >= self._reset:
                self._remaining, self._reset = remaining, reset


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


__all__ = ["PacedTransport"]
