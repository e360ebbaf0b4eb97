"""Compiling an instance: settings, subscriptions, and the generated payload builder."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions_core.definitions import Action, Choice, Destination, Field
from actions_core.errors import ConfigError, PayloadValidationError, SettingsValidationError
from actions_core.instance import SubscriptionSpec, compile_instance


def _perform(ctx: Any, payload: Any) -> None:
    return None


FIELDS = (
    Field("user_id", "User ID", "string", required=True, default={"@path": "userId"}),
    Field("email", "Email", "string", default={"@path": "traits.email || context.traits.email"}),
    Field(
        "plan",
        "Plan",
        "string",
        choices=(Choice("free"), Choice("pro")),
        default={"@path": "traits.plan"},
    ),
    Field("seats", "Seats", "integer", default={"@path": "traits.seats"}),
    Field("kind", "Kind", "string", required=True, default="user"),
    Field("traits", "Traits", "object", required=True, default={"@path": "properties || traits"}),
    Field("greeting", "Greeting", "string", default={"@template": "Hi {{traits.name}}"}),
    Field("tags", "Tags", "string", multiple=True, default={"@path": "traits.tags"}),
    Field("unmapped", "Unmapped", "string"),
)
ACTION = Action("send", "Send", FIELDS, _perform, default_trigger='type = "identify"')
DESTINATION = Destination(
    "Toy", "actions-toy", (Field("token", "Token", "password", required=True),), (ACTION,)
)


def compile_one(**spec: Any) -> Any:
    full = {"name": "m", "action": "send", "trigger": 'type = "identify"', **spec}
    return compile_instance(DESTINATION, {"token": "t0ken"}, [SubscriptionSpec(**full)])


def test_unknown_action_names_the_mapping_and_the_known_actions() -> None:
    with pytest.raises(
        ConfigError, match=r"mappings\[0\]\.action: .*no action 'nope' \(actions: send\)"
    ):
        compile_one(action="nope")


def test_unknown_field_in_a_mapping_is_an_error() -> None:
    with pytest.raises(
        ConfigError, match=r"mappings\[0\]\.mapping: action 'send' has no field 'nope'"
    ):
        compile_one(mapping={"nope": "x"})


def test_a_trigger_syntax_error_names_the_mapping() -> None:
    with pytest.raises(ConfigError, match=r"mappings\[0\]\.trigger: .*column"):
        compile_one(trigger="type = ")


def test_more_than_fifty_mappings_is_an_error() -> None:
    specs = [SubscriptionSpec(f"m{i}", "send", None) for i in range(51)]
    with pytest.raises(ConfigError, match="at most 50 mappings"):
        compile_instance(DESTINATION, {"token": "t"}, specs)


def test_mapping_names_must_be_unique() -> None:
    specs = [SubscriptionSpec("same", "send", None), SubscriptionSpec("same", "send", None)]
    with pytest.raises(
        ConfigError, match=r"mappings\[1\]\.name: mapping name 'same' is used twice"
    ):
        compile_instance(DESTINATION, {"token": "t"}, specs)


def test_settings_are_validated_before_anything_else() -> None:
    with pytest.raises(SettingsValidationError, match="missing the required field 'token'"):
        compile_instance(DESTINATION, {}, [])


def test_fields_not_named_in_a_mapping_keep_their_default() -> None:
    instance = compile_one(mapping={"kind": "account"})
    payload = instance.subscriptions[0].payload({"userId": "u1", "traits": {"email": "a@b.c"}})
    assert payload["kind"] == "account"
    assert payload["email"] == "a@b.c"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "a", "free", "pro", "7"]),
    lambda inner: (
        st.lists(inner, max_size=2)
        | st.dictionaries(
            st.sampled_from(["email", "plan", "seats", "name", "tags"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)
EVENTS = st.fixed_dictionaries(
    {},
    optional={
        "userId": _JSON,
        "traits": _JSON,
        "properties": _JSON,
        "context": st.fixed_dictionaries({}, optional={"traits": _JSON}),
    },
)


def _outcome(fn: Any, event: Any) -> tuple[str, Any]:
    try:
        return "ok", list(fn(event).items())  # key order too
    except PayloadValidationError as exc:
        return "error", exc.messages


@settings(max_examples=300, deadline=None)
@given(event=EVENTS)
def test_the_generated_builder_equals_validate_after_resolve(event: dict[str, Any]) -> None:
    sub = compile_one().subscriptions[0]
    separate = _outcome(lambda e: sub.validator.validate(sub.mapping.resolve(e)), event)
    assert _outcome(sub.build, event) == separate


@settings(max_examples=100, deadline=None)
@given(event=EVENTS)
def test_the_builder_equals_validate_after_resolve_without_default_mappings(
    event: dict[str, Any],
) -> None:
    sub = compile_one(mapping={"user_id": {"@path": "$.userId"}}, use_defaults=False).subscriptions[
        0
    ]
    separate = _outcome(lambda e: sub.validator.validate(sub.mapping.resolve(e)), event)
    assert _outcome(sub.build, event) == separate


@settings(max_examples=100, deadline=None)
@given(event=EVENTS)
def test_the_builder_equals_validate_after_resolve_with_constants_that_fail_their_check(
    event: dict[str, Any],
) -> None:
    mapping = {"plan": "enterprise", "seats": "12", "kind": ["user"], "tags": "one"}
    sub = compile_one(mapping=mapping).subscriptions[0]
    separate = _outcome(lambda e: sub.validator.validate(sub.mapping.resolve(e)), event)
    assert _outcome(sub.build, event) == separate
