"""An HTTP mock for destination tests, built on ``httpx.MockTransport``.

The request client takes a transport (the httpx seam), so tests plug this in without
patching anything. Responses are queued per method and URL; the mock records every exchange
in send order. Strict by default, like the reference's ``nock`` setup: a request nobody
queued a response for fails the test with a message naming it, and :meth:`MockHTTP.
assert_all_used` fails when a queued response was never asked for.
"""

from __future__ import annotations

import json as _json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx


class UnexpectedRequestError(AssertionError):
    """A strict :class:`MockHTTP` received a request that no queued response matches."""


@dataclass(frozen=True)
class Exchange:
    """One request as sent and the response the mock gave it."""

    request: httpx.Request
    response: httpx.Response

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def url(self) -> str:
        return str(self.request.url)

    @property
    def headers(self) -> dict[str, str]:
        """The request's headers, names lower-cased."""
        return {name.lower(): value for name, value in self.request.headers.items()}

    @property
    def json(self) -> Any:
        """The request body parsed as JSON; ``None`` when there is no body or it is not JSON."""
        return parse_json_body(self.request.content)

    @property
    def status(self) -> int:
        return self.response.status_code


def parse_json_body(content: bytes) -> Any:
    if not content:
        return None
    try:
        return _json.loads(content)
    except ValueError:
        return None


@dataclass
class _Queued:
    """A response waiting for its request; ``times=None`` answers any number of requests."""

    method: str
    url: str | re.Pattern[str]
    status: int
    json: Any
    text: str | None
    headers: Mapping[str, str]
    times: int | None
    used: int = 0

    def matches(self, request: httpx.Request) -> bool:
        if self.method != request.method:
            return False
        if isinstance(self.url, re.Pattern):
            return self.url.fullmatch(str(request.url)) is not None
        return httpx.URL(self.url) == request.url

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.used >= self.times

    def build(self, request: httpx.Request) -> httpx.Response:
        if self.text is not None:
            return httpx.Response(
                self.status, text=self.text, headers=dict(self.headers), request=request
            )
        if self.json is not None:
            return httpx.Response(
                self.status, json=self.json, headers=dict(self.headers), request=request
            )
        return httpx.Response(self.status, headers=dict(self.headers), request=request)

    def describe(self) -> str:
        url = self.url.pattern if isinstance(self.url, re.Pattern) else self.url
        times = "any number of times" if self.times is None else f"{self.used}/{self.times} used"
        return f"{self.method} {url} -> {self.status} ({times})"


@dataclass
class MockHTTP:
    """Queued HTTP responses and a record of every exchange.

    ``strict=False`` answers unmatched requests with ``default_status`` and an empty body
    (what the reference's snapshot tests do with ``nock(/.*/).persist()``). Thread-safe: the
    engine may send from worker threads.
    """

    strict: bool = True
    default_status: int = 200
    exchanges: list[Exchange] = field(default_factory=list, init=False)
    unexpected: list[str] = field(default_factory=list, init=False)
    _reported: int = field(default=0, init=False, repr=False)
    _queue: list[_Queued] = field(default_factory=list, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def add(
        self,
        method: str,
        url: str | re.Pattern[str],
        *,
        status: int = 200,
        json: Any = None,
        text: str | None = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = 1,
    ) -> None:
        """Queue a response for ``method`` and ``url`` (an exact URL, query included, or a
        compiled pattern that must match the whole URL). Responses for the same request are
        used in the order they were added; ``times=None`` keeps answering for ever."""
        if json is not None and text is not None:
            raise ValueError("give a response json or text, not both")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for any number)")
        with self._lock:
            self._queue.append(
                _Queued(method.upper(), url, status, json, text, dict(headers or {}), times)
            )

    @property
    def transport(self) -> httpx.MockTransport:
        """A transport that answers from this mock (give it to the request client)."""
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self._lock:
            queued = next(
                (q for q in self._queue if not q.exhausted and q.matches(request)), None
            )
            if queued is not None:
                queued.used += 1
                response = queued.build(request)
            elif self.strict:
                message = self._unexpected_message(request)
                self.unexpected.append(message)
                raise UnexpectedRequestError(message)
            else:
                response = httpx.Response(self.default_status, request=request)
            self.exchanges.append(Exchange(request, response))
            return response

    def _unexpected_message(self, request: httpx.Request) -> str:
        pending = [q.describe() for q in self._queue if not q.exhausted]
        queued = "; ".join(pending) if pending else "none"
        return (
            f"Unexpected request {request.method} {request.url}: no queued response matches "
            f"(queued: {queued}). Add one with mock.add({request.method!r}, url, status=...)."
        )

    def assert_no_unexpected(self) -> None:
        """Fail when a request found no queued response since the last call. The transport
        raised for it already, but a destination or the engine may have swallowed that error;
        each one is reported once (the harness calls this after every run)."""
        with self._lock:
            new = self.unexpected[self._reported:]
            self._reported = len(self.unexpected)
        if new:
            raise UnexpectedRequestError("\n".join(new))

    def assert_all_used(self) -> None:
        """Fail on unexpected requests and on queued responses that were never requested."""
        self.assert_no_unexpected()
        with self._lock:
            unused = [
                q.describe()
                for q in self._queue
                if (q.times is None and q.used == 0) or (q.times is not None and not q.exhausted)
            ]
        if unused:
            raise AssertionError("Queued responses were never requested: " + "; ".join(unused))

    def reset(self) -> None:
        """Forget queued responses, exchanges and unexpected requests."""
        with self._lock:
            self._queue.clear()
            self.exchanges.clear()
            self.unexpected.clear()
            self._reported = 0


__all__ = ["Exchange", "MockHTTP", "UnexpectedRequestError", "parse_json_body"]
