"""The HTTP side of ``serve`` (aiohttp): Segment's HTTP Tracking API in, the queue out.

A request is answered ``200 {"success": true}`` only after the queue's writer has committed
its events durably (:mod:`actions_core.queue.writer`); the handler awaits that commit and
nothing else, so intake never waits on delivery. Everything else is answered with
``{"success": false, "error": "..."}`` naming what is wrong:

* 400: invalid JSON, a batch item that is not an event object, an event over 32 KB;
* 401: a missing or wrong write key (constant-time comparison; the key is never logged);
* 413: a request over 500 KB (after gzip decoding: aiohttp decodes ``Content-Encoding: gzip``
  while we read, and we stop reading at the limit, so a gzip bomb costs nothing);
* 429 with ``Retry-After``: the queue is deeper than ``max_depth`` or the data folder holds
  more than ``max_disk_bytes`` (Segment's clients back off and retry);
* 503 with ``Retry-After``: the service is shutting down, or the queue cannot be written.

Operations: ``GET /health`` (up), ``GET /ready`` (queue writable and delivery not paused;
else 503 with the reason), ``GET /metrics`` (Prometheus text).

Why aiohttp: it was the fastest well-kept server measured on this machine (about 146k
events/s with no store against about 110k for uvicorn or granian with Starlette), it is one
dependency with no ASGI layer in between, its request parser decodes gzip while we read (so
the 500 KB limit applies to the decoded body at no extra cost), and a plain asyncio loop lets
the handler await the writer thread's commit through a future.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from aiohttp import web

from actions_core.errors import IntakeError
from actions_core.intake.auth import WriteKeys, basic_user
from actions_core.intake.segment import (
    EVENT_TYPES,
    MAX_REQUEST_BYTES,
    Accepted,
    accept_batch,
    accept_single,
    now_iso,
    parse_body,
)
from actions_core.queue.writer import Done
from actions_core.serve.logs import LifecycleLog
from actions_core.serve.metrics import CONTENT_TYPE, Metrics


class EventQueue(Protocol):
    """What the intake needs of a queue: the SQLite :class:`~actions_core.queue.writer.Writer`,
    or a Kafka topic (:class:`actions_core.kafka.intake.KafkaQueue`)."""

    @property
    def depth(self) -> int: ...

    @property
    def error(self) -> BaseException | None: ...

    def append(self, message_ids: Sequence[str], bodies: Sequence[bytes], done: Done) -> None: ...


RETRY_AFTER = 5
"""Seconds a refused client is asked to wait (429/503)."""

DISK_CHECK_INTERVAL = 0.5


@dataclass(frozen=True)
class IntakeLimits:
    max_depth: int = 10_000_000
    """Pending events above which requests get 429."""
    max_disk_bytes: int = 20 * 1024**3
    """Bytes in the queue's files above which requests get 429."""


class Intake:
    """The aiohttp application and the state its handlers share."""

    def __init__(
        self,
        writer: EventQueue,
        keys: WriteKeys,
        metrics: Metrics,
        log: LifecycleLog,
        *,
        limits: IntakeLimits = IntakeLimits(),
        disk_used: Callable[[], int],
        not_ready: Callable[[], str | None],
    ) -> None:
        self.writer = writer
        self.keys = keys
        self.metrics = metrics
        self.log = log
        self.limits = limits
        self._disk_used = disk_used
        self._not_ready = not_ready
        self._disk = 0
        self._disk_checked = 0.0
        self.draining = False
        self.inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES * 4)
        app.router.add_post("/v1/batch", self._intake(None))
        for kind in EVENT_TYPES:
            app.router.add_post(f"/v1/{kind}", self._intake(kind))
        app.router.add_get("/health", self._health)
        app.router.add_get("/ready", self._ready)
        app.router.add_get("/metrics", self._metrics)
        return app

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no intake request is in flight (after :attr:`draining` is set)."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    # ------------------------------------------------------------------ intake

    def _intake(self, kind: str | None) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            if self.draining:
                return self._refuse(503, "the service is shutting down; send again later", True)
            started = time.perf_counter()
            self.inflight += 1
            self._idle.clear()
            try:
                response = await self._accept(request, kind)
            except IntakeError as exc:
                response = self._refuse(exc.status, str(exc), exc.status in (429, 503))
            finally:
                self.inflight -= 1
                if not self.inflight:
                    self._idle.set()
            self.metrics.intake_latency.observe(time.perf_counter() - started)
            return response

        return handle

    async def _accept(self, request: web.Request, kind: str | None) -> web.Response:
        header_key = basic_user(request.headers.get("Authorization"))
        if header_key is not None and not self.keys.valid(header_key):
            raise IntakeError(401, "the write key is not valid")
        raw = await _read_limited(request)
        received_at = now_iso()
        try:
            body = parse_body(raw)
            accepted = (
                accept_batch(body, received_at) if kind is None
                else accept_single(body, kind, received_at)
            )
        except IntakeError:
            if header_key is None and self.keys.required:
                raise IntakeError(401, "a write key is required (HTTP Basic user name or writeKey)") from None
            raise
        if header_key is None and not self.keys.valid(accepted.write_key):
            if accepted.write_key is None:
                raise IntakeError(401, "a write key is required (HTTP Basic user name or writeKey)")
            raise IntakeError(401, "the write key is not valid")
        self._check_capacity()
        queued = await self._store(accepted)
        self.metrics.received.inc(queued)
        if queued < len(accepted.bodies):
            self.metrics.duplicates.inc(len(accepted.bodies) - queued)
        return web.Response(body=b'{"success":true}', content_type="application/json")

    def _check_capacity(self) -> None:
        if self.writer.depth >= self.limits.max_depth:
            raise IntakeError(
                429, f"the queue holds {self.writer.depth} events (limit {self.limits.max_depth}); "
                "send again later",
            )
        now = time.monotonic()
        if now - self._disk_checked >= DISK_CHECK_INTERVAL:
            self._disk = self._disk_used()
            self._disk_checked = now
        if self._disk >= self.limits.max_disk_bytes:
            raise IntakeError(
                429, f"the queue uses {self._disk} bytes of disk (limit {self.limits.max_disk_bytes}); "
                "send again later",
            )

    async def _store(self, accepted: Accepted) -> int:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()

        def done(result: Any, error: BaseException | None) -> None:
            loop.call_soon_threadsafe(_settle, future, result, error)

        self.writer.append(accepted.message_ids, accepted.bodies, done)
        try:
            # Shielded: a client that goes away does not cancel a commit under way.
            return await asyncio.shield(future)
        except IntakeError:
            raise
        except Exception as exc:
            self.log("queue_write_failed", "error", error=str(exc))
            raise IntakeError(503, f"the queue cannot be written: {exc}") from None

    def _refuse(self, status: int, message: str, retry: bool) -> web.Response:
        self.metrics.refused.labels(str(status)).inc()
        headers = {"Retry-After": str(RETRY_AFTER)} if retry else {}
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="actions-core"'
        body = orjson.dumps({"success": False, "error": message})
        return web.Response(status=status, body=body, headers=headers, content_type="application/json")

    # ------------------------------------------------------------------ operations

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "up"})

    async def _ready(self, request: web.Request) -> web.Response:
        reason = "the service is shutting down" if self.draining else self._not_ready()
        if reason is None and self.writer.error is not None:
            reason = f"the queue cannot be written: {self.writer.error}"
        if reason is None:
            return web.json_response({"ready": True})
        return web.json_response({"ready": False, "reason": reason}, status=503)

    async def _metrics(self, request: web.Request) -> web.Response:
        response = web.Response(body=self.metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response


def _settle(future: asyncio.Future[int], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(int(result))


async def _read_limited(request: web.Request) -> bytes:
    """The (decoded) body, refused with 413 past the request limit."""
    limit = MAX_REQUEST_BYTES
    too_big = IntakeError(413, f"the request is larger than the limit of 500 KB ({limit} bytes)")
    declared = request.content_length
    encoded = request.headers.get("Content-Encoding", "identity").lower() != "identity"
    if declared is not None and declared > limit and not encoded:
        raise too_big
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > limit:
                raise too_big
            parts.append(chunk)
    except IntakeError:
        raise
    except Exception as exc:  # a body that does not decode (bad gzip)
        raise IntakeError(400, f"request body: cannot decode it: {exc}") from None
    return b"".join(parts)


__all__ = ["RETRY_AFTER", "Intake", "IntakeLimits"]
