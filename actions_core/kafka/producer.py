"""Producing events to a topic: one message per event, acknowledged by every in-sync replica.

* value: the event as compact JSON; key: ``userId``, else ``anonymousId``, else ``messageId``
  (:func:`message_key`), so that one person's events share a partition and keep their order
  (docs/kafka.md, "Why the order holds");
* ``acks=all`` and the idempotent producer: a retry inside the client never writes a message
  twice or out of order;
* :meth:`EventProducer.produce_batch` returns only once the broker acknowledged every event
  given, and raises :class:`~actions_core.errors.BrokerUnavailableError` when it did not
  within ``delivery_timeout`` (the intake then answers 503 with ``Retry-After``).

One producer serves every thread (librdkafka's is thread-safe); a daemon thread polls it so
that delivery reports arrive while callers wait.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

import orjson
from confluent_kafka import KafkaError, Message, Producer

from actions_core.errors import BrokerUnavailableError

KEY_FIELDS = ("userId", "anonymousId", "messageId")


def message_key(event: Mapping[str, Any]) -> bytes | None:
    """The first of ``userId``, ``anonymousId``, ``messageId`` that is set, as UTF-8."""
    for name in KEY_FIELDS:
        value = event.get(name)
        if isinstance(value, str):
            if value:
                return value.encode()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            return str(value).encode()
    return None


def producer_config(bootstrap_servers: str, delivery_timeout: float) -> dict[str, Any]:
    """librdkafka settings for a durable, ordered producer (docs/kafka.md, "Broker
    settings")."""
    return {
        "bootstrap.servers": bootstrap_servers,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        "compression.type": "lz4",
        "log.connection.close": False,  # idle connections a broker closes are no news
        "message.timeout.ms": max(1, int(delivery_timeout * 1000)),
        "socket.timeout.ms": max(10, int(min(delivery_timeout, 10.0) * 1000)),
    }


def encode_event(event: Mapping[str, Any]) -> bytes:
    """The event as compact JSON (integers beyond 64 bits too, which orjson refuses)."""
    try:
        return orjson.dumps(event)
    except TypeError:
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


class _Acks:
    """Delivery reports of one batch: done when every message was acknowledged or failed."""

    __slots__ = ("_done", "_left", "_lock", "_then", "error")

    def __init__(self, count: int, then: Callable[[str | None], None] | None = None) -> None:
        self._left = count
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._then = then
        self.error: str | None = None
        if count == 0:
            self._finish()

    def report(self, error: KafkaError | None, _message: Message) -> None:
        self._count(1, None if error is None else error.str())

    def fail(self, count: int, reason: str) -> None:
        """``count`` messages were never handed to the producer."""
        self._count(count, reason)

    def _count(self, count: int, error: str | None) -> None:
        with self._lock:
            if error is not None and self.error is None:
                self.error = error
            self._left -= count
            finished = self._left == 0
        if finished:
            self._finish()

    def _finish(self) -> None:
        self._done.set()
        if self._then is not None:
            self._then(self.error)

    def wait(self, timeout: float) -> bool:
        return self._done.wait(timeout)


class EventProducer:
    """Produces events (or ready-made values) to topics and waits for their acknowledgement."""

    def __init__(
        self,
        bootstrap_servers: str,
        topic: str,
        *,
        delivery_timeout: float = 10.0,
        retry_after: float = 5.0,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.topic = topic
        self.delivery_timeout = delivery_timeout
        self.retry_after = retry_after
        settings = producer_config(bootstrap_servers, delivery_timeout) | dict(config or {})
        self._producer = Producer(settings)
        self._stopped = threading.Event()
        self._poller = threading.Thread(target=self._poll, name="kafka-producer", daemon=True)
        self._poller.start()

    def produce_batch(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Produce every event to the topic; return once the broker acknowledged them all."""
        self.produce_values((message_key(event), encode_event(event)) for event in events)

    def produce_values(
        self, messages: Iterable[tuple[bytes | None, bytes]], *, topic: str | None = None
    ) -> None:
        """Produce ``(key, value)`` messages as they are; return once all are acknowledged."""
        batch = list(messages)
        acks = _Acks(len(batch))
        deadline = time.monotonic() + self.delivery_timeout
        target = topic or self.topic
        produce = self._producer.produce
        for key, value in batch:
            while True:
                try:
                    produce(target, value=value, key=key, on_delivery=acks.report)
                    break
                except BufferError:  # the local queue is full: let deliveries drain it
                    if time.monotonic() >= deadline:
                        raise self._unavailable("the producer's queue stayed full") from None
                    self._producer.poll(0.05)
        if not acks.wait(max(0.0, deadline - time.monotonic()) + 1.0):
            raise self._unavailable("no acknowledgement in time")
        if acks.error is not None:
            raise self._unavailable(acks.error)

    def produce_values_then(
        self,
        messages: Sequence[tuple[bytes | None, bytes]],
        done: Callable[[BrokerUnavailableError | None], None],
    ) -> None:
        """Produce without waiting; ``done`` is called once (on the producer's polling
        thread) when every message is acknowledged (``None``) or one could not be stored.
        librdkafka gives up on a message after ``delivery_timeout``, so ``done`` always
        comes."""
        acks = _Acks(len(messages), lambda error: done(None if error is None else self._unavailable(error)))
        produce = self._producer.produce
        for n, (key, value) in enumerate(messages):
            try:
                produce(self.topic, value=value, key=key, on_delivery=acks.report)
            except BufferError:  # the local queue is full: the broker is not keeping up
                acks.fail(len(messages) - n, "the producer's queue is full")
                return

    def _unavailable(self, reason: str) -> BrokerUnavailableError:
        return BrokerUnavailableError(
            f"Kafka did not store the events in topic {self.topic!r}: {reason}",
            retry_after=self.retry_after,
        )

    def _poll(self) -> None:
        while not self._stopped.is_set():
            self._producer.poll(0.1)

    def flush(self, timeout: float) -> bool:
        """Wait until everything produced is acknowledged; ``False`` when ``timeout`` passed
        first."""
        return int(self._producer.flush(timeout)) == 0

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what is queued (up to ``timeout`` seconds), then stop polling."""
        self._producer.flush(timeout)
        self._stopped.set()
        self._poller.join()

    def __enter__(self) -> EventProducer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


__all__ = ["KEY_FIELDS", "EventProducer", "encode_event", "message_key", "producer_config"]
