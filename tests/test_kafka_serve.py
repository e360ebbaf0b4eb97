"""``serve --queue kafka://HOST:PORT/TOPIC``: accepted events go to the topic and are
answered 200 only once the broker acknowledged them; ``consume`` workers deliver them."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from actions_core.kafka import ensure_topics
from tests.engage import engage_events, last_membership
from tests.kafka_broker import KafkaBroker, read_topic
from tests.ld_server import LaunchDarklyServer
from tests.processes import CLIENT_ID, TOKEN, actions_core, write_config
from tests.serve_process import ServeProcess, serve_env

pytestmark = pytest.mark.slow


def test_events_taken_by_serve_are_on_the_topic_when_it_answers_200(
    kafka_broker: KafkaBroker, tmp_path: Path
) -> None:
    events = engage_events(50, seed=21)
    queue = f"kafka://{kafka_broker.bootstrap}/intake"
    config = write_config(tmp_path / "config.yaml")
    with ServeProcess(tmp_path, config, "--queue", queue, "--partitions", "3",
                      queue_default=True) as serve:
        answer = serve.post("/v1/batch", {"batch": events})
        assert answer.status == 200, answer.body
        stored = read_topic(kafka_broker.bootstrap, "intake", len(events))
        assert serve.terminate() == 0

    assert len(stored) == len(events)
    for message in stored:
        event = json.loads(message.value())
        assert message.key() == event["userId"].encode()
    assert sorted(json.loads(m.value())["messageId"] for m in stored) == sorted(
        e["messageId"] for e in events
    )


def test_serve_to_kafka_to_consume_leaves_the_last_value_per_key_at_launchdarkly(
    kafka_broker: KafkaBroker, tmp_path: Path
) -> None:
    events = engage_events(600, seed=22)
    queue = f"kafka://{kafka_broker.bootstrap}/through"
    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID) as ld:
        config = write_config(tmp_path / "config.yaml", ld.url)
        with ServeProcess(tmp_path, config, "--queue", queue, queue_default=True) as serve:
            for start in range(0, len(events), 100):  # in order, one request after another
                answer = serve.post("/v1/batch", {"batch": events[start : start + 100]})
                assert answer.status == 200, answer.body
            assert serve.terminate() == 0
        with open(tmp_path / "consume.log", "wb") as log:
            worker = subprocess.Popen(
                [*actions_core(), "consume", str(config), "--queue", queue, "--group", "ld",
                 "--session-timeout", "4", "--max-wait", "0.05"],
                stdout=log, stderr=log, cwd=tmp_path, env=serve_env(),
            )
        try:
            expected = last_membership(events)
            assert ld.wait_until(lambda s: s.members == expected, timeout=90)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=60) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def test_serve_answers_503_with_retry_after_when_the_broker_is_down(tmp_path: Path) -> None:
    broker = KafkaBroker()
    with broker:
        ensure_topics(broker.bootstrap, ["gone", "gone.dead-letter"], partitions=1)
        queue = f"kafka://{broker.bootstrap}/gone"
        config = write_config(tmp_path / "config.yaml")
        serve = ServeProcess(tmp_path, config, "--queue", queue, queue_default=True)
    with serve:  # the broker has stopped
        answer = serve.post("/v1/batch", {"batch": engage_events(3, seed=23)})
        assert serve.terminate() == 0

    assert answer.status == 503
    assert answer.headers["Retry-After"] == "5"
    assert "did not store the events" in answer.json()["error"]
