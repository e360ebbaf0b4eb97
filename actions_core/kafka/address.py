"""Where a queue lives: ``kafka://HOST:PORT[,HOST:PORT...]/TOPIC`` (docs/kafka.md).

Parsed once, when a command starts, so that a typo is a usage error before anything is read
or sent, never a broker error later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from actions_core.errors import ConfigError

SCHEME = "kafka://"
DEAD_LETTER_SUFFIX = ".dead-letter"

_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})$")
_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
"""Kafka's legal topic names."""


@dataclass(frozen=True)
class KafkaAddress:
    """The brokers to bootstrap from and the topic events go through."""

    brokers: tuple[str, ...]
    topic: str

    @property
    def bootstrap_servers(self) -> str:
        """The brokers as librdkafka's ``bootstrap.servers`` wants them."""
        return ",".join(self.brokers)

    @property
    def dead_letter_topic(self) -> str:
        """The default dead-letter topic: ``TOPIC.dead-letter``."""
        return self.topic + DEAD_LETTER_SUFFIX

    def __str__(self) -> str:
        return f"{SCHEME}{self.bootstrap_servers}/{self.topic}"


def parse_address(text: str) -> KafkaAddress:
    """``kafka://HOST:PORT[,HOST:PORT...]/TOPIC``; a :class:`ConfigError` says what is wrong."""
    if not text.startswith(SCHEME):
        raise ConfigError(f"{text!r}: a queue is written kafka://HOST:PORT[,HOST:PORT...]/TOPIC")
    rest = text[len(SCHEME) :]
    hosts, slash, topic = rest.partition("/")
    if not slash or not topic:
        raise ConfigError(f"{text!r}: no topic; write kafka://HOST:PORT/TOPIC")
    check_topic(topic, text)
    brokers = tuple(h.strip() for h in hosts.split(","))
    for broker in brokers:
        match = _HOST_PORT.match(broker)
        if match is None or not 0 < int(match.group("port")) < 65536:
            raise ConfigError(f"{text!r}: {broker!r} is not HOST:PORT")
    return KafkaAddress(brokers, topic)


def check_topic(topic: str, where: str) -> str:
    """``topic`` when Kafka accepts it as a topic name, else a :class:`ConfigError`."""
    if not _TOPIC.match(topic) or topic in (".", ".."):
        raise ConfigError(
            f"{where!r}: {topic!r} is not a topic name (letters, digits, '.', '_' and '-', "
            "at most 249)"
        )
    return topic


__all__ = ["DEAD_LETTER_SUFFIX", "SCHEME", "KafkaAddress", "check_topic", "parse_address"]
