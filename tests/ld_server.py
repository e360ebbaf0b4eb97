"""A LaunchDarkly emulator on 127.0.0.1: the three endpoints the destination calls.

* ``HEAD /sdk/goals/{clientId}``: 200 for a known client-side ID, 404 otherwise (the
  authentication test's first check);
* ``GET /api/v2/versions``: 200 with the right ``Authorization`` token, 401 otherwise (its
  second check);
* ``POST /api/v2/segment-targets/segment-audiences``: checks the token, then applies each item
  ``{userId, cohortId, value}`` of the body's ``batch`` to the membership state, request by
  request in the order the server received them. ``delay`` (seconds, changeable while the
  server runs) is slept *after* a request was applied, so a run can be made slow enough to
  interrupt; the sleep ends early when the server stops.

Rate limiting on demand: with ``rate_limit`` set (sync requests per ``rate_window`` seconds,
fixed windows), every sync answer carries LaunchDarkly's ``X-Ratelimit-Route-Remaining`` and
``X-Ratelimit-Reset`` (epoch milliseconds) headers, and a request beyond the budget is
answered 429 (counted in ``limited``) without being applied. Set ``token`` to another value
to make the destination refuse our credentials (401) until it is set back.

Real HTTP/1.1 with keep-alive, on port 0 of 127.0.0.1, started and stopped by the test
(``with LaunchDarklyServer(token=...) as ld: ... ld.url ...``). Every figure a test reads is
taken under the server's lock, and :meth:`wait_until` waits on a condition with a generous
bound instead of sleeping.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

SYNC_PATH = "/api/v2/segment-targets/segment-audiences"
VERSIONS_PATH = "/api/v2/versions"
GOALS_PATH = re.compile(r"^/sdk/goals/(?P<client_id>[^/?]+)$")

MembershipKey = tuple[str, str]
"""(cohort id, context key): what one membership value belongs to."""


@dataclass(frozen=True)
class Seen:
    """One request as received (the body parsed when it is JSON)."""

    method: str
    path: str
    authorization: str | None
    body: Any


class LaunchDarklyServer:
    """The emulator. ``members`` is the membership state, ``items`` the members applied so far
    (repeats included), ``requests`` every request received, in order."""

    def __init__(
        self,
        *,
        token: str,
        client_id: str = "env-1",
        delay: float = 0.0,
        rate_limit: int | None = None,
        rate_window: float = 1.0,
    ) -> None:
        self.token = token
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.limited = 0  # sync requests answered 429
        self._window = -1
        self._window_used = 0
        self.client_ids = {client_id}
        self.delay = delay
        self.members: dict[MembershipKey, bool] = {}
        self.items = 0
        self.syncs = 0  # sync requests applied
        self.requests: list[Seen] = []
        self.connections = 0  # open client connections
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    # ------------------------------------------------------------------ what tests read

    def state(self) -> dict[MembershipKey, bool]:
        with self._changed:
            return dict(self.members)

    def applied_items(self) -> int:
        with self._changed:
            return self.items

    def wait_until(self, condition: Callable[[LaunchDarklyServer], bool], timeout: float = 30.0) -> bool:
        """Wait until ``condition(server)`` holds (checked under the lock on every change);
        False if it still does not after ``timeout`` seconds, a bound no passing run nears."""
        with self._changed:
            return self._changed.wait_for(lambda: condition(self), timeout)

    # ------------------------------------------------------------------ request handling

    def _receive(
        self, method: str, path: str, authorization: str | None, raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        """Record the request, apply it, and give (status, JSON body, extra headers)."""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        with self._changed:
            self.requests.append(Seen(method, path, authorization, body))
            headers: dict[str, str] = {}
            if self.rate_limit is not None and path == SYNC_PATH and method == "POST":
                limited = self._spend(headers)
                status, answer = limited or self._answer(method, path, authorization, body)
            else:
                status, answer = self._answer(method, path, authorization, body)
            self._changed.notify_all()
        return status, answer, headers

    def _spend(self, headers: dict[str, str]) -> tuple[int, Any] | None:
        """(Under the lock.) Count a sync request in the current window; the 429 answer
        when the window's budget is spent, else ``None``."""
        assert self.rate_limit is not None
        now = time.time()
        window = int(now // self.rate_window)
        if window != self._window:
            self._window, self._window_used = window, 0
        reset_ms = int((window + 1) * self.rate_window * 1000)
        if self._window_used >= self.rate_limit:
            self.limited += 1
            headers.update({
                "X-Ratelimit-Route-Remaining": "0", "X-Ratelimit-Reset": str(reset_ms),
            })
            return 429, {"code": "rate_limited", "message": "Too many requests"}
        self._window_used += 1
        headers.update({
            "X-Ratelimit-Route-Remaining": str(self.rate_limit - self._window_used),
            "X-Ratelimit-Reset": str(reset_ms),
        })
        return None

    def _answer(self, method: str, path: str, authorization: str | None, body: Any) -> tuple[int, Any]:
        goals = GOALS_PATH.match(path)
        if goals is not None and method in ("HEAD", "GET"):
            if goals.group("client_id") in self.client_ids:
                return 200, []
            return 404, {"code": "not_found", "message": "Unknown client-side ID"}
        if path not in (VERSIONS_PATH, SYNC_PATH):
            return 404, {"code": "not_found", "message": f"No route {method} {path}"}
        if authorization != self.token:
            return 401, {"code": "unauthorized", "message": "Invalid access token"}
        if path == VERSIONS_PATH:
            return (200, {"validVersions": [20240415]}) if method == "GET" else (405, {})
        if method != "POST":
            return 405, {"code": "method_not_allowed", "message": "POST only"}
        problem = _sync_problem(body, self.client_ids)
        if problem:
            return 400, {"code": "invalid_request", "message": problem}
        for item in body["batch"]:
            self.members[(item["cohortId"], item["userId"])] = item["value"]
        self.items += len(body["batch"])
        self.syncs += 1
        return 204, None

    def _connection(self, delta: int) -> None:
        with self._changed:
            self.connections += delta
            self._changed.notify_all()

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> LaunchDarklyServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


class _QuietServer(ThreadingHTTPServer):
    """Connections a killed client reset are expected here: no traceback on stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _sync_problem(body: Any, client_ids: set[str]) -> str | None:
    """What is wrong with a sync body, or None (the checks a real sync depends on)."""
    if not isinstance(body, dict) or not isinstance(body.get("batch"), list):
        return "expected a JSON object with a batch array"
    if body.get("environmentId") not in client_ids:
        return f"unknown environmentId {body.get('environmentId')!r}"
    for i, item in enumerate(body["batch"]):
        if not isinstance(item, dict):
            return f"batch[{i}] is not an object"
        if not isinstance(item.get("userId"), str) or not isinstance(item.get("cohortId"), str):
            return f"batch[{i}] needs string userId and cohortId"
        if not isinstance(item.get("value"), bool):
            return f"batch[{i}].value must be a boolean"
    return None


def _handler_for(server: LaunchDarklyServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            server._connection(+1)

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                server._connection(-1)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if len(raw) < length:  # the client died mid-body: nothing to apply or answer
                self.close_connection = True
                return
            status, answer, extra = server._receive(
                self.command, self.path, self.headers.get("Authorization"), raw
            )
            slow = status < 300 and self.command == "POST" and server.delay
            if slow and server._stopping.wait(server.delay):  # the server stops: no answer
                self.close_connection = True
                return
            payload = b"" if answer is None else json.dumps(answer).encode()
            try:
                self.send_response(status)
                if payload:
                    self.send_header("Content-Type", "application/json")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
            except OSError:  # the client is gone (killed): nothing to answer
                self.close_connection = True

        do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output is for the tests."""

    return Handler
