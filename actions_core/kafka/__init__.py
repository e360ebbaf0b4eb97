"""Scaling out on Kafka (docs/kafka.md): ``serve --queue kafka://...`` produces accepted
events to a topic, ``actions-core consume`` workers in a consumer group deliver them.

* :mod:`~actions_core.kafka.address`: ``kafka://HOST:PORT[,HOST:PORT...]/TOPIC``;
* :mod:`~actions_core.kafka.topics`: creating the topic and its dead-letter topic;
* :mod:`~actions_core.kafka.producer`: events to the topic, acknowledged by the broker;
* :mod:`~actions_core.kafka.ledger`: which offsets may be committed;
* :mod:`~actions_core.kafka.interruptions`: outcomes that pause instead of dead-lettering;
* :mod:`~actions_core.kafka.dead_letters`: dead letters to the dead-letter topic;
* :mod:`~actions_core.kafka.metrics`: Prometheus metrics;
* :mod:`~actions_core.kafka.worker`: the consume worker.
"""

from actions_core.kafka.address import KafkaAddress, parse_address
from actions_core.kafka.producer import EventProducer, message_key
from actions_core.kafka.topics import DEFAULT_PARTITIONS, ensure_topics
from actions_core.kafka.worker import ConsumeOptions, ConsumeWorker, WorkerSummary

__all__ = [
    "DEFAULT_PARTITIONS",
    "ConsumeOptions",
    "ConsumeWorker",
    "EventProducer",
    "KafkaAddress",
    "WorkerSummary",
    "ensure_topics",
    "message_key",
    "parse_address",
]
