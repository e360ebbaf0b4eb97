"""Topics and the producer, against a Kafka-protocol broker started on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from confluent_kafka.admin import AdminClient

from actions_core.errors import BrokerUnavailableError
from actions_core.kafka import EventProducer, ensure_topics, message_key
from tests.kafka_broker import KafkaBroker, read_topic
from tests.processes import free_port


def partition_counts(bootstrap: str) -> dict[str, int]:
    topics = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10).topics
    return {name: len(meta.partitions) for name, meta in topics.items()}


def test_missing_topics_are_created_with_the_partitions_asked_for(kafka_broker: KafkaBroker) -> None:
    created = ensure_topics(kafka_broker.bootstrap, ["orders", "orders.dead-letter"], partitions=3)
    assert created == ["orders", "orders.dead-letter"]
    counts = partition_counts(kafka_broker.bootstrap)
    assert counts["orders"] == counts["orders.dead-letter"] == 3


def test_an_existing_topic_is_left_as_it_is(kafka_broker: KafkaBroker) -> None:
    ensure_topics(kafka_broker.bootstrap, ["kept"], partitions=2)
    assert ensure_topics(kafka_broker.bootstrap, ["kept"], partitions=12) == []
    assert partition_counts(kafka_broker.bootstrap)["kept"] == 2


def test_the_default_is_twelve_partitions(kafka_broker: KafkaBroker) -> None:
    ensure_topics(kafka_broker.bootstrap, ["twelve"])
    assert partition_counts(kafka_broker.bootstrap)["twelve"] == 12


@pytest.mark.parametrize(
    ("event", "key"),
    [
        ({"userId": "u1", "anonymousId": "a1", "messageId": "m1"}, b"u1"),
        ({"anonymousId": "a1", "messageId": "m1"}, b"a1"),
        ({"userId": "", "messageId": "m1"}, b"m1"),
        ({"userId": 42}, b"42"),
        ({"type": "track"}, None),
    ],
)
def test_the_key_is_the_user_id_else_the_anonymous_id_else_the_message_id(
    event: dict[str, object], key: bytes | None
) -> None:
    assert message_key(event) == key


def test_produced_events_are_json_values_and_one_users_events_share_a_partition(
    kafka_broker: KafkaBroker,
) -> None:
    ensure_topics(kafka_broker.bootstrap, ["people"], partitions=6)
    events = [{"userId": f"user-{n % 5}", "messageId": f"m{n}", "n": n} for n in range(60)]
    with EventProducer(kafka_broker.bootstrap, "people") as producer:
        producer.produce_batch(events)  # returns once all 60 are acknowledged

    messages = read_topic(kafka_broker.bootstrap, "people", 60)
    assert sorted(json.loads(m.value())["n"] for m in messages) == list(range(60))
    partitions: dict[bytes, set[int]] = {}
    for m in messages:
        partitions.setdefault(m.key(), set()).add(m.partition())
        assert m.key() == json.loads(m.value())["userId"].encode()
    assert all(len(p) == 1 for p in partitions.values())
    by_user = [json.loads(m.value())["n"] for m in messages if m.key() == b"user-3"]
    assert by_user == sorted(by_user)  # one partition keeps their order


def test_an_unreachable_broker_raises_broker_unavailable_with_a_retry_after() -> None:
    dead = f"127.0.0.1:{free_port()}"
    producer = EventProducer(dead, "events", delivery_timeout=1.0, retry_after=7.0)
    with producer, pytest.raises(BrokerUnavailableError, match="did not store") as caught:
        producer.produce_batch([{"userId": "u1"}])
    assert caught.value.retry_after == 7.0


def test_topics_cannot_be_ensured_on_an_unreachable_broker() -> None:
    with pytest.raises(BrokerUnavailableError, match="cannot reach the Kafka brokers"):
        ensure_topics(f"127.0.0.1:{free_port()}", ["t"], timeout=1.0)
