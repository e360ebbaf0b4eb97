"""One deadline for a whole request attempt, and a stop that reaches requests on the wire.

httpx's timeouts are per phase and per socket operation: a server that trickles one byte a
second never trips a 30-second read timeout, and holds a worker (and the run) for as long as
it likes. So the sockets here come from a network backend that knows the attempt's deadline
(connect + send + the full response body): every connect, read and write waits at most until
then, and running out is httpx's own timeout error, which the retry rule already handles.

Reads also wait in short slices and give up between two of them when the run is stopped
(:meth:`AttemptGuard.stop`, raising :class:`~actions_core.errors.RequestAbortedError`, which
httpx passes through as it is): Ctrl-C ends a run promptly even while a worker is in the middle
of a slow response. (A timed-out ``recv`` consumed nothing, so the next slice goes on where
the last left off.) Writes only keep the deadline: a half-sent buffer cannot be resumed.

The attempt is known on the thread that sends: httpx's sync client runs each request on the
caller's thread, so the deadline is thread-local, one transport (and its pooled connections)
serves every worker thread, and a transport shared by several clients keeps each one's own
deadline and stop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from actions_core.errors import RequestAbortedError

STOP_CHECK_INTERVAL = 0.1
"""Seconds a read waits before it looks whether the run was stopped."""


_local = threading.local()  # .attempt: (guard, deadline) of the attempt on this thread


class AttemptGuard:
    """One client's stop switch, and the deadline of its attempt in progress on each thread."""

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._reason = ""

    @contextmanager
    def attempt(self, seconds: float) -> Iterator[None]:
        """Every socket operation of this thread's attempt ends within ``seconds``."""
        previous = getattr(_local, "attempt", None)
        _local.attempt = (self, time.monotonic() + seconds)
        try:
            yield
        finally:
            _local.attempt = previous

    def stop(self, reason: str) -> None:
        """Reads in progress (on any thread) give up at their next check, raising
        :class:`~actions_core.errors.RequestAbortedError` that says ``reason`` (redacted)."""
        if not self._stopped.is_set():
            self._reason = reason
            self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def abandoned(self) -> RequestAbortedError:
        return RequestAbortedError(f"Request abandoned: the run was stopped ({self._reason})")


def _current() -> tuple[AttemptGuard, float] | None:
    current: tuple[AttemptGuard, float] | None = getattr(_local, "attempt", None)
    return current


def _left(timeout: float | None) -> float | None:
    """What remains of ``timeout`` under this thread's attempt deadline (``None``: no limit)."""
    current = _current()
    if current is None:
        return timeout
    remaining = current[1] - time.monotonic()
    return remaining if timeout is None else min(timeout, remaining)


def _connect_left(timeout: float | None) -> float | None:
    left = _left(timeout)
    if left is not None and left <= 0:
        raise httpcore.ConnectTimeout("the request's deadline passed")
    return left


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        current = _current()
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            if current is not None and current[0].stopped:
                raise current[0].abandoned()
            left = _left(None if end is None else end - time.monotonic())
            if left is not None and left <= 0:
                raise httpcore.ReadTimeout("the request's deadline passed")
            wait = STOP_CHECK_INTERVAL if left is None else min(left, STOP_CHECK_INTERVAL)
            try:
                return self._inner.read(max_bytes, wait)
            except httpcore.ReadTimeout:
                continue  # nothing was read: check the deadline and the stop, then wait on

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        left = _left(timeout)
        if left is not None and left <= 0:
            raise httpcore.WriteTimeout("the request's deadline passed")
        self._inner.write(buffer, left)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _GuardedStream(
            self._inner.start_tls(ssl_context, server_hostname, _connect_left(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, its streams kept to the deadline and stop of the attempt in
    progress on the calling thread (:meth:`AttemptGuard.attempt`), if any."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _connect_left(timeout), local_address, socket_options
        )
        return _GuardedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, _connect_left(timeout), socket_options)
        return _GuardedStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's default transport (HTTP/1.1, TLS verified, its default pool limits) on
    sockets from a :class:`GuardedBackend`. Any :class:`~actions_core.http.client.
    RequestClient` sending through it (``RequestClient(transport=...)`` too, as ``serve``
    does, through its own wrappers) has its attempts kept to their deadline."""

    def __init__(self) -> None:
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(),
        )


__all__ = ["AttemptGuard", "GuardedBackend", "GuardedTransport"]
