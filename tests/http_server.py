"""A real HTTP/1.1 server on 127.0.0.1 for tests, with programmable replies.

Tests never touch the internet: they start this server on port 0 and point the client at
``server.url``. Each request takes the next queued :class:`Reply` (or the default one) and is
recorded. A reply can delay (interruptibly, so teardown never waits on it), echo the request's
headers into its body, close the connection without answering, reset it, or trickle an endless
response a byte at a time (status line and headers included).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Reply:
    """What the server answers to one request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str | dict[str, Any] | list[Any] = b""
    reason: str | None = None  # None: the standard phrase; "" sends no phrase at all
    delay: float = 0.0
    close: bool = False  # close the connection without any response
    reset: bool = False  # reset the connection (TCP RST) without any response
    echo_headers: bool = False  # body = the request's headers as JSON
    trickle: float = 0.0  # > 0: send the response one byte per this many seconds, never ending


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes
    client_port: int

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        return json.loads(self.body)


class LocalServer:
    """``with LocalServer() as server: ... server.url ...``"""

    def __init__(self) -> None:
        self._replies: deque[Reply] = deque()
        self.default = Reply(status=200, body={"ok": True})
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.received = threading.Event()  # set on every request, for tests that synchronise
        self.answered = threading.Event()  # set once a reply has been written in full
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def queue(self, *replies: Reply) -> None:
        """Replies for the next requests, in order; then ``default``."""
        with self._lock:
            self._replies.extend(replies)

    def _next(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            reply = self._replies.popleft() if self._replies else self.default
        self.received.set()
        return reply

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so pooling is observable
        disable_nagle_algorithm = True  # headers and body in separate writes: no 40 ms stalls

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            recorded = Recorded(
                method=self.command,
                path=self.path,
                headers=list(self.headers.items()),
                body=body,
                client_port=self.client_address[1],
            )
            reply = server._next(recorded)
            if reply.delay and server._stopping.wait(reply.delay):
                self.close_connection = True
                return
            if reply.reset:
                linger = struct.pack("ii", 1, 0)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.close_connection = True
                return
            if reply.close:
                self.close_connection = True
                return
            if reply.trickle:
                self._trickle(reply.trickle)
                return
            payload = _encode(dict(recorded.headers) if reply.echo_headers else reply.body)
            try:
                self.send_response(reply.status, reply.reason)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                self.wfile.flush()
                server.answered.set()
            except OSError:  # the client gave up (a timeout test): nothing to answer
                self.close_connection = True

        def _trickle(self, interval: float) -> None:
            """One byte at a time until the client hangs up or the server stops: every read
            the client makes returns something, so no per-read timeout ever fires."""
            self.close_connection = True
            head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n"
            sent = 0
            while not server._stopping.wait(interval):
                try:
                    self.wfile.write(head[sent : sent + 1] if sent < len(head) else b"x")
                    self.wfile.flush()
                except OSError:
                    return
                sent += 1

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output is for the tests."""

    return Handler


def _encode(body: bytes | str | dict[str, Any] | list[Any]) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def serve() -> Iterator[LocalServer]:
    """Body of a pytest fixture: ``yield from serve()``."""
    with LocalServer() as server:
        yield server


class Recorder:
    """An injectable ``sleep`` that records waits instead of sleeping (and a clock that
    advances by them), so tests assert on waits, never on wall time."""

    def __init__(self, on_sleep: Callable[[float], None] | None = None) -> None:
        self.waits: list[float] = []
        self.now = 0.0
        self._on_sleep = on_sleep

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        if self._on_sleep is not None:
            self._on_sleep(seconds)

    def clock(self) -> float:
        return self.now
