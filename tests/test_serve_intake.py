"""``actions-core serve``'s HTTP intake, against a real process: Segment's HTTP Tracking API,
write keys, Segment's limits, gzip, back-pressure and the operations endpoints.

One dry-run process serves most tests (module scope): a refused request must leave the count
of events received where it was, and an accepted one must come out as a request line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engage import engage_event
from tests.processes import run_cli, write_config
from tests.serve_process import WRITE_KEY, ServeProcess, serve_env

pytestmark = pytest.mark.slow

RECEIVED = "actions_core_events_received_total"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    tmp = tmp_path_factory.mktemp("intake")
    config = write_config(tmp / "config.yaml")
    with ServeProcess(tmp, config, "--dry-run", "--batch-age", "0.05") as process:
        yield process


def dry_run_members(server: ServeProcess) -> list[str]:
    """The userIds of every request line the dry run printed so far."""
    users = []
    for line in server.text().splitlines():
        if line.startswith('{"method"'):
            users += [item["userId"] for item in json.loads(line)["json"]["batch"]]
    return users


def refused_without_storing(server: ServeProcess, **request: Any) -> Any:
    before = server.metric(RECEIVED)
    response = server.post(**request)
    assert server.metric(RECEIVED) == before
    assert response.json()["success"] is False
    return response


def test_a_batch_with_the_write_key_as_basic_user_is_acknowledged_and_delivered(
    server: ServeProcess,
) -> None:
    response = server.post("/v1/batch", {"batch": [engage_event("basic-1"), engage_event("basic-2")]})

    assert (response.status, response.json()) == (200, {"success": True})
    server.wait_for(lambda: {"basic-1", "basic-2"} <= set(dry_run_members(server)), what="delivery")


def test_the_write_key_may_come_in_the_body_instead(server: ServeProcess) -> None:
    body = {"batch": [engage_event("body-key")], "writeKey": WRITE_KEY}

    response = server.post("/v1/batch", body, key=None)

    assert response.status == 200
    server.wait_for(lambda: "body-key" in dry_run_members(server), what="delivery")


def test_a_single_event_path_gives_the_type_when_the_event_has_none(server: ServeProcess) -> None:
    event = engage_event("typed-by-path")
    del event["type"]

    response = server.post("/v1/identify", event)

    assert response.status == 200
    server.wait_for(lambda: "typed-by-path" in dry_run_members(server), what="delivery")


def test_a_gzip_body_is_accepted(server: ServeProcess) -> None:
    response = server.post("/v1/batch", {"batch": [engage_event("gzipped")]}, gzip_body=True)

    assert response.status == 200
    server.wait_for(lambda: "gzipped" in dry_run_members(server), what="delivery")


def test_a_wrong_write_key_gets_401(server: ServeProcess) -> None:
    response = refused_without_storing(
        server, path="/v1/batch", body={"batch": [engage_event("wrong")]}, key="not-the-key"
    )
    assert response.status == 401
    assert "not-the-key" not in server.text()
    assert WRITE_KEY not in server.text()  # keys are never logged, right or wrong


def test_a_wrong_write_key_in_the_body_gets_401(server: ServeProcess) -> None:
    body = {"batch": [engage_event("wrong-body")], "writeKey": "not-the-key-either"}
    response = refused_without_storing(server, path="/v1/batch", body=body, key=None)
    assert response.status == 401


def test_a_missing_write_key_gets_401(server: ServeProcess) -> None:
    response = refused_without_storing(
        server, path="/v1/batch", body={"batch": [engage_event("nokey")]}, key=None
    )
    assert response.status == 401
    assert "write key is required" in response.json()["error"]


def test_an_event_over_32_kb_gets_400_naming_the_limit_and_nothing_of_the_batch_is_kept(
    server: ServeProcess,
) -> None:
    big = engage_event("big", properties={"blob": "x" * (33 * 1024)})
    body = {"batch": [engage_event("small-before-big"), big]}

    response = refused_without_storing(server, path="/v1/batch", body=body)

    assert response.status == 400
    assert response.json()["error"].startswith("batch[1]: ")
    assert "32 KB" in response.json()["error"]


def test_a_request_over_500_kb_gets_413_naming_the_limit(server: ServeProcess) -> None:
    events = [engage_event(f"bulk-{n}", properties={"pad": "y" * 20_000}) for n in range(30)]

    response = refused_without_storing(server, path="/v1/batch", body={"batch": events})

    assert response.status == 413
    assert "500 KB" in response.json()["error"]


def test_a_gzip_request_over_500_kb_once_decoded_gets_413(server: ServeProcess) -> None:
    events = [engage_event(f"zip-{n}", properties={"pad": "z" * 20_000}) for n in range(30)]
    raw = json.dumps({"batch": events}).encode()
    assert len(gzip.compress(raw)) < 500 * 1024  # small on the wire, too big decoded

    response = refused_without_storing(server, path="/v1/batch", raw=raw, gzip_body=True)

    assert response.status == 413


def test_invalid_json_gets_400_saying_where(server: ServeProcess) -> None:
    response = refused_without_storing(server, path="/v1/batch", raw=b'{"batch": [1,, 2]}')

    assert response.status == 400
    assert response.json()["error"].startswith("request body: invalid JSON")
    assert "column" in response.json()["error"]


def test_a_body_that_is_not_gzip_as_declared_gets_400(server: ServeProcess) -> None:
    response = refused_without_storing(
        server, path="/v1/batch", raw=b"not gzip at all", headers={"Content-Encoding": "gzip"}
    )

    assert response.status == 400
    assert response.json()["error"].startswith("request body: cannot decode it")


def test_a_batch_item_that_is_not_an_object_gets_400_naming_it(server: ServeProcess) -> None:
    body = {"batch": [engage_event("ok-item"), "not an event"]}

    response = refused_without_storing(server, path="/v1/batch", body=body)

    assert response.status == 400
    assert response.json()["error"] == "batch[1]: expected an event object, got a string"


def test_an_event_without_a_known_type_gets_400_naming_it(server: ServeProcess) -> None:
    event = engage_event("typeless")
    del event["type"]

    response = refused_without_storing(server, path="/v1/batch", body={"batch": [event]})

    assert response.status == 400
    assert response.json()["error"].startswith("batch[0]: 'type' must be one of identify")


def test_health_ready_and_metrics_answer(server: ServeProcess) -> None:
    assert server.get("/health").json() == {"status": "up"}
    assert (server.get("/ready").status, server.get("/ready").json()) == (200, {"ready": True})
    metrics = server.get("/metrics")
    assert metrics.headers["Content-Type"].startswith("text/plain")
    text = metrics.body.decode()
    for name in (
        "actions_core_events_received_total", "actions_core_queue_depth",
        "actions_core_queue_oldest_pending_age_seconds", "actions_core_delivery_paused",
        "actions_core_intake_request_seconds_bucket",
    ):
        assert name in text


def test_a_full_queue_answers_429_with_retry_after(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml")  # port 9: nothing is delivered
    with ServeProcess(tmp_path, config, "--max-queue-depth", "3") as server:
        assert server.post("/v1/batch", {"batch": [engage_event(f"q{n}") for n in range(3)]}).status == 200
        server.wait_for(lambda: server.metric("actions_core_queue_depth") >= 3, what="depth 3")

        response = server.post("/v1/batch", {"batch": [engage_event("one-too-many")]})

    assert response.status == 429
    assert response.headers["Retry-After"] == "5"
    assert "limit 3" in response.json()["error"]


def test_without_a_write_key_serve_listens_on_loopback_only_and_says_so(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml")
    with ServeProcess(tmp_path, config, "--dry-run", write_key=None, queue_default=True) as server:
        accepted = server.post("/v1/batch", {"batch": [engage_event("open")]}, key=None)
        start = server.logs()[0]

    assert accepted.status == 200
    assert start["url"].startswith("http://127.0.0.1:")
    assert "loopback address only" in start["auth"]
    assert (tmp_path / "actions-core-data" / "queue.db").is_file()


def test_binding_another_address_without_a_write_key_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml")

    result = run_cli("serve", str(config), "--host", "0.0.0.0", cwd=tmp_path, env=serve_env(write_key=None))

    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without a write key" in result.stderr


def test_a_queue_over_its_disk_budget_answers_429_with_retry_after(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml")  # port 9: nothing is delivered
    padding = {"pad": "p" * 2000}
    with ServeProcess(tmp_path, config, "--max-disk-mb", "1") as server:
        response = None
        for n in range(400):  # 400 * 20 events * 2 KB is far beyond 1 MB
            batch = [engage_event(f"disk-{n}-{i}", properties=padding) for i in range(20)]
            response = server.post("/v1/batch", {"batch": batch})
            if response.status != 200:
                break

    assert response is not None and response.status == 429
    assert response.headers["Retry-After"] == "5"
    assert "bytes of disk (limit 1048576)" in response.json()["error"]
