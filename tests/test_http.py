"""Tests of RequestClient against a real local server (tests/http_server.py).

Waits are asserted through an injected ``sleep`` that records them, never on wall time.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from actions_core.definitions import RequestDefaults
from actions_core.errors import (
    AuthenticationError,
    HTTPError,
    IntegrationError,
    NetworkError,
    RateLimitInterrupted,
    RequestAbortedError,
    RequestTimeoutError,
    RetryableError,
)
from actions_core.http.client import RequestClient, encode_json
from actions_core.http.deadline import GuardedTransport
from actions_core.http.retry import RetryPolicy
from actions_core.redaction import Redactor
from tests.http_server import LocalServer, Recorder, Reply, serve

SECRET = "sk-live-0123456789abcdef"
NOW = 1_700_000_000.0
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, max_total=5.0, jitter=False)

MakeClient = Callable[..., RequestClient]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    yield from serve()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(recorder: Recorder) -> Iterator[MakeClient]:
    clients: list[RequestClient] = []

    def make(**kwargs: Any) -> RequestClient:
        options: dict[str, Any] = {
            "policy": FAST,
            "sleep": recorder.sleep,
            "clock": recorder.clock,
            "wall_clock": lambda: NOW,
        }
        options.update(kwargs)
        client = RequestClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _everything_shown(exc: BaseException) -> str:
    """All text an exception can leak: message, repr, attributes, formatted traceback."""
    parts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    parts += [str(getattr(exc, name, "")) for name in ("body", "url", "reason")]
    return "\n".join(parts)


# ------------------------------------------------------------------------------- success


def test_a_2xx_response_is_returned(server: LocalServer, make_client: MakeClient) -> None:
    server.queue(Reply(200, body={"hello": "world"}))
    response = make_client().request("GET", f"{server.url}/ping", params={"q": "1"})
    assert response.json() == {"hello": "world"}
    assert server.requests[0].path == "/ping?q=1"


def test_connections_are_pooled_and_kept_alive(
    server: LocalServer, make_client: MakeClient
) -> None:
    client = make_client()
    client.request("GET", f"{server.url}/a")
    client.request("GET", f"{server.url}/b")
    assert server.requests[0].client_port == server.requests[1].client_port


# ----------------------------------------------------------------------------- retrying


def test_429_waits_retry_after_seconds(
    server: LocalServer, make_client: MakeClient, recorder: Recorder
) -> None:
    server.queue(Reply(429, headers={"Retry-After": "3"}))
    assert make_client().request("POST", server.url, json={}).status_code == 200
    assert recorder.waits == [3.0]
    assert len(server.requests) == 2


def test_429_waits_until_a_retry_after_http_date(
    server: LocalServer, make_client: MakeClient, recorder: Recorder
) -> None:
    when = format_datetime(datetime.fromtimestamp(NOW + 4, tz=UTC), usegmt=True)
    server.queue(Reply(429, headers={"Retry-After": when}))
    make_client().request("POST", server.url, json={})
    assert recorder.waits == [4.0]


def test_429_waits_until_x_ratelimit_reset_epoch_ms(
    server: LocalServer, make_client: MakeClient, recorder: Recorder
) -> None:
    server.queue(Reply(429, headers={"X-Ratelimit-Reset": str(int((NOW + 2.5) * 1000))}))
    make_client().request("POST", server.url, json={})
    assert recorder.waits == [pytest.approx(2.5)]


@pytest.mark.parametrize("status", [500, 502, 503, 408, 409, 423])
def test_transient_statuses_are_retried_with_backoff(
    server: LocalServer, make_client: MakeClient, recorder: Recorder, status: int
) -> None:
    server.queue(Reply(status), Reply(status))
    session = make_client().session()
    assert session("PATCH", server.url, json={"a": 1}).status_code == 200
    assert recorder.waits == [0.01, 0.02]
    assert (session.attempts, session.retries, session.last_status) == (3, 2, 200)


def test_a_timeout_is_retried(server: LocalServer, make_client: MakeClient) -> None:
    server.queue(Reply(200, delay=5.0))
    session = make_client(timeout=0.2).session()
    assert session("GET", server.url).status_code == 200
    assert session.attempts == 2


def test_timeouts_that_persist_say_so_with_the_timeout_and_attempts(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.default = Reply(200, delay=5.0)
    client = make_client(policy=RetryPolicy(max_attempts=2, base_delay=0.01, jitter=False))
    with pytest.raises(RequestTimeoutError) as info:
        client.request("GET", server.url, timeout=0.2)
    assert str(info.value) == "Request timed out after 200ms (gave up after 2 attempts)"


def test_the_request_defaults_timeout_applies(server: LocalServer, make_client: MakeClient) -> None:
    server.default = Reply(200, delay=5.0)
    client = make_client(defaults=RequestDefaults(timeout=0.15), policy=RetryPolicy(1))
    with pytest.raises(RequestTimeoutError, match=r"^Request timed out after 150ms$"):
        client.request("GET", server.url)


@pytest.mark.parametrize("reply", [Reply(close=True), Reply(reset=True)], ids=["close", "reset"])
def test_dropped_connections_are_retried(
    server: LocalServer, make_client: MakeClient, reply: Reply
) -> None:
    server.queue(reply)
    session = make_client().session()
    assert session("POST", server.url, json=[1]).status_code == 200
    assert session.retries == 1


def test_a_connection_that_keeps_failing_raises_network_error(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.default = Reply(reset=True)
    with pytest.raises(NetworkError, match=r"\(gave up after 3 attempts\)$"):
        make_client().request("GET", server.url)


# ------------------------------------------------------------------------- not retrying


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "400 Bad Request: nope"),
        (404, "404 Not Found: nope"),
        (422, "422 Unprocessable Entity: nope"),
        (501, "501 Not Implemented: nope"),
    ],
)
def test_client_errors_and_501_fail_at_once_with_status_and_reason(
    server: LocalServer, make_client: MakeClient, recorder: Recorder, status: int, message: str
) -> None:
    server.queue(Reply(status, body={"code": "x", "message": "nope"}))
    with pytest.raises(HTTPError) as info:
        make_client().request("POST", f"{server.url}/x", json={})
    assert str(info.value) == message
    assert (info.value.status, info.value.retryable) == (status, False)
    assert info.value.body == '{"code": "x", "message": "nope"}'
    assert info.value.url == f"{server.url}/x"
    assert len(server.requests) == 1 and recorder.waits == []


@pytest.mark.parametrize(
    ("status", "start"),
    [
        (401, "401 Unauthorized: the destination rejected the credentials"),
        (403, "403 Forbidden: the destination refused the credentials"),
    ],
)
def test_401_and_403_raise_authentication_error_saying_what_to_check(
    server: LocalServer, make_client: MakeClient, status: int, start: str
) -> None:
    server.queue(Reply(status))
    with pytest.raises(AuthenticationError) as info:
        make_client().request("GET", server.url)
    assert str(info.value).startswith(start)
    assert "settings" in str(info.value)
    assert info.value.reason == ("Unauthorized" if status == 401 else "Forbidden")
    assert len(server.requests) == 1


def test_a_missing_reason_phrase_is_filled_from_the_standard_one(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.queue(Reply(409, reason=""), Reply(409, reason=""), Reply(409, reason=""))
    with pytest.raises(HTTPError) as info:
        make_client().request("PUT", server.url, json={})
    assert str(info.value) == "409 Conflict (gave up after 3 attempts)"


def test_a_non_retryable_error_after_retries_says_how_many_attempts(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.queue(Reply(503), Reply(400))
    with pytest.raises(HTTPError, match=r"^400 Bad Request \(after 2 attempts\)$"):
        make_client().request("POST", server.url, json={})


def test_long_error_bodies_are_truncated(server: LocalServer, make_client: MakeClient) -> None:
    server.queue(Reply(400, body="x" * 5000))
    with pytest.raises(HTTPError) as info:
        make_client().request("POST", server.url, json={})
    assert len(info.value.body) == 503 and info.value.body.endswith("...")


def test_an_unsupported_url_is_refused_without_sending(make_client: MakeClient) -> None:
    with pytest.raises(IntegrationError, match="Invalid request URL"):
        make_client().request("GET", "ftp://example.invalid/x")


# ------------------------------------------------------------------------------ bounds


def test_attempts_are_bounded(server: LocalServer, make_client: MakeClient) -> None:
    server.default = Reply(503)
    session = make_client().session()
    with pytest.raises(HTTPError) as info:
        session("POST", server.url, json={})
    assert str(info.value) == "503 Service Unavailable (gave up after 3 attempts)"
    assert (session.attempts, session.retries, session.last_status) == (3, 2, 503)
    assert len(server.requests) == 3


def test_total_retry_time_is_bounded(
    server: LocalServer, make_client: MakeClient, recorder: Recorder
) -> None:
    server.default = Reply(500)
    policy = RetryPolicy(max_attempts=100, base_delay=2.0, max_total=5.0, jitter=False)
    with pytest.raises(HTTPError, match="retry time budget of 5 s is used up"):
        make_client(policy=policy).request("GET", server.url)
    assert recorder.waits == [2.0, 3.0]  # the second backoff (4 s) is clipped to what is left
    assert len(server.requests) == 3


def test_a_rate_limit_longer_than_the_budget_interrupts_at_once(
    server: LocalServer, make_client: MakeClient, recorder: Recorder
) -> None:
    server.queue(Reply(429, headers={"Retry-After": "600"}))
    with pytest.raises(RateLimitInterrupted) as info:
        make_client().request("POST", server.url, json={})
    host = server.url.removeprefix("http://")
    assert str(info.value) == (
        f"rate limited by {host} until 2023-11-14T22:23:20Z (run again then to resume, "
        "or run with --wait-rate-limits to wait)"
    )
    assert info.value.resume_after == datetime.fromtimestamp(NOW + 600, UTC)
    assert recorder.waits == [] and len(server.requests) == 1


# ------------------------------------------------------------------------------- abort


def test_abort_stops_a_waiting_retry(server: LocalServer) -> None:
    server.default = Reply(503)
    slow = RetryPolicy(max_attempts=5, base_delay=60.0, max_total=600.0, jitter=False)
    errors: list[BaseException] = []
    with RequestClient(policy=slow) as client:  # the real, interruptible wait
        session = client.session()

        def send() -> None:
            try:
                session("POST", server.url, json={})
            except (RetryableError, HTTPError) as exc:
                errors.append(exc)

        worker = threading.Thread(target=send)
        worker.start()
        answered = threading.Event()  # the 503 is in: the worker waits to retry
        while session.last_status is None and worker.is_alive():
            answered.wait(0.01)
        client.abort("401 Unauthorized elsewhere")
        worker.join(10)
        assert not worker.is_alive()  # a hang guard, not a timing assertion
    assert len(server.requests) == 1
    assert str(errors[0]) == (
        "503 Service Unavailable (gave up after 1 attempt: "
        "the run was stopped (401 Unauthorized elsewhere))"
    )


def test_abort_during_an_injected_sleep_prevents_the_next_attempt(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.default = Reply(502)
    holder: list[RequestClient] = []
    recorder = Recorder(on_sleep=lambda _: holder[0].abort("stop"))
    client = make_client(sleep=recorder.sleep)
    holder.append(client)
    with pytest.raises(HTTPError, match="the run was stopped"):
        client.request("GET", server.url)
    assert len(server.requests) == 1


def test_requests_after_abort_raise_at_once(server: LocalServer, make_client: MakeClient) -> None:
    client = make_client()
    client.abort("401 Unauthorized")
    with pytest.raises(RequestAbortedError, match=r"^Request not sent: the run was stopped"):
        client.request("GET", server.url)
    assert server.requests == [] and client.aborted


# ----------------------------------------------------------------------- what is sent


def test_default_headers_are_sent_and_per_call_headers_override_them(
    server: LocalServer, make_client: MakeClient
) -> None:
    defaults = RequestDefaults(
        headers={"Authorization": f"Bearer {SECRET}", "User-Agent": "dest/1.0", "X-Mode": "a"}
    )
    make_client(defaults=defaults).request("GET", server.url, headers={"x-mode": "b"})
    seen = server.requests[0]
    assert seen.header("authorization") == f"Bearer {SECRET}"
    assert seen.header("user-agent") == "dest/1.0"
    assert seen.header("x-mode") == "b"
    assert [k.lower() for k, _ in seen.headers].count("x-mode") == 1


def test_httpx_user_agent_is_never_sent(server: LocalServer, make_client: MakeClient) -> None:
    make_client().request("GET", server.url)
    assert server.requests[0].header("user-agent") == "actions-core"


def test_json_bytes_are_compact_ordered_and_keep_non_ascii(
    server: LocalServer, make_client: MakeClient
) -> None:
    body = {"z": 1, "a": "Zoë ✓ 日本", "m": [True, None, 2.5], "n": {"y": "", "b": 0}}
    make_client().request("POST", server.url, json=body)
    seen = server.requests[0]
    assert seen.body == '{"z":1,"a":"Zoë ✓ 日本","m":[true,null,2.5],"n":{"y":"","b":0}}'.encode()
    assert seen.header("content-type") == "application/json"


def test_an_explicit_content_type_is_kept(server: LocalServer, make_client: MakeClient) -> None:
    ctype = "application/vnd.api+json"
    make_client().request("POST", server.url, json={}, headers={"Content-Type": ctype})
    assert server.requests[0].header("content-type") == ctype


def test_json_encoding_follows_javascript_where_python_differs() -> None:
    assert encode_json({"i": 1.0, "big": 1e16, "nan": float("nan"), "f": 0.5}) == (
        b'{"i":1,"big":10000000000000000,"nan":null,"f":0.5}'
    )
    assert encode_json(["\ud800"]) == b'["\\ud800"]'
    assert (
        encode_json({"v": "1.0", "e": "Google+", "z": -0.0}) == b'{"v":"1.0","e":"Google+","z":0}'
    )


def test_a_float_without_a_decimal_point_is_still_written_as_javascript_does() -> None:
    assert encode_json({"big": 1e16, "k": "user-1"}) == b'{"big":10000000000000000,"k":"user-1"}'
    assert encode_json([2.0e21]) == b"[2e+21]"


# ----------------------------------------------------------------------------- secrets


def test_secrets_never_appear_in_exceptions(server: LocalServer, make_client: MakeClient) -> None:
    defaults = RequestDefaults(headers={"Authorization": f"Bearer {SECRET}"})
    client = make_client(defaults=defaults, redactor=Redactor([SECRET]))
    url = f"{server.url}/v2?token={SECRET}"
    replies = [
        Reply(400, echo_headers=True, reason=f"Bad {SECRET}"),
        Reply(401, echo_headers=True),
        Reply(503, echo_headers=True),
    ]
    for reply in replies:
        server.queue(reply, reply, reply)
        with pytest.raises(HTTPError) as info:
            client.request("POST", url, json={"token": SECRET})
        assert SECRET in str(server.requests[-1].header("authorization"))  # really sent
        shown = _everything_shown(info.value)
        assert SECRET not in shown
        assert "***" in info.value.body


def test_credential_headers_are_redacted_even_without_a_password_setting(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.queue(Reply(400, echo_headers=True))
    with pytest.raises(HTTPError) as info:
        make_client().request("GET", server.url, headers={"X-Api-Key": SECRET})
    assert SECRET not in _everything_shown(info.value)


def test_abort_reason_is_redacted(server: LocalServer, make_client: MakeClient) -> None:
    client = make_client(redactor=Redactor([SECRET]))
    client.abort(f"bad token {SECRET}")
    with pytest.raises(RequestAbortedError) as info:
        client.request("GET", server.url)
    assert SECRET not in str(info.value)


# ------------------------------------------------------------------------- concurrency


def test_stats_count_across_threads(server: LocalServer, make_client: MakeClient) -> None:
    client = make_client()
    server.queue(Reply(500))  # exactly one retry somewhere

    def work() -> None:
        for _ in range(5):
            client.request("GET", server.url)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tuple(client.stats) == (40, 41, 1)


def test_a_mock_transport_plugs_in(make_client: MakeClient) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(202, json={"ok": 1}))
    assert make_client(transport=transport).request("GET", "https://api.test/").status_code == 202


def test_httpx_s_own_log_lines_never_show_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    secret = "query-token-0123456789"
    transport = httpx.MockTransport(lambda request: httpx.Response(204))
    with caplog.at_level(logging.INFO, logger="httpx"), RequestClient(
        transport=transport, redactor=Redactor([secret])
    ) as client:
        client.request("GET", f"https://api.test/v1/ping?token={secret}")
    assert "api.test" in caplog.text  # httpx did log the request
    assert secret not in caplog.text


# ------------------------------------------------------------------ destination's reason


def test_the_destination_s_message_is_in_the_error(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.queue(Reply(400, body={"code": "invalid_request", "message": "cohort refused"}))
    with pytest.raises(HTTPError) as info:
        make_client().request("POST", server.url, json={})
    assert str(info.value) == "400 Bad Request: cohort refused"
    assert (info.value.reason, info.value.detail) == ("Bad Request", "cohort refused")


def test_the_destination_s_message_is_redacted(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.queue(Reply(400, body={"message": f"token {SECRET} is not allowed here"}))
    client = make_client(redactor=Redactor([SECRET]))
    with pytest.raises(HTTPError) as info:
        client.request("POST", server.url, json={})
    assert str(info.value) == "400 Bad Request: token *** is not allowed here"


def test_an_authentication_error_adds_the_destination_s_message(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.queue(Reply(403, body={"message": "Access to the requested resource was denied"}))
    with pytest.raises(AuthenticationError) as info:
        make_client().request("POST", server.url, json={})
    assert str(info.value).endswith(
        "(the destination says: Access to the requested resource was denied)"
    )


# ------------------------------------------------------------------------------ deadline


def test_a_trickling_response_times_out_at_the_attempt_deadline(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.default = Reply(trickle=0.05)  # every read gets a byte: no per-read timeout fires
    client = make_client(timeout=0.5, policy=RetryPolicy(max_attempts=1))
    with pytest.raises(RequestTimeoutError, match=r"^Request timed out after 500ms$"):
        client.request("GET", server.url)


def test_a_trickled_timeout_is_retried(server: LocalServer, make_client: MakeClient) -> None:
    server.queue(Reply(trickle=0.05))
    session = make_client(timeout=0.5).session()
    assert session("GET", server.url).status_code == 200
    assert (session.attempts, len(server.requests)) == (2, 2)


def test_abort_abandons_a_response_still_coming_in(server: LocalServer) -> None:
    server.default = Reply(trickle=0.05)
    errors: list[BaseException] = []
    with RequestClient(timeout=600.0) as client:

        def send() -> None:
            try:
                client.request("POST", server.url, json={})
            except RequestAbortedError as exc:
                errors.append(exc)

        worker = threading.Thread(target=send)
        worker.start()
        assert server.received.wait(10)
        client.abort("the run was interrupted")
        worker.join(30)
        assert not worker.is_alive()  # a hang guard, not a timing assertion
    assert [type(e) for e in errors] == [RequestAbortedError]
    assert str(errors[0]) == "Request abandoned: the run was stopped (the run was interrupted)"
    assert len(server.requests) == 1


# --------------------------------------------------------------------------- rate limits


def test_a_long_rate_limit_holds_every_later_request_without_sending_it(
    server: LocalServer, make_client: MakeClient
) -> None:
    reset = str(int((NOW + 3600) * 1000))
    server.queue(Reply(429, headers={"X-Ratelimit-Reset": reset}))
    client = make_client()
    for _ in range(3):
        with pytest.raises(RateLimitInterrupted, match="until 2023-11-14T23:13:20Z"):
            client.request("POST", server.url, json={})
    assert len(server.requests) == 1  # the two later requests were never sent


def test_a_rate_limit_seen_on_one_thread_holds_the_others(
    server: LocalServer, make_client: MakeClient
) -> None:
    server.queue(Reply(429, headers={"Retry-After": "3600"}))
    client = make_client()
    with pytest.raises(RateLimitInterrupted):
        client.request("POST", server.url, json={})
    errors: list[BaseException] = []

    def send() -> None:
        try:
            client.request("POST", server.url, json={})
        except RateLimitInterrupted as exc:
            errors.append(exc)

    workers = [threading.Thread(target=send) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert len(errors) == 4 and len(server.requests) == 1


def test_a_spent_rate_limit_window_holds_the_next_request_until_its_reset(
    server: LocalServer, make_client: MakeClient, recorder: Recorder
) -> None:
    reset = str(int((NOW + 2) * 1000))
    spent = {"X-Ratelimit-Route-Remaining": "0", "X-Ratelimit-Reset": reset}
    server.queue(Reply(204, headers=spent))
    client = make_client()
    client.request("POST", server.url, json={})
    assert recorder.waits == []
    client.request("POST", server.url, json={})
    assert recorder.waits == [2.0] and len(server.requests) == 2


def test_a_spent_global_window_with_a_far_reset_interrupts_before_the_429(
    server: LocalServer, make_client: MakeClient
) -> None:
    reset = str(int((NOW + 3600) * 1000))
    server.queue(Reply(200, headers={"X-Ratelimit-Global-Remaining": "0", "X-Ratelimit-Reset": reset}))
    client = make_client()
    client.request("POST", server.url, json={})
    with pytest.raises(RateLimitInterrupted):
        client.request("POST", server.url, json={})
    assert len(server.requests) == 1


def test_wait_rate_limits_waits_out_a_rate_limit_beyond_the_budget(
    server: LocalServer, make_client: MakeClient, recorder: Recorder
) -> None:
    server.queue(Reply(429, headers={"Retry-After": "600"}))
    client = make_client(wait_rate_limits=True)
    assert client.request("POST", server.url, json={}).status_code == 200
    assert recorder.waits == [0.01, 600.0]  # the backoff, then the rest of the hold
    assert len(server.requests) == 2


def test_abort_stops_a_request_waiting_for_a_rate_limit(server: LocalServer) -> None:
    server.queue(Reply(429, headers={"Retry-After": "3600"}))
    errors: list[BaseException] = []
    no_backoff = RetryPolicy(base_delay=0.0, jitter=False)  # so the wait is the gate's
    with RequestClient(policy=no_backoff, wait_rate_limits=True) as client:  # a real wait
        session = client.session()

        def send() -> None:
            try:
                session("POST", server.url, json={})
            except RequestAbortedError as exc:
                errors.append(exc)

        worker = threading.Thread(target=send)
        worker.start()
        answered = threading.Event()
        while session.last_status is None and worker.is_alive():
            answered.wait(0.01)
        client.abort("the run was interrupted")
        worker.join(30)
        assert not worker.is_alive()  # a hang guard, not a timing assertion
    assert [type(e) for e in errors] == [RequestAbortedError]
    assert len(server.requests) == 1


def test_a_shared_guarded_transport_keeps_each_client_s_deadline(server: LocalServer) -> None:
    server.default = Reply(trickle=0.05)
    shared = GuardedTransport()  # as serve passes one transport to every cycle's client
    client = RequestClient(transport=shared, timeout=0.5, policy=RetryPolicy(1))
    with client, pytest.raises(RequestTimeoutError, match=r"^Request timed out after 500ms$"):
        client.request("GET", server.url)
