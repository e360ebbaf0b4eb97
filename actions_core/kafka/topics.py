"""Creating the topics a queue needs: the event topic and its dead-letter topic.

``serve`` and ``consume`` both call :func:`ensure_topics` at start, so whichever starts first
creates them; a topic that exists is left as it is (its partition count included: adding
partitions to a live topic would move keys between partitions and break their order). The
replication factor is the broker's default (``-1``), so a cluster's policy applies.
"""

from __future__ import annotations

from collections.abc import Sequence

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from actions_core.errors import BrokerUnavailableError, QueueError

DEFAULT_PARTITIONS = 12
BROKER_DEFAULT_REPLICATION = -1


def ensure_topics(
    bootstrap_servers: str,
    topics: Sequence[str],
    *,
    partitions: int = DEFAULT_PARTITIONS,
    timeout: float = 10.0,
) -> list[str]:
    """Create those of ``topics`` that do not exist yet; returns the ones created.

    Raises :class:`BrokerUnavailableError` when the brokers cannot be reached within
    ``timeout`` and :class:`QueueError` when the broker refuses to create one."""
    if partitions < 1:
        raise ValueError("partitions must be at least 1")
    admin = AdminClient({"bootstrap.servers": bootstrap_servers, "socket.timeout.ms": 5000})
    try:
        existing = admin.list_topics(timeout=timeout).topics
    except KafkaException as exc:
        raise BrokerUnavailableError(
            f"cannot reach the Kafka brokers {bootstrap_servers}: {_reason(exc)}"
        ) from exc
    missing = [t for t in dict.fromkeys(topics) if t not in existing]
    if not missing:
        return []
    futures = admin.create_topics(
        [NewTopic(t, num_partitions=partitions, replication_factor=BROKER_DEFAULT_REPLICATION)
         for t in missing],
        operation_timeout=timeout,
        request_timeout=timeout,
    )
    created = []
    for topic, future in futures.items():
        try:
            future.result(timeout=timeout)
        except KafkaException as exc:
            if exc.args and exc.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue  # another process created it meanwhile
            raise QueueError(f"cannot create the topic {topic!r}: {_reason(exc)}") from exc
        created.append(topic)
    return created


def _reason(exc: KafkaException) -> str:
    error = exc.args[0] if exc.args else None
    return error.str() if isinstance(error, KafkaError) else str(exc)


__all__ = ["BROKER_DEFAULT_REPLICATION", "DEFAULT_PARTITIONS", "ensure_topics"]
