"""``kafka://HOST:PORT[,HOST:PORT...]/TOPIC``: parsed at start, a typo is a usage error."""

from __future__ import annotations

import pytest

from actions_core.errors import ConfigError
from actions_core.kafka.address import parse_address


def test_brokers_and_topic_are_read_from_the_address() -> None:
    address = parse_address("kafka://a.example:9092,10.0.0.2:9093/events.v1")
    assert address.brokers == ("a.example:9092", "10.0.0.2:9093")
    assert address.bootstrap_servers == "a.example:9092,10.0.0.2:9093"
    assert address.topic == "events.v1"
    assert address.dead_letter_topic == "events.v1.dead-letter"
    assert str(address) == "kafka://a.example:9092,10.0.0.2:9093/events.v1"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("http://h:1/t", "kafka://HOST:PORT"),
        ("kafka://h:1", "no topic"),
        ("kafka://h:1/", "no topic"),
        ("kafka://h/t", "'h' is not HOST:PORT"),
        ("kafka://h:99999/t", "'h:99999' is not HOST:PORT"),
        ("kafka://h:1/bad topic", "'bad topic' is not a topic name"),
    ],
)
def test_a_malformed_address_names_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        parse_address(text)
