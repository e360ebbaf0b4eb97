"""Pacing by LaunchDarkly's rate-limit headers (:mod:`actions_core.serve.pacing`)."""

from __future__ import annotations

import httpx

from actions_core.serve.pacing import PacedTransport


class Window:
    """A destination allowing ``budget`` requests per 10 s window; a fake clock."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.now = 1000.0
        self.used: dict[int, int] = {}
        self.answers: list[int] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        window = int(self.now // 10)
        used = self.used[window] = self.used.get(window, 0) + 1
        reset = str((window + 1) * 10 * 1000)
        status = 204 if used <= self.budget else 429
        self.answers.append(status)
        remaining = str(max(0, self.budget - used))
        headers = {"X-Ratelimit-Route-Remaining": remaining, "X-Ratelimit-Reset": reset}
        return httpx.Response(status, headers=headers)

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_requests_wait_for_the_reset_instead_of_running_into_429s() -> None:
    window = Window(budget=3)
    paced = PacedTransport(httpx.MockTransport(window.handle), clock=lambda: window.now, sleep=window.sleep)

    for _ in range(7):
        paced.handle_request(httpx.Request("POST", "http://ld.test/sync"))

    assert window.answers == [204] * 7
    assert window.now == 1020.0  # two resets waited for, nothing more
    assert paced.held == 20.0


def test_without_rate_limit_headers_nothing_waits() -> None:
    now = [5.0]
    paced = PacedTransport(
        httpx.MockTransport(lambda request: httpx.Response(204)),
        clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s),
    )

    for _ in range(5):
        paced.handle_request(httpx.Request("POST", "http://ld.test/sync"))

    assert (now[0], paced.held) == (5.0, 0.0)
