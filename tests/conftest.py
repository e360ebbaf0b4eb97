"""Shared test configuration. Fixtures for destination authors live in the pytest plugin
``actions_core.testing.pytest_plugin``; this file only holds what the project's own suite needs."""

from collections.abc import Iterator

import pytest

from tests.kafka_broker import KafkaBroker


@pytest.fixture(scope="module")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """A Kafka-protocol broker (Tansu) on 127.0.0.1 for one test module."""
    with KafkaBroker(log=tmp_path_factory.mktemp("kafka") / "broker.log") as broker:
        yield broker
