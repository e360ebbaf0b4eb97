"""create_test_integration: actions run through the real engine on mocked HTTP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pytest

from actions_core import Action, Destination, ExecutionContext, Field, RequestDefaults
from actions_core.errors import AuthenticationError, SettingsValidationError
from actions_core.http.retry import RetryPolicy
from actions_core.runtime.outcomes import Outcome
from actions_core.testing import UnexpectedRequestError, create_test_event, create_test_integration

API = "https://api.example.com/v1"
SETTINGS = {"apiKey": "sk-test-0123456789abcdef"}


def perform(ctx: ExecutionContext, payload: dict[str, Any]) -> httpx.Response:
    return ctx.request("POST", f"{API}/track", json=payload)


def perform_batch(ctx: ExecutionContext, payloads: Sequence[dict[str, Any]]) -> None:
    ctx.request("POST", f"{API}/batch", json={"batch": list(payloads)})


def check_key(ctx: ExecutionContext) -> None:
    ctx.request("GET", f"{API}/me")


def request_defaults(settings: Mapping[str, Any]) -> RequestDefaults:
    return RequestDefaults(headers={"Authorization": f"Bearer {settings['apiKey']}"})


TRACK = Action(
    key="track",
    title="Track",
    fields=(
        Field("user_id", "User ID", "string", required=True, default={"@path": "userId"}),
        Field("event_name", "Event", "string", default={"@path": "event"}),
        Field("plan", "Plan", "string", default={"@path": "properties.plan"}),
    ),
    perform=perform,
    perform_batch=perform_batch,
)
DESTINATION = Destination(
    name="Example",
    slug="actions-example",
    settings=(Field("apiKey", "API key", "password", required=True),),
    actions=(TRACK,),
    authentication_test=check_key,
    request_defaults=request_defaults,
)


def test_action_sends_the_mapped_payload_and_returns_the_exchange() -> None:
    integration = create_test_integration(DESTINATION)
    integration.http.add("POST", f"{API}/track", status=204)

    result = integration.test_action(
        "track",
        event=create_test_event(properties={"plan": "pro"}),
        settings=SETTINGS,
        use_default_mappings=True,
    )

    assert result.outcome.outcome is Outcome.DELIVERED
    assert result.outcome.status == 204
    [exchange] = result.exchanges
    assert (exchange.method, exchange.url, exchange.status) == ("POST", f"{API}/track", 204)
    assert exchange.json == {"user_id": "user1234", "event_name": "Test Event", "plan": "pro"}
    assert exchange.headers["authorization"] == "Bearer sk-test-0123456789abcdef"


def test_without_default_mappings_only_the_given_mapping_applies() -> None:
    integration = create_test_integration(DESTINATION)
    integration.http.add("POST", f"{API}/track", status=204)

    result = integration.test_action(
        "track",
        event=create_test_event(),
        mapping={"user_id": {"@path": "anonymousId"}},
        settings=SETTINGS,
    )

    assert result.requests[0].url == f"{API}/track"
    assert result.exchanges[0].json == {"user_id": "anonId1234"}


def test_the_event_is_used_as_given_without_test_event_defaults() -> None:
    integration = create_test_integration(DESTINATION)
    integration.http.add("POST", f"{API}/track", status=204)

    # The reference would wrap this in createTestEvent and add event "Test Event".
    result = integration.test_action(
        "track", event={"type": "identify", "userId": "u-1"}, settings=SETTINGS, use_default_mappings=True
    )

    assert result.exchanges[0].json == {"user_id": "u-1"}


def test_an_invalid_payload_is_rejected_without_a_request() -> None:
    integration = create_test_integration(DESTINATION)

    result = integration.test_action(
        "track", event={"type": "track"}, settings=SETTINGS, use_default_mappings=True
    )

    assert result.outcome.outcome is Outcome.REJECTED
    assert result.outcome.error == "The root value is missing the required field 'user_id'."
    assert result.exchanges == ()


def test_an_error_status_is_a_failed_outcome_after_one_attempt() -> None:
    integration = create_test_integration(DESTINATION)
    integration.http.add("POST", f"{API}/track", status=500)

    result = integration.test_action(
        "track", event=create_test_event(), settings=SETTINGS, use_default_mappings=True
    )

    assert result.outcome.outcome is Outcome.FAILED
    assert result.outcome.status == 500
    assert len(result.exchanges) == 1


def test_a_retry_policy_makes_the_harness_retry() -> None:
    no_wait = RetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0, jitter=False)
    integration = create_test_integration(DESTINATION, retry=no_wait)
    integration.http.add("POST", f"{API}/track", status=503)
    integration.http.add("POST", f"{API}/track", status=204)

    result = integration.test_action(
        "track", event=create_test_event(), settings=SETTINGS, use_default_mappings=True
    )

    assert result.outcome.outcome is Outcome.DELIVERED
    assert [e.status for e in result.exchanges] == [503, 204]


def test_an_unexpected_request_fails_the_call() -> None:
    integration = create_test_integration(DESTINATION)

    with pytest.raises(UnexpectedRequestError, match=r"Unexpected request POST https://api\.example\.com/v1/track"):
        integration.test_action(
            "track", event=create_test_event(), settings=SETTINGS, use_default_mappings=True
        )


def test_settings_are_validated_like_in_production() -> None:
    integration = create_test_integration(DESTINATION)

    with pytest.raises(SettingsValidationError, match="missing the required field 'apiKey'"):
        integration.test_action("track", event=create_test_event(), settings={})


def test_batch_action_sends_one_request_and_records_each_event() -> None:
    integration = create_test_integration(DESTINATION)
    integration.http.add("POST", f"{API}/batch", status=202)
    events = [create_test_event(userId="a"), {"type": "track"}, create_test_event(userId="c")]

    result = integration.test_batch_action(
        "track", events=events, settings=SETTINGS, mapping={"user_id": {"@path": "userId"}}
    )

    assert [(o.line, o.outcome) for o in result.outcomes] == [
        (1, Outcome.DELIVERED),
        (2, Outcome.REJECTED),
        (3, Outcome.DELIVERED),
    ]
    assert result.exchanges[0].json == {"batch": [{"user_id": "a"}, {"user_id": "c"}]}


def test_batch_action_needs_at_least_one_event() -> None:
    with pytest.raises(ValueError, match="at least one event"):
        create_test_integration(DESTINATION).test_batch_action("track", events=[], settings=SETTINGS)


def test_batch_action_needs_an_action_with_perform_batch() -> None:
    single_only = Destination(
        name="Single",
        slug="actions-single",
        settings=DESTINATION.settings,
        actions=(Action("track", "Track", TRACK.fields, perform),),
    )

    with pytest.raises(ValueError, match="has no perform_batch; use test_action"):
        create_test_integration(single_only).test_batch_action(
            "track", events=[create_test_event()], settings=SETTINGS
        )


def test_authentication_returns_the_exchanges_when_it_passes() -> None:
    integration = create_test_integration(DESTINATION)
    integration.http.add("GET", f"{API}/me", status=200, json={"id": "me"})

    result = integration.test_authentication(SETTINGS)

    assert [(e.method, e.url) for e in result.exchanges] == [("GET", f"{API}/me")]


def test_authentication_raises_the_error_on_401() -> None:
    integration = create_test_integration(DESTINATION)
    integration.http.add("GET", f"{API}/me", status=401)

    with pytest.raises(AuthenticationError, match="401"):
        integration.test_authentication(SETTINGS)


def test_authentication_without_a_test_only_validates_the_settings() -> None:
    bare = Destination(name="Bare", slug="actions-bare", settings=DESTINATION.settings, actions=(TRACK,))
    integration = create_test_integration(bare)

    assert integration.test_authentication(SETTINGS).exchanges == ()
    with pytest.raises(SettingsValidationError):
        integration.test_authentication({})
