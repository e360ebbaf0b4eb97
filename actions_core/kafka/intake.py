"""``serve --queue kafka://HOST:PORT/TOPIC``: the intake's queue is a Kafka topic.

The intake hands each accepted request's events to :meth:`KafkaQueue.append` and answers 200
only when ``done`` reports them stored; here that is when the broker acknowledged every one
(``acks=all``). A broker that does not acknowledge within the delivery timeout makes
``done`` report an error, and the intake answers 503 with ``Retry-After``. Delivery is not
this process's job: ``actions-core consume`` workers do it (docs/kafka.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from actions_core.kafka.producer import EventProducer, message_key

_DECODE = msgspec.json.Decoder().decode


def body_key(body: bytes) -> bytes | None:
    """The message key of one queued event body (its JSON text)."""
    try:
        event = _DECODE(body)
    except (msgspec.DecodeError, RecursionError):
        return None
    return message_key(event) if isinstance(event, dict) else None


class KafkaQueue:
    """What the intake needs of a queue, on a topic: ``append``, ``depth``, ``error``,
    ``sync`` and ``close``. Nothing is queued locally, so ``depth`` is 0."""

    depth = 0
    error: BaseException | None = None

    def __init__(self, producer: EventProducer) -> None:
        self._producer = producer

    def append(
        self,
        message_ids: Sequence[str],
        bodies: Sequence[bytes],
        done: Callable[[Any, BaseException | None], None],
    ) -> None:
        count = len(bodies)
        self._producer.produce_values_then(
            [(body_key(body), body) for body in bodies],
            lambda error: done(count, None) if error is None else done(None, error),
        )

    def sync(self, timeout: float | None = None) -> bool:
        """Wait until what was produced is acknowledged (or ``timeout`` passes)."""
        return self._producer.flush(10.0 if timeout is None else timeout)

    def close(self, timeout: float = 30.0) -> None:
        self._producer.close(timeout)


class NoDelivery:
    """Delivery as ``serve`` drives it, for a Kafka queue: the consume workers deliver."""

    paused: str | None = None

    def start(self) -> None:
        """Nothing to start."""

    def stop(self, timeout: float) -> bool:
        return True


__all__ = ["KafkaQueue", "NoDelivery", "body_key"]
