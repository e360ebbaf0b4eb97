"""``actions-core consume`` workers in one consumer group, against a Kafka-protocol broker and
the LaunchDarkly stand-in, all on 127.0.0.1 (real processes, signals and ``kill -9``).

The broker (Tansu) answers a JoinGroup only after about half the session timeout, and a group
can wedge when its leader dies and a new member joins within a second, so the workers run
with a short session timeout and a replacement joins only once a whole one has passed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer

from actions_core.kafka import EventProducer, ensure_topics
from actions_core.runtime.dead_letter import is_dead_letter, parse_entry
from tests.engage import engage_events, last_membership
from tests.kafka_broker import KafkaBroker, committed_offsets, read_topic
from tests.ld_server import LaunchDarklyServer
from tests.processes import (
    CLIENT_ID,
    TOKEN,
    actions_core,
    cli_env,
    free_port,
    wait_until,
    write_config,
)

pytestmark = pytest.mark.slow

SESSION_TIMEOUT = 4.0
"""Seconds; the broker answers a JoinGroup after about half of it."""
PARTITIONS = 4


class Worker:
    """A running ``actions-core consume`` process and its log."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, needle: str, timeout: float = 60.0) -> None:
        wait_until(
            lambda: needle in self.text(), self.process, timeout=timeout, what=repr(needle),
            exited=self.text,
        )

    def stop(self, timeout: float = 60.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


@contextmanager
def workers(tmp_path: Path) -> Iterator[list[Worker]]:
    """Started workers are killed at the end whatever happens."""
    started: list[Worker] = []
    try:
        yield started
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()


def start_worker(
    started: list[Worker], tmp_path: Path, config: Path, bootstrap: str, topic: str, group: str,
    *extra: str,
) -> Worker:
    log = tmp_path / f"worker-{len(started)}.log"
    command = [
        *actions_core(), "consume", str(config), "--queue", f"kafka://{bootstrap}/{topic}",
        "--group", group, "--partitions", str(PARTITIONS),
        "--session-timeout", str(SESSION_TIMEOUT), "--drain-timeout", "20",
        "--batch-size", "10", "--concurrency", "2", "--max-wait", "0.05", *extra,
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=out, cwd=tmp_path, env=cli_env(token=TOKEN)
        )
    worker = Worker(process, log)
    started.append(worker)
    return worker


def wait_for_metric(port: int, line: str, timeout: float = 30.0) -> str:
    """The worker's /metrics text once it holds ``line`` (the worker updates it as it goes)."""
    deadline = time.monotonic() + timeout
    text = ""
    while line not in text:
        assert time.monotonic() < deadline, f"no {line!r} in:\n{text}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                text = answer.read().decode()
        except OSError:
            pass
        time.sleep(0.1)
    return text


def produce(bootstrap: str, topic: str, events: list[dict[str, Any]]) -> None:
    ensure_topics(bootstrap, [topic, f"{topic}.dead-letter"], partitions=PARTITIONS)
    with EventProducer(bootstrap, topic) as producer:
        producer.produce_batch(events)


def test_two_workers_one_killed_halfway_and_a_replacement_leave_the_last_value_per_key(
    kafka_broker: KafkaBroker, tmp_path: Path
) -> None:
    events = engage_events(3000, seed=11)
    bootstrap, topic = kafka_broker.bootstrap, "audiences"
    ensure_topics(bootstrap, [topic, f"{topic}.dead-letter"], partitions=PARTITIONS)

    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID, delay=0.03) as ld, \
            workers(tmp_path) as started:
        config = write_config(tmp_path / "config.yaml", ld.url)
        first = start_worker(started, tmp_path, config, bootstrap, topic, "sync")
        second = start_worker(started, tmp_path, config, bootstrap, topic, "sync")
        for worker in (first, second):  # both members: two partitions each
            worker.wait_for("assigned partitions [", timeout=60)
        ld.wait_until(lambda s: False, timeout=SESSION_TIMEOUT)  # let the rebalance settle
        produce(bootstrap, topic, events)

        total = len(events)
        assert ld.wait_until(lambda s: s.items >= total // 3), "never got a third of the way"
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait()
        # A session timeout passes before the replacement joins (see the module docstring);
        # the requests the dead worker had sent are long handled by then.
        ld.wait_until(lambda s: False, timeout=SESSION_TIMEOUT + 1.0)
        replacement = start_worker(started, tmp_path, config, bootstrap, topic, "sync")
        replacement.wait_for("assigned partitions [", timeout=60)
        ld.delay = 0.0

        expected = last_membership(events)
        assert ld.wait_until(lambda s: s.members == expected, timeout=120), "final state differs"
        assert second.stop() == 0, second.text()
        assert replacement.stop() == 0, replacement.text()

    assert first.process.returncode == -signal.SIGKILL
    assert "stopped:" in second.text()
    committed = committed_offsets(bootstrap, "sync", topic, PARTITIONS)
    assert sum(committed.values()) == total  # every offset committed by the survivors


def test_rejected_and_foreign_messages_go_to_the_dead_letter_topic_with_their_origin(
    kafka_broker: KafkaBroker, tmp_path: Path
) -> None:
    bootstrap, topic = kafka_broker.bootstrap, "foreign"
    ensure_topics(bootstrap, [topic, f"{topic}.dead-letter"], partitions=PARTITIONS)
    good = engage_events(1, seed=3)[0]
    no_user = {k: v for k, v in engage_events(1, seed=4)[0].items() if k != "userId"}
    sent = [
        (b"k1", json.dumps(good).encode()),
        (b"k2", json.dumps(no_user).encode()),  # no context key: rejected
        (b"k3", b"this is not JSON"),  # another producer's message
        (b"k4", b"[1, 2]"),
        (b"k5", b""),
    ]
    origins: dict[bytes, tuple[int, int]] = {}
    producer = Producer({"bootstrap.servers": bootstrap, "log.connection.close": False})
    for key, value in sent:
        producer.produce(
            topic, key=key, value=value,
            on_delivery=lambda _e, m: origins.__setitem__(m.key(), (m.partition(), m.offset())),
        )
    assert producer.flush(30) == 0

    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID) as ld, workers(tmp_path) as started:
        config = write_config(tmp_path / "config.yaml", ld.url)
        metrics_port = free_port()
        worker = start_worker(
            started, tmp_path, config, bootstrap, topic, "dead", "--metrics-port", str(metrics_port)
        )
        dead = read_topic(bootstrap, f"{topic}.dead-letter", 4, timeout=60)
        assert ld.wait_until(lambda s: s.items == 1)
        wait_for_metric(metrics_port, 'actions_core_outcomes_total{outcome="delivered"} 1.0')
        metrics = wait_for_metric(metrics_port, "actions_core_requests_total 1.0")
        assert worker.stop() == 0, worker.text()

    assert 'actions_core_outcomes_total{outcome="invalid"} 3.0' in metrics
    assert 'actions_core_outcomes_total{outcome="rejected"} 1.0' in metrics
    assert 'actions_core_outcomes_total{outcome="delivered"} 1.0' in metrics

    entries = {m.key(): json.loads(m.value()) for m in dead}
    assert sorted(entries) == [b"k2", b"k3", b"k4", b"k5"]
    for key, entry in entries.items():
        assert (entry["partition"], entry["offset"]) == origins[key]
        assert entry["topic"] == topic
        assert is_dead_letter(entry)
    assert entries[b"k2"]["outcome"] == "rejected"
    assert entries[b"k2"]["mapping"] == "Sync"
    assert parse_entry(entries[b"k2"]).event == no_user  # replayable as it was
    assert entries[b"k3"]["outcome"] == "invalid"
    assert entries[b"k3"]["event"] == "this is not JSON"
    assert "Expecting value" in entries[b"k3"]["error"]
    assert entries[b"k4"]["error"] == "not a JSON object (got an array)"
    assert entries[b"k5"]["error"] == "not a JSON object (got an empty value)"
    assert sum(committed_offsets(bootstrap, "dead", topic, PARTITIONS).values()) == len(sent)


def test_a_401_pauses_consumption_without_commits_until_the_credentials_work_again(
    kafka_broker: KafkaBroker, tmp_path: Path
) -> None:
    bootstrap, topic = kafka_broker.bootstrap, "revoked"
    events = engage_events(200, seed=5)
    produce(bootstrap, topic, events)

    with LaunchDarklyServer(token="a-token-revoked-meanwhile", client_id=CLIENT_ID) as ld, \
            workers(tmp_path) as started:
        config = write_config(tmp_path / "config.yaml", ld.url)
        worker = start_worker(started, tmp_path, config, bootstrap, topic, "paused")
        worker.wait_for("paused: ")
        worker.wait_for("the credentials are still refused")  # a probe failed: still paused
        assert ld.items == 0
        assert committed_offsets(bootstrap, "paused", topic, PARTITIONS) == dict.fromkeys(
            range(PARTITIONS), -1001  # librdkafka's "no committed offset"
        )

        ld.token = TOKEN  # the credentials work again
        expected = last_membership(events)
        assert ld.wait_until(lambda s: s.members == expected, timeout=60)
        assert worker.stop() == 0, worker.text()

    assert sum(committed_offsets(bootstrap, "paused", topic, PARTITIONS).values()) == len(events)
    # Nothing was dead-lettered: a sentinel produced now is the topic's first message.
    with EventProducer(bootstrap, f"{topic}.dead-letter") as producer:
        producer.produce_values([(b"sentinel", b"{}")])
    (first,) = read_topic(bootstrap, f"{topic}.dead-letter", 1)
    assert first.key() == b"sentinel"
