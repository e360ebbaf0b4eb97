"""``actions-core serve``: the intake, the queue's writer and delivery, started and drained.

Threads: the asyncio event loop (aiohttp: intake and operations endpoints), the queue's writer
(every commit), delivery (the engine's reader, plus its ticker and workers). Intake and
delivery share nothing but the queue, so intake never waits on delivery.

SIGTERM or SIGINT drains: new intake requests get 503, requests in flight finish (within
``drain_timeout`` seconds), delivery stops reading and finishes the batches it holds within
what is left of the timeout, the writer commits what it was given, and the process exits 0.
Whatever was not delivered stays queued for the next start.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import IO, Protocol

import httpx
from aiohttp import web

from actions_core.http.deadline import GuardedTransport
from actions_core.http.dry_run import DryRunTransport
from actions_core.instance import Instance
from actions_core.intake.app import Intake, IntakeLimits
from actions_core.intake.auth import WriteKeys
from actions_core.kafka.address import SCHEME as KAFKA_SCHEME
from actions_core.queue import store
from actions_core.queue.url import DEFAULT_QUEUE, sqlite_path
from actions_core.queue.writer import DEDUP_WINDOW, Writer
from actions_core.redaction import Redactor
from actions_core.runtime.engine import RunOptions
from actions_core.serve.delivery import Delivery
from actions_core.serve.logs import LifecycleLog
from actions_core.serve.metrics import Metrics
from actions_core.serve.pacing import PacedTransport
from actions_core.serve.transport import MeteredTransport


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    queue: str = DEFAULT_QUEUE
    dry_run: bool = False
    output: str | None = None
    """Where a dry run writes its requests (``None`` or ``-``: stdout)."""
    drain_timeout: float = 10.0
    probe_interval: float = 5.0
    """Seconds between two checks of the destination while delivery is paused."""
    dedup_window: float = DEDUP_WINDOW
    partitions: int = 12
    """Partitions of a Kafka topic ``serve`` creates (``--queue kafka://...``)."""
    limits: IntakeLimits = field(default_factory=IntakeLimits)
    run: RunOptions = field(default_factory=RunOptions)


def serve(
    instance: Instance,
    options: ServeOptions,
    keys: WriteKeys,
    *,
    log: LifecycleLog | None = None,
    transport: httpx.BaseTransport | None = None,
) -> int:
    """Run until SIGTERM/SIGINT; the exit code (0 after a drain). Raises ``QueueError`` when
    the queue cannot be opened and ``OSError`` when the address cannot be bound (before any
    request is taken)."""
    secrets = (*instance.secrets, *keys.secrets())
    redactor = Redactor(secrets)
    log = log or LifecycleLog(redact=redactor.redact)
    if options.queue.startswith(KAFKA_SCHEME):
        return _serve_kafka(instance, options, keys, log)
    path = sqlite_path(options.queue)
    with ExitStack() as stack:
        writer = Writer(path, dedup_window=options.dedup_window)
        stack.callback(writer.close)
        reader = store.connect(path)
        stack.callback(reader.close)
        metrics = Metrics()
        metrics.watch_queue(lambda: writer.depth, _oldest_age(reader))
        inner: httpx.BaseTransport
        if options.dry_run:
            out = _dry_run_output(stack, options.output)
            inner = DryRunTransport(_line_writer(out), redactor=Redactor(instance.secrets))
        else:
            inner = transport or GuardedTransport()  # each attempt kept to its deadline
        metered = MeteredTransport(inner, metrics)
        stack.callback(metered.shutdown)
        paced = metered if options.dry_run else PacedTransport(metered)
        delivery = Delivery(
            instance, writer, options=options.run, transport=paced, metrics=metrics, log=log,
            probe_interval=options.probe_interval,
        )
        intake = Intake(
            writer, keys, metrics, log, limits=options.limits,
            disk_used=lambda: store.bytes_on_disk(path), not_ready=lambda: delivery.paused,
        )
        return asyncio.run(_run(intake, delivery, writer, instance, options, keys, log, str(path)))
    raise AssertionError("unreachable")  # pragma: no cover  (ExitStack does not swallow)


def _serve_kafka(
    instance: Instance, options: ServeOptions, keys: WriteKeys, log: LifecycleLog
) -> int:
    """``--queue kafka://HOST:PORT/TOPIC``: accepted events go to the topic (answered 200
    once the broker acknowledged them); ``actions-core consume`` workers deliver them
    (docs/kafka.md)."""
    from actions_core.kafka.address import parse_address
    from actions_core.kafka.intake import KafkaQueue, NoDelivery
    from actions_core.kafka.producer import EventProducer
    from actions_core.kafka.topics import ensure_topics

    address = parse_address(options.queue)
    ensure_topics(
        address.bootstrap_servers, [address.topic, address.dead_letter_topic],
        partitions=options.partitions,
    )
    queue = KafkaQueue(EventProducer(address.bootstrap_servers, address.topic))
    try:
        metrics = Metrics()
        metrics.watch_queue(lambda: 0, lambda: 0.0)
        intake = Intake(
            queue, keys, metrics, log, limits=options.limits,
            disk_used=lambda: 0, not_ready=lambda: None,
        )
        return asyncio.run(
            _run(intake, NoDelivery(), queue, instance, options, keys, log, str(address))
        )
    finally:
        queue.close()


class _Delivery(Protocol):
    def start(self) -> None: ...

    def stop(self, timeout: float) -> bool: ...


class _Queue(Protocol):
    @property
    def depth(self) -> int: ...

    def sync(self, timeout: float | None = None) -> bool: ...


async def _run(
    intake: Intake,
    delivery: _Delivery,
    writer: _Queue,
    instance: Instance,
    options: ServeOptions,
    keys: WriteKeys,
    log: LifecycleLog,
    queue_path: str,
) -> int:
    runner = web.AppRunner(intake.app(), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, options.host, options.port)
        await site.start()
        host, port = runner.addresses[0][:2]
        delivery.start()
        auth = (
            "write key required" if keys.required
            else "no write key set: listening on a loopback address only, every request accepted"
        )
        log(
            "start", url=f"http://{_url_host(str(host))}:{port}", port=port, queue=queue_path,
            pending=writer.depth, destination=instance.destination.slug,
            mappings=[s.name for s in instance.subscriptions if s.enabled],
            dry_run=options.dry_run, auth=auth,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        started = time.monotonic()
        intake.draining = True
        log("drain", inflight=intake.inflight, timeout=options.drain_timeout)
        drained = await intake.wait_idle(options.drain_timeout)
        left = max(0.1, options.drain_timeout - (time.monotonic() - started))
        stopped = await loop.run_in_executor(None, delivery.stop, left)
    finally:
        await runner.cleanup()
    writer.sync(timeout=max(1.0, options.drain_timeout))
    log(
        "stop", requests_drained=drained, delivery_stopped=stopped, pending=writer.depth,
        seconds=round(time.monotonic() - started, 3),
    )
    return 0


def _oldest_age(reader: sqlite3.Connection) -> Callable[[], float]:
    def age() -> float:
        oldest = store.oldest_received(reader)
        return 0.0 if oldest is None else max(0.0, time.time() - oldest)

    return age


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _dry_run_output(stack: ExitStack, output: str | None) -> IO[bytes]:
    if output is None or output == "-":
        return sys.stdout.buffer
    return stack.enter_context(open(output, "ab"))


def _line_writer(out: IO[bytes]) -> Callable[[bytes], None]:
    def write(line: bytes) -> None:
        out.write(line + b"\n")
        out.flush()  # a dry run is watched live

    return write


__all__ = ["ServeOptions", "serve"]
