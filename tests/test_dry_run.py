"""Tests of DryRunTransport: one JSON line per request, nothing sent, secrets masked."""

from __future__ import annotations

import json
import threading

import httpx

from actions_core.definitions import RequestDefaults
from actions_core.http.client import RequestClient
from actions_core.http.dry_run import DryRunTransport
from actions_core.redaction import Redactor

SECRET = "sk-live-0123456789abcdef"


def _client(lines: list[str]) -> tuple[RequestClient, DryRunTransport]:
    redactor = Redactor([SECRET])
    transport = DryRunTransport(lambda line: lines.append(line.decode()), redactor=redactor)
    defaults = RequestDefaults(
        headers={"Authorization": f"Bearer {SECRET}", "User-Agent": "dest/1.0"}
    )
    return RequestClient(transport=transport, defaults=defaults, redactor=redactor), transport


def test_a_request_becomes_one_compact_json_line_and_gets_204() -> None:
    lines: list[str] = []
    client, transport = _client(lines)
    response = client.request(
        "POST", "https://api.example.test/segments", json={"b": 1, "a": "Zoë"}
    )
    assert response.status_code == 204 and response.content == b""
    assert lines == [
        '{"method":"POST","url":"https://api.example.test/segments",'
        '"headers":{"authorization":"***","user-agent":"dest/1.0",'
        '"content-type":"application/json"},"json":{"b":1,"a":"Zoë"}}'
    ]
    assert transport.count == 1


def test_transport_headers_are_left_out_and_names_lower_cased() -> None:
    lines: list[str] = []
    client, _ = _client(lines)
    client.request("GET", "https://api.example.test/", headers={"X-Trace": "1"})
    headers = json.loads(lines[0])["headers"]
    assert set(headers) == {"user-agent", "authorization", "x-trace"}


def test_a_request_without_body_has_json_null() -> None:
    lines: list[str] = []
    client, _ = _client(lines)
    client.request("DELETE", "https://api.example.test/x")
    assert json.loads(lines[0])["json"] is None


def test_secrets_in_body_url_and_headers_never_reach_the_line() -> None:
    lines: list[str] = []
    client, _ = _client(lines)
    client.request(
        "PUT",
        f"https://api.example.test/x?key={SECRET}",
        json={"nested": [{"token": SECRET}], SECRET: "as a key"},
        headers={"X-Other": f"k={SECRET}"},
    )
    assert SECRET not in lines[0]
    record = json.loads(lines[0])
    assert record["json"] == {"nested": [{"token": "***"}], "***": "as a key"}
    assert record["headers"]["x-other"] == "***"
    assert record["url"] == "https://api.example.test/x?key=***"


def test_a_non_json_body_is_shown_as_text() -> None:
    lines: list[str] = []
    transport = DryRunTransport(lambda line: lines.append(line.decode()))
    with httpx.Client(transport=transport) as client:
        client.post("https://api.example.test/form", content=b"a=1&b=2")
    record = json.loads(lines[0])
    assert record["json"] is None and record["body"] == "a=1&b=2"


def test_concurrent_requests_write_whole_lines_and_are_counted() -> None:
    lines: list[str] = []
    client, transport = _client(lines)
    members = [{"id": f"user{i}", "value": True} for i in range(1000)]

    def work() -> None:
        for _ in range(5):
            client.request("PATCH", "https://api.example.test/big", json={"members": members})

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert transport.count == 30
    assert all(json.loads(line)["json"]["members"] == members for line in lines)
