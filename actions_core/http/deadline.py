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

The guard works on the thread that sends: httpx's sync client runs each request on the
caller's thread, so the deadline is thread-local and one client serves all worker threads.
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


class AttemptGuard:
    """The deadline of the attempt in progress on each thread, and the run's stop switch."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._stopped = threading.Event()
        self._reason = ""

    @contextmanager
    def attempt(self, seconds: float) -> Iterator[None]:
        """Every socket operation of this thread's attempt ends within ``seconds``."""
        self._local.deadline = time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.deadline = None

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

    def left(self, timeout: float | None) -> float | None:
        """What remains of ``timeout`` under this thread's deadline (``None``: no limit)."""
        deadline: float | None = getattr(self._local, "deadline", None)
        if deadline is None:
            return timeout
        remaining = deadline - time.monotonic()
        return remaining if timeout is None else min(timeout, remaining)


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, guard: AttemptGuard) -> None:
        self._inner = inner
        self._guard = guard

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._guard.stopped:
                raise self._guard.abandoned()
            left = self._guard.left(None if end is None else end - time.monotonic())
            if left is not None and left <= 0:
                raise httpcore.ReadTimeout("the request's deadline passed")
            wait = STOP_CHECK_INTERVAL if left is None else min(left, STOP_CHECK_INTERVAL)
            try:
                return self._inner.read(max_bytes, wait)
            except httpcore.ReadTimeout:
                continue  # nothing was read: check the deadline and the stop, then wait on

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        left = self._guard.left(timeout)
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
        inner = self._inner.start_tls(ssl_context, server_hostname, _connect_left(self._guard, timeout))
        return _GuardedStream(inner, self._guard)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _connect_left(guard: AttemptGuard, timeout: float | None) -> float | None:
    left = guard.left(timeout)
    if left is not None and left <= 0:
        raise httpcore.ConnectTimeout("the request's deadline passed")
    return left


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, its streams kept to the guard's deadline and stop."""

    def __init__(self, guard: AttemptGuard) -> None:
        self._guard = guard
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
            host, port, _connect_left(self._guard, timeout), local_address, socket_options
        )
        return _GuardedStream(stream, self._guard)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, _connect_left(self._guard, timeout), socket_options
        )
        return _GuardedStream(stream, self._guard)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's default transport (HTTP/1.1, TLS verified, its default pool limits) on
    sockets from a :class:`GuardedBackend`."""

    def __init__(self, guard: AttemptGuard) -> None:
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(guard),
        )


__all__ = ["AttemptGuard", "GuardedBackend", "GuardedTransport"]
