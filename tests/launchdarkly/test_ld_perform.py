"""perform / perform_batch against a fake ``ctx.request``: what is sent and what each payload's
outcome is."""

from __future__ import annotations

from typing import Any

import pytest
from actions_launchdarkly_audiences.sync_audience import perform, perform_batch

from actions_core import ItemResult, Outcome
from actions_core.errors import AuthenticationError, HTTPError, RequestTimeoutError

from .fakes import SYNC_URL, make_ctx, member, payload


def test_perform_sends_one_request() -> None:
    ctx, fake = make_ctx()
    response = perform(ctx, payload())
    assert not isinstance(response, ItemResult)
    assert response.status_code == 204
    assert fake.calls == [
        ("POST", SYNC_URL, {"environmentId": "env-client-id", "contextKind": "user",
                            "batch": [member("user-001", True)]})
    ]


def test_perform_rejects_without_sending() -> None:
    ctx, fake = make_ctx()
    result = perform(ctx, payload(segment_user_id=None))
    assert isinstance(result, ItemResult)
    assert result.outcome is Outcome.REJECTED
    assert "user_id_only" in (result.error or "")
    assert fake.calls == []


def test_perform_lets_http_errors_propagate() -> None:
    ctx, _ = make_ctx(lambda *_: HTTPError(400, "Bad Request"))
    with pytest.raises(HTTPError, match="400 Bad Request"):
        perform(ctx, payload())


def test_perform_batch_all_delivered_returns_none() -> None:
    ctx, fake = make_ctx()
    assert perform_batch(ctx, [payload(), payload(segment_user_id="b")]) is None
    assert len(fake.calls) == 1


def test_perform_batch_empty() -> None:
    ctx, fake = make_ctx()
    assert perform_batch(ctx, []) is None
    assert fake.calls == []


def test_perform_batch_results_are_aligned_with_payloads() -> None:
    ctx, _ = make_ctx()
    payloads = [payload(segment_user_id="a"), payload(segment_user_id=None), payload(segment_user_id="c")]
    results = perform_batch(ctx, payloads)
    assert results is not None
    assert [r.outcome for r in results] == [Outcome.DELIVERED, Outcome.REJECTED, Outcome.DELIVERED]
    assert results[0].status == 204
    assert results[1].error_type == "PAYLOAD_VALIDATION_FAILED"


def _fail_audience(audience_id: str, error: BaseException) -> Any:
    def responder(method: str, url: str, body: Any) -> int | BaseException:
        return error if body["batch"][0]["cohortId"] == audience_id else 204

    return responder


def test_perform_batch_isolates_failures_per_request() -> None:
    ctx, fake = make_ctx(_fail_audience("bad", HTTPError(500, "Internal Server Error")))
    payloads = [
        payload(segment_user_id="a"),
        payload(segment_user_id="b", segment_audience_id="bad"),
        payload(segment_user_id="c"),
    ]
    results = perform_batch(ctx, payloads)
    assert results is not None
    assert [r.outcome for r in results] == [Outcome.DELIVERED, Outcome.FAILED, Outcome.DELIVERED]
    assert results[1].status == 500
    assert results[1].error == "500 Internal Server Error"
    assert len(fake.calls) == 2


def test_perform_batch_timeout_fails_only_its_payloads() -> None:
    ctx, _ = make_ctx(_fail_audience("slow", RequestTimeoutError("Request timed out after 10s")))
    results = perform_batch(ctx, [payload(segment_audience_id="slow"), payload()])
    assert results is not None
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.DELIVERED]
    assert "timed out" in (results[0].error or "")


def test_perform_batch_lets_authentication_errors_stop_the_run() -> None:
    ctx, fake = make_ctx(lambda *_: AuthenticationError(401, "Unauthorized"))
    with pytest.raises(AuthenticationError):
        perform_batch(ctx, [payload(), payload(segment_audience_id="other")])
    assert len(fake.calls) == 1


def test_perform_batch_split_failure_applies_to_its_chunk_only() -> None:
    def responder(method: str, url: str, body: Any) -> int | BaseException:
        return HTTPError(503, "Service Unavailable") if body["batch"][0]["userId"] == "u1000" else 204

    ctx, fake = make_ctx(responder)
    results = perform_batch(ctx, [payload(segment_user_id=f"u{i}") for i in range(1500)])
    assert results is not None
    assert [len(b["batch"]) for b in fake.bodies] == [1000, 500]
    assert {r.outcome for r in results[:1000]} == {Outcome.DELIVERED}
    assert {r.outcome for r in results[1000:]} == {Outcome.FAILED}
