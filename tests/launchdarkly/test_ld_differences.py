"""The contract's eight deliberate differences from the reference, one test (or a few) each,
run end to end through the harness (mapping, validation, engine, request client, mock HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
from actions_launchdarkly_audiences.sync_audience import perform_batch

from actions_core import Outcome
from actions_core.http.retry import RetryPolicy
from actions_core.testing import MockHTTP, TestIntegration

from .fakes import SETTINGS, SYNC_URL, identify, make_ctx, member, payload, track

ACTION = "syncAudience"


def batch(ti: TestIntegration, events: list[dict[str, Any]], **kw: Any) -> Any:
    return ti.test_batch_action(
        ACTION, events=events, settings=SETTINGS, use_default_mappings=True, **kw
    )


def single(ti: TestIntegration, event: dict[str, Any], **kw: Any) -> Any:
    return ti.test_action(ACTION, event=event, settings=SETTINGS, use_default_mappings=True, **kw)


def kinds(result: Any) -> list[Outcome]:
    return [o.outcome for o in result.outcomes]


def test_difference_1_no_context_key_no_send(
    test_integration: TestIntegration, http_mock: MockHTTP
) -> None:
    http_mock.add("POST", SYNC_URL, status=204)
    result = batch(test_integration, [identify(None, anonymousId="anon-1"), identify("user-2")])
    assert kinds(result) == [Outcome.REJECTED, Outcome.DELIVERED]
    rejected = result.outcomes[0]
    assert rejected.status is None  # nothing was sent
    assert "Context key choice is 'user_id_only'" in (rejected.error or "")
    assert "no Segment User ID (userId)" in (rejected.error or "")
    (exchange,) = result.exchanges
    assert exchange.json["batch"] == [member("user-2", True)]


def test_difference_1_in_single_mode_sends_nothing(test_integration: TestIntegration) -> None:
    result = single(test_integration, identify(None), mapping={"context_key": "email_only"})
    assert result.outcome.outcome is Outcome.REJECTED
    assert "'email_only'" in (result.outcome.error or "")
    assert result.exchanges == ()


@pytest.mark.parametrize("value", ["false", "true", 0, 1, [], {}, None, ""])
def test_difference_2_membership_is_a_boolean(
    test_integration: TestIntegration, http_mock: MockHTTP, value: Any
) -> None:
    http_mock.add("POST", SYNC_URL, status=204)
    events = [identify("u1", member=value), identify("u2", member=True), identify("u3", member=False)]
    result = batch(test_integration, events)
    assert kinds(result) == [Outcome.REJECTED, Outcome.DELIVERED, Outcome.DELIVERED]
    assert "must be true (add to the segment) or false (remove from it)" in (
        result.outcomes[0].error or ""
    )
    assert result.exchanges[0].json["batch"] == [member("u2", True), member("u3", False)]


def test_difference_2_missing_membership_is_rejected(test_integration: TestIntegration) -> None:
    event = identify("u1")
    event["traits"] = {"other_audience": True}
    result = single(test_integration, event)
    assert result.outcome.outcome is Outcome.REJECTED
    assert "but it is missing" in (result.outcome.error or "")


def test_difference_2_mapped_audience_action_wins(
    test_integration: TestIntegration, http_mock: MockHTTP
) -> None:
    http_mock.add("POST", SYNC_URL, status=204)
    result = single(test_integration, identify("u1", member=True), mapping={"audience_action": "REMOVE"})
    assert result.outcome.outcome is Outcome.DELIVERED
    assert result.exchanges[0].json["batch"] == [member("u1", False)]


def test_difference_2_identify_with_empty_properties_reads_traits(
    test_integration: TestIntegration, http_mock: MockHTTP
) -> None:
    http_mock.add("POST", SYNC_URL, status=204)
    result = single(test_integration, identify("u1", member=True, properties={}))
    assert result.exchanges[0].json["batch"] == [member("u1", True)]


def test_difference_3_grouped_by_audience_and_context_kind(
    test_integration: TestIntegration, http_mock: MockHTTP
) -> None:
    http_mock.add("POST", SYNC_URL, status=204, times=2)
    events = [
        identify("u1", kind="user"),
        identify("d1", kind="device"),
        identify("u2", kind="user"),
    ]
    result = batch(test_integration, events, mapping={"context_kind": {"@path": "kind"}})
    assert kinds(result) == [Outcome.DELIVERED] * 3
    bodies = sorted((e.json for e in result.exchanges), key=lambda b: b["contextKind"])
    assert [(b["contextKind"], [m["userId"] for m in b["batch"]]) for b in bodies] == [
        ("device", ["d1"]),
        ("user", ["u1", "u2"]),
    ]


def test_difference_3_perform_batch_groups_any_input() -> None:
    ctx, fake = make_ctx()
    payloads = [payload(segment_user_id="u1"), payload(segment_user_id="d1", context_kind="device")]
    assert perform_batch(ctx, payloads) is None
    assert [(b["contextKind"], len(b["batch"])) for b in fake.bodies] == [("user", 1), ("device", 1)]


def test_difference_4_at_most_1000_members_per_request(
    test_integration: TestIntegration, http_mock: MockHTTP
) -> None:
    http_mock.add("POST", SYNC_URL, status=204, times=2)
    result = batch(test_integration, [identify(f"user-{i:04d}") for i in range(1001)])
    assert [len(e.json["batch"]) for e in result.exchanges] == [1000, 1]
    assert set(kinds(result)) == {Outcome.DELIVERED}


def test_difference_4_perform_batch_splits_larger_groups() -> None:
    ctx, fake = make_ctx()
    assert perform_batch(ctx, [payload(segment_user_id=f"u{i}") for i in range(2500)]) is None
    assert [len(b["batch"]) for b in fake.bodies] == [1000, 1000, 500]


def test_difference_5_failure_isolation(
    test_integration: TestIntegration, http_mock: MockHTTP
) -> None:
    http_mock.add("POST", SYNC_URL, status=500, json={"code": "internal", "message": "boom"})
    http_mock.add("POST", SYNC_URL, status=204)
    events = [identify("u1"), track("u2"), identify("u3")]
    result = batch(test_integration, events)
    assert kinds(result) == [Outcome.FAILED, Outcome.DELIVERED, Outcome.FAILED]
    assert result.outcomes[0].status == 500
    assert "500 Internal Server Error" in (result.outcomes[0].error or "")


def test_difference_5_failure_isolation_within_one_call() -> None:
    from actions_core.errors import HTTPError

    ctx, _ = make_ctx(
        lambda m, u, body: HTTPError(429, "Too Many Requests")
        if body["batch"][0]["cohortId"] == "aud_power_002" else 204
    )
    payloads = [payload(), payload(segment_audience_id="aud_power_002"), payload(segment_user_id="b")]
    results = perform_batch(ctx, payloads)
    assert results is not None
    assert [r.outcome for r in results] == [Outcome.DELIVERED, Outcome.FAILED, Outcome.DELIVERED]


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_difference_6_empty_strings_are_absent(
    test_integration: TestIntegration, http_mock: MockHTTP, mode: str
) -> None:
    events = [
        identify("", anonymousId="anon-1"),
        identify("u1", audience_id=""),
        identify("u2", key=""),
        identify("", traits={"trial_users": True, "email": "e@x.io"}),
    ]
    mapping = {"context_key": "user_id_then_email"}
    http_mock.add("POST", SYNC_URL, status=204)
    if mode == "single":
        outcomes = [single(test_integration, e, mapping=mapping).outcome for e in events]
    else:
        outcomes = list(batch(test_integration, events, mapping=mapping).outcomes)
    assert [o.outcome for o in outcomes] == [Outcome.REJECTED] * 3 + [Outcome.DELIVERED]
    assert "no Segment User ID (userId) and no email address" in (outcomes[0].error or "")
    assert outcomes[1].error == "The root value is missing the required field 'segment_audience_id'."
    assert outcomes[2].error == "The root value is missing the required field 'segment_audience_key'."
    (exchange,) = http_mock.exchanges
    assert exchange.json["batch"] == [member("e@x.io", True)]


def test_difference_7_one_entry_per_context(
    test_integration: TestIntegration, http_mock: MockHTTP
) -> None:
    http_mock.add("POST", SYNC_URL, status=204)
    events = [track("u1", member=True), track("u2", member=True), track("u1", member=False)]
    result = batch(test_integration, events)
    assert kinds(result) == [Outcome.DELIVERED] * 3
    power = {"name": "Power users", "cid": "aud_power_002"}
    assert result.exchanges[0].json["batch"] == [member("u1", False, **power), member("u2", True, **power)]


def test_difference_8_retries(make_test_integration: Any, http_mock: MockHTTP) -> None:
    http_mock.add("POST", SYNC_URL, status=503, headers={"Retry-After": "0"})
    http_mock.add("POST", SYNC_URL, status=204)
    policy = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0, jitter=False)
    from actions_launchdarkly_audiences import destination

    ti = make_test_integration(destination, retry=policy)
    result = batch(ti, [identify("u1")])
    assert result.outcome.outcome is Outcome.DELIVERED
    assert result.outcome.attempts == 2
    assert [e.status for e in result.exchanges] == [503, 204]
    assert result.exchanges[0].json == result.exchanges[1].json
