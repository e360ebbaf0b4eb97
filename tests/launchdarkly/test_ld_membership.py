"""Unit tests of request building: cohortName, context keys, membership, grouping, dedup and
splitting (actions_launchdarkly_audiences.membership)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from actions_launchdarkly_audiences import membership as m

from .fakes import member, payload

ENV = "env-client-id"


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("trial_users", "Trial users"),
        ("VIP_big_Spenders", "VIP big Spenders"),
        ("aud-x.y", "Aud-x.y"),
        ("__aud__x", "  aud  x"),
        ("onboarding_step_1", "Onboarding step 1"),
        ("x", "X"),
        ("", ""),
    ],
)
def test_cohort_name(key: str, name: str) -> None:
    assert m.cohort_name(key) == name


IDS: dict[str, Any] = {"segment_user_id": "u", "user_email": "e@x.io", "segment_anonymous_id": "a"}


@pytest.mark.parametrize(
    ("choice", "present", "expected"),
    [
        ("user_id_only", ("segment_user_id", "user_email", "segment_anonymous_id"), "u"),
        ("user_id_only", ("user_email", "segment_anonymous_id"), None),
        ("email_only", ("segment_user_id", "user_email"), "e@x.io"),
        ("email_only", ("segment_user_id", "segment_anonymous_id"), None),
        ("user_id_then_email", ("segment_user_id", "user_email"), "u"),
        ("user_id_then_email", ("user_email", "segment_anonymous_id"), "e@x.io"),
        ("user_id_then_email", ("segment_anonymous_id",), None),
        ("user_id_then_anonymousId", ("segment_user_id", "segment_anonymous_id"), "u"),
        ("user_id_then_anonymousId", ("user_email", "segment_anonymous_id"), "a"),
        ("user_id_then_anonymousId", ("user_email",), None),
        ("user_id_then_email_then_anonymousId", ("segment_user_id",), "u"),
        ("user_id_then_email_then_anonymousId", ("user_email", "segment_anonymous_id"), "e@x.io"),
        ("user_id_then_email_then_anonymousId", ("segment_anonymous_id",), "a"),
        ("user_id_then_email_then_anonymousId", (), None),
    ],
)
def test_context_key_choices(choice: str, present: tuple[str, ...], expected: str | None) -> None:
    p = {"context_key": choice, **{k: IDS[k] for k in present}}
    assert m.context_key(p) == expected


def test_context_key_treats_empty_strings_as_absent() -> None:
    p = {"context_key": "user_id_then_email", "segment_user_id": "", "user_email": "e@x.io"}
    assert m.context_key(p) == "e@x.io"
    assert m.context_key({"context_key": "user_id_only", "segment_user_id": ""}) is None


def test_context_key_unknown_choice_has_no_key_and_a_reason() -> None:
    p = {"context_key": "phone_only", "segment_user_id": "u"}
    assert m.context_key(p) is None
    assert "Context key must be one of" in m.no_context_key_reason(p)


def test_body_keys_in_reference_order_and_compact_json() -> None:
    requests, rejected = m.plan_requests([payload()], ENV)
    assert rejected == {}
    (req,) = requests
    assert list(req.body) == ["environmentId", "contextKind", "batch"]
    assert list(req.body["batch"][0]) == ["userId", "cohortName", "cohortId", "value"]
    assert json.dumps(req.body, separators=(",", ":")) == (
        '{"environmentId":"env-client-id","contextKind":"user","batch":[{"userId":"user-001",'
        '"cohortName":"Trial users","cohortId":"aud_trial_001","value":true}]}'
    )
    assert req.indices == [0]


def test_value_is_a_json_boolean() -> None:
    requests, _ = m.plan_requests(
        [payload(), payload(segment_user_id="b", traits_or_props={"trial_users": False})], ENV
    )
    values = [x["value"] for x in requests[0].body["batch"]]
    assert values == [True, False]
    assert all(type(v) is bool for v in values)


def test_groups_in_first_seen_order() -> None:
    payloads = [
        payload(segment_user_id="a"),
        payload(segment_user_id="b", segment_audience_id="aud_2", segment_audience_key="power_users",
                traits_or_props={"power_users": True}),
        payload(segment_user_id="c"),
    ]
    requests, _ = m.plan_requests(payloads, ENV)
    assert [r.body["batch"][0]["cohortId"] for r in requests] == ["aud_trial_001", "aud_2"]
    assert [r.indices for r in requests] == [[0, 2], [1]]
    assert requests[1].body["batch"] == [member("b", True, name="Power users", cid="aud_2")]


def test_groups_by_audience_and_context_kind() -> None:
    payloads = [
        payload(segment_user_id="a"),
        payload(segment_user_id="b", context_kind="organization"),
        payload(segment_user_id="c"),
    ]
    requests, _ = m.plan_requests(payloads, ENV)
    assert [(r.body["contextKind"], r.indices) for r in requests] == [
        ("user", [0, 2]),
        ("organization", [1]),
    ]


def test_one_entry_per_context_last_value_first_position() -> None:
    payloads = [
        payload(segment_user_id="a"),
        payload(segment_user_id="b"),
        payload(segment_user_id="a", traits_or_props={"trial_users": False}),
    ]
    requests, _ = m.plan_requests(payloads, ENV)
    (req,) = requests
    assert req.body["batch"] == [member("a", False), member("b", True)]
    assert req.indices == [0, 1, 2]


def test_split_at_1000_members() -> None:
    payloads = [payload(segment_user_id=f"u{i}") for i in range(2500)]
    requests, rejected = m.plan_requests(payloads, ENV)
    assert rejected == {}
    assert [len(r.body["batch"]) for r in requests] == [1000, 1000, 500]
    assert requests[1].body["batch"][0]["userId"] == "u1000"
    assert requests[0].indices == list(range(1000))
    assert requests[2].indices == list(range(2000, 2500))


def test_split_counts_distinct_contexts_and_places_repeats_with_their_member() -> None:
    payloads = [payload(segment_user_id=f"u{i}") for i in range(1001)]
    payloads.append(payload(segment_user_id="u0", traits_or_props={"trial_users": False}))
    requests, _ = m.plan_requests(payloads, ENV)
    assert [len(r.body["batch"]) for r in requests] == [1000, 1]
    assert requests[0].body["batch"][0] == member("u0", False)
    assert requests[0].indices == [*range(1000), 1001]
    assert requests[1].indices == [1000]


def test_exactly_1000_members_is_one_request() -> None:
    requests, _ = m.plan_requests([payload(segment_user_id=f"u{i}") for i in range(1000)], ENV)
    assert len(requests) == 1


def test_audience_action_wins_over_traits() -> None:
    payloads = [
        payload(segment_user_id="a", audience_action="REMOVE"),
        payload(segment_user_id="b", audience_action="ADD", traits_or_props={}),
    ]
    requests, rejected = m.plan_requests(payloads, ENV)
    assert rejected == {}
    assert requests[0].body["batch"] == [member("a", False), member("b", True)]


@pytest.mark.parametrize("value", ["false", "true", 0, 1, [], {}, "", None])
def test_non_boolean_membership_is_rejected(value: Any) -> None:
    _, rejected = m.plan_requests([payload(traits_or_props={"trial_users": value})], ENV)
    assert 'Membership unknown: traits_or_props["trial_users"] must be true' in rejected[0]


def test_missing_membership_reason() -> None:
    _, rejected = m.plan_requests([payload(traits_or_props={"other": True})], ENV)
    assert "but it is missing" in rejected[0]


def test_bad_audience_action_is_rejected() -> None:
    _, rejected = m.plan_requests([payload(audience_action="TOGGLE")], ENV)
    assert rejected[0] == "Audience Action must be \"ADD\" or \"REMOVE\"; it was 'TOGGLE'."


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("segment_audience_id", m.MISSING_AUDIENCE_ID),
        ("segment_audience_key", m.MISSING_AUDIENCE_KEY),
        ("context_kind", m.MISSING_CONTEXT_KIND),
    ],
)
@pytest.mark.parametrize("absent", [None, ""])
def test_missing_or_empty_required_values_are_rejected(
    field: str, reason: str, absent: str | None
) -> None:
    p = payload()
    if absent is None:
        del p[field]
    else:
        p[field] = absent
    requests, rejected = m.plan_requests([p, payload(segment_user_id="ok")], ENV)
    assert rejected == {0: reason}
    assert requests[0].indices == [1]


@pytest.mark.parametrize("choice", m.CONTEXT_KEY_CHOICES)
def test_no_context_key_reason_names_the_choice(choice: str) -> None:
    p = payload(context_key=choice, segment_user_id=None, user_email=None, segment_anonymous_id=None)
    _, rejected = m.plan_requests([p], ENV)
    assert f"the Context key choice is '{choice}'" in rejected[0]


def test_every_index_is_planned_or_rejected_once() -> None:
    payloads = [
        payload(segment_user_id=f"u{i % 7}", segment_audience_id=f"a{i % 3}",
                context_kind="user" if i % 5 else "device",
                traits_or_props={"trial_users": bool(i % 2)} if i % 11 else {})
        for i in range(3000)
    ]
    requests, rejected = m.plan_requests(payloads, ENV)
    seen = sorted([i for r in requests for i in r.indices] + list(rejected))
    assert seen == list(range(3000))
