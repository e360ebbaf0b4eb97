"""Request snapshots: what goes out on the wire (method, URL, the destination's own headers with
the token replaced, parsed JSON body), one readable JSON file per snapshot under
``__snapshots__/test_ld_snapshots/``. Update them with ``pytest --snapshot-update`` and review
the diff."""

from __future__ import annotations

from typing import Any

import pytest
from actions_launchdarkly_audiences import membership as m
from syrupy.assertion import SnapshotAssertion

from actions_core import Outcome
from actions_core.testing import MockHTTP, TestIntegration

from .fakes import SETTINGS, SYNC_URL, identify, track

ACTION = "syncAudience"
GOALS_URL = "https://clientsdk.launchdarkly.com/sdk/goals/env-client-id"
VERSIONS_URL = "https://app.launchdarkly.com/api/v2/versions"


def run_single(ti: TestIntegration, http: MockHTTP, event: dict[str, Any], **kw: Any) -> Any:
    http.add("POST", SYNC_URL, status=204)
    result = ti.test_action(ACTION, event=event, settings=SETTINGS, use_default_mappings=True, **kw)
    assert result.outcome.outcome is Outcome.DELIVERED, result.outcome.error
    return result


def test_add(test_integration: TestIntegration, http_mock: MockHTTP, request_snapshot: SnapshotAssertion) -> None:
    assert request_snapshot == run_single(test_integration, http_mock, identify("user-001", member=True))


def test_remove(test_integration: TestIntegration, http_mock: MockHTTP, request_snapshot: SnapshotAssertion) -> None:
    assert request_snapshot == run_single(test_integration, http_mock, track("user-004", member=False))


def test_journey_step(
    test_integration: TestIntegration, http_mock: MockHTTP, request_snapshot: SnapshotAssertion
) -> None:
    event = track("user-005", key="onboarding_step_1", audience_id="jny_step_003",
                  computation_class="journey_step")
    assert request_snapshot == run_single(test_integration, http_mock, event)


# Each choice with an event where it picks a different identifier than user_id_only would.
CHOICE_EVENTS: dict[str, dict[str, Any]] = {
    m.USER_ID_ONLY: identify("user-001", anonymousId="anon-001",
                             traits={"trial_users": True, "email": "one@example.com"}),
    m.EMAIL_ONLY: identify("user-001", traits={"trial_users": True, "email": "one@example.com"}),
    m.USER_ID_THEN_EMAIL: identify(None, anonymousId="anon-001", traits={"trial_users": True},
                                   context={"personas": identify()["context"]["personas"],
                                            "traits": {"email": "ctx@example.com"}}),
    m.USER_ID_THEN_ANONYMOUS_ID: identify(None, anonymousId="anon-001",
                                          traits={"trial_users": True, "email": "one@example.com"}),
    m.USER_ID_THEN_EMAIL_THEN_ANONYMOUS_ID: identify(None, anonymousId="anon-001"),
}


@pytest.mark.parametrize("choice", m.CONTEXT_KEY_CHOICES)
def test_context_key_choice(
    test_integration: TestIntegration, http_mock: MockHTTP, request_snapshot: SnapshotAssertion,
    choice: str,
) -> None:
    result = run_single(test_integration, http_mock, CHOICE_EVENTS[choice], mapping={"context_key": choice})
    assert request_snapshot == result


def test_multi_audience_batch(
    test_integration: TestIntegration, http_mock: MockHTTP, request_snapshot: SnapshotAssertion
) -> None:
    http_mock.add("POST", SYNC_URL, status=204, times=3)
    events = [
        identify("user-001", member=True),
        track("user-003", member=True),
        identify("user-002", member=False),
        track("user-004", member=False),
        track("user-005", key="onboarding_step_1", audience_id="jny_step_003",
              computation_class="journey_step"),
    ]
    result = test_integration.test_batch_action(
        ACTION, events=events, settings=SETTINGS, use_default_mappings=True
    )
    assert {o.outcome for o in result.outcomes} == {Outcome.DELIVERED}
    assert request_snapshot == result


def test_batch_split_at_1000(
    test_integration: TestIntegration, http_mock: MockHTTP, request_snapshot: SnapshotAssertion
) -> None:
    http_mock.add("POST", SYNC_URL, status=204, times=2)
    events = [identify(f"user-{i:04d}", member=i % 3 != 0) for i in range(1001)]
    result = test_integration.test_batch_action(
        ACTION, events=events, settings=SETTINGS, use_default_mappings=True
    )
    assert [len(e.json["batch"]) for e in result.exchanges] == [1000, 1]
    assert request_snapshot == result


def test_authentication_requests(
    test_integration: TestIntegration, http_mock: MockHTTP, request_snapshot: SnapshotAssertion
) -> None:
    http_mock.add("HEAD", GOALS_URL, status=200)
    http_mock.add("GET", VERSIONS_URL, status=200, json={"currentVersion": 20240415})
    result = test_integration.test_authentication(SETTINGS)
    assert request_snapshot == result
