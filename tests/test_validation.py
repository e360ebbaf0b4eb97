"""Payload and settings validation: the reference's messages, coercion and clean-up.

Every quoted message was produced by the reference (actions-core 3.170.0, ajv-human-errors)
on the same input, except the date-time ones: the reference's ``datetime`` is a looser
``date-like`` format; ours is RFC 3339 ``date-time``, worded by the same formatter.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from actions_core.definitions import Choice, Field
from actions_core.errors import PayloadValidationError, SettingsValidationError
from actions_core.validation.validator import compile_validator, validate_settings


def choices(*values: Any) -> tuple[Choice, ...]:
    return tuple(Choice(v) for v in values)


# The Sync Audience action of the LaunchDarkly Audiences destination.
LD_FIELDS = (
    Field("segment_audience_id", "Audience ID", "string", required=True),
    Field("segment_audience_key", "Audience Key", "string", required=True),
    Field(
        "segment_computation_action", "Segment Computation Action", "string", required=True,
        choices=choices("audience", "journey_step"),
    ),
    Field("context_kind", "Context kind", "string", required=True),
    Field("segment_user_id", "Segment User ID", "string"),
    Field("segment_anonymous_id", "Segment Anonymous ID", "string"),
    Field("user_email", "Email address", "string"),
    Field(
        "context_key", "Context key", "string", required=True,
        choices=choices(
            "user_id_then_email", "user_id_then_anonymousId",
            "user_id_then_email_then_anonymousId", "user_id_only", "email_only",
        ),
    ),
    Field("traits_or_props", "Traits or properties object", "object", required=True),
    Field("enable_batching", "Batch events", "boolean"),
    Field("audience_action", "Audience Action", "string", choices=choices("ADD", "REMOVE")),
)
LD = compile_validator(LD_FIELDS)


def ld_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "segment_audience_id": "aud_1", "segment_audience_key": "trial_users",
        "segment_computation_action": "audience", "context_kind": "user",
        "segment_user_id": "u1", "segment_anonymous_id": "a1", "user_email": "x@y.z",
        "context_key": "user_id_only", "traits_or_props": {"trial_users": True},
        "enable_batching": True,
    }
    payload.update(overrides)
    return payload


def messages(validator: Any, payload: dict[str, Any]) -> list[str]:
    with pytest.raises(PayloadValidationError) as info:
        validator.validate(payload)
    return list(info.value.messages)


def one(field: Field, value: Any) -> Any:
    """Validate ``{field.key: value}`` and return the field's cleaned value."""
    return compile_validator([field]).validate({field.key: value})[field.key]


def one_error(field: Field, value: Any) -> str:
    (message,) = messages(compile_validator([field]), {field.key: value})
    return message


# ------------------------------------------------------------------------ reference texts


def test_a_valid_payload_comes_back_unchanged() -> None:
    assert LD.validate(ld_payload()) == ld_payload()


def test_missing_required_field_names_the_key() -> None:
    payload = ld_payload()
    del payload["segment_computation_action"]
    assert messages(LD, payload) == [
        "The root value is missing the required field 'segment_computation_action'."
    ]


def test_choice_outside_the_list_names_the_allowed_values() -> None:
    assert messages(LD, ld_payload(segment_computation_action="computed_trait")) == [
        'Segment Computation Action must be one of: "audience" or "journey_step".'
    ]


def test_choice_list_of_five_uses_an_oxford_comma() -> None:
    assert messages(LD, ld_payload(context_key="nope")) == [
        'Context key must be one of: "user_id_then_email", "user_id_then_anonymousId", '
        '"user_id_then_email_then_anonymousId", "user_id_only", or "email_only".'
    ]


@pytest.mark.parametrize(
    ("value", "kind"), [(["a", "b"], "an array"), ({"id": 1}, "an object"), ([], "an array")]
)
def test_wrong_type_says_what_it_was(value: Any, kind: str) -> None:
    assert messages(LD, ld_payload(segment_user_id=value)) == [
        f"Segment User ID must be a string but it was {kind}."
    ]


def test_type_error_on_a_choice_field_also_reports_the_choices() -> None:
    assert messages(LD, ld_payload(audience_action={})) == [
        "Audience Action must be a string but it was an object.",
        'Audience Action must be one of: "ADD" or "REMOVE".',
    ]


def test_one_element_array_that_cannot_coerce_reports_its_element() -> None:
    assert messages(LD, ld_payload(segment_user_id=[{}])) == [
        "Segment User ID must be a string but it was an object."
    ]


def test_required_errors_come_first_then_others_in_field_order() -> None:
    payload = ld_payload(user_email=[1, 2], segment_computation_action="x", enable_batching="yes")
    del payload["segment_audience_key"], payload["traits_or_props"]
    assert messages(LD, payload) == [
        "The root value is missing the required field 'segment_audience_key'.",
        "The root value is missing the required field 'traits_or_props'.",
        'Segment Computation Action must be one of: "audience" or "journey_step".',
        "Email address must be a string but it was an array.",
        "Batch events must be a boolean but it was a string.",
    ]


def test_str_of_the_error_joins_the_messages_with_a_space() -> None:
    with pytest.raises(PayloadValidationError) as info:
        LD.validate({"segment_audience_id": "a"})
    assert str(info.value) == " ".join(info.value.messages)
    assert str(info.value).startswith(
        "The root value is missing the required field 'segment_audience_key'. The root value"
    )


def test_field_without_a_label_is_named_by_its_json_pointer() -> None:
    assert one_error(Field("a/b", "", "number"), "x") == (
        "The value at /a~1b must be a number but it was a string."
    )


def test_label_is_capitalised() -> None:
    assert one_error(Field("n", "count of things", "integer"), "x") == (
        "Count of things must be an integer but it was a string."
    )


def test_allow_null_widens_the_expected_type_and_the_choices() -> None:
    field = Field("a", "A", "string", allow_null=True, choices=choices("x", "y"))
    assert messages(compile_validator([field]), {"a": {}}) == [
        "A must be a string or null but it was an object.",
        'A must be one of: "x", "y", or null.',
    ]


def test_numeric_choices_are_listed_as_numbers() -> None:
    field = Field("n", "N", "number", choices=(Choice(1, "one"), Choice(2.5, "two and a half")))
    assert one_error(field, "3") == "N must be one of: 1 or 2.5."


# ------------------------------------------------------------------------------ clean-up


def test_unknown_keys_are_dropped() -> None:
    assert "extra" not in LD.validate(ld_payload(extra=1))


def test_null_optional_value_is_dropped() -> None:
    assert "segment_user_id" not in LD.validate(ld_payload(segment_user_id=None))


def test_null_required_value_is_missing() -> None:
    assert messages(LD, ld_payload(context_kind=None)) == [
        "The root value is missing the required field 'context_kind'."
    ]


def test_null_is_kept_where_the_field_allows_it() -> None:
    assert one(Field("a", "A", "string", allow_null=True), None) is None


@pytest.mark.parametrize("field_type", ["string", "number", "boolean", "object"])
def test_top_level_empty_string_counts_as_absent(field_type: Any) -> None:
    validator = compile_validator([Field("a", "A", field_type)])
    assert validator.validate({"a": ""}) == {}


def test_top_level_empty_string_for_a_required_field_is_missing() -> None:
    assert messages(LD, ld_payload(segment_audience_id="")) == [
        "The root value is missing the required field 'segment_audience_id'."
    ]


def test_validator_returns_the_same_result_for_the_same_payload_every_time() -> None:
    payload = ld_payload(segment_user_id=12345)
    assert LD.validate(dict(payload)) == LD.validate(dict(payload))


# ------------------------------------------------------------------------------ coercion


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12345, "12345"), (1.5, "1.5"), (3.0, "3"), (-0.0, "0"), (1e21, "1e+21"),
        (1.5e-7, "1.5e-7"), (0.000001, "0.000001"), (2**53 + 1, "9007199254740993"),
        (True, "true"), (False, "false"), (["a"], "a"), ([7], "7"),
    ],
)
def test_string_field_coerces_like_javascript_string(value: Any, expected: str) -> None:
    assert one(Field("s", "S", "string"), value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("1.5", 1.5), (" 7 ", 7), ("0x1A", 26), ("1e3", 1000), (".5", 0.5),
     (True, 1), (["2"], 2), ("  ", 0)],
)
def test_number_field_coerces_numeric_strings_and_booleans(value: Any, expected: Any) -> None:
    result = one(Field("n", "N", "number"), value)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("value", ["abc", "1_000", "Infinity", "1e400", "0x", "\u0661"])
def test_number_field_rejects_strings_that_are_not_finite_numbers(value: str) -> None:
    assert one_error(Field("n", "N", "number"), value) == "N must be a number but it was a string."


def test_number_field_rejects_nan_as_a_number() -> None:
    assert one_error(Field("n", "N", "number"), float("nan")) == (
        "N must be a number but it was a number."
    )


def test_integer_field_accepts_integral_values_and_rejects_fractions() -> None:
    field = Field("i", "I", "integer")
    assert one(field, "1.0") == 1
    assert one(field, 4.0) == 4.0
    assert one_error(field, "1.5") == "I must be an integer but it was a string."
    assert one_error(field, 1.5) == "I must be an integer but it was a number."


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("false", False), (1, True), (0, False), ([0], False)]
)
def test_boolean_field_coerces_like_ajv(value: Any, expected: bool) -> None:
    assert one(Field("b", "B", "boolean"), value) is expected


@pytest.mark.parametrize("value", ["True", "yes", 2, "1"])
def test_boolean_field_rejects_other_spellings(value: Any) -> None:
    kind = "a string" if isinstance(value, str) else "a number"
    assert one_error(Field("b", "B", "boolean"), value) == f"B must be a boolean but it was {kind}."


def test_one_element_array_unwraps_for_a_nullable_field_too() -> None:
    # The reference's ajv refuses this ("must be a string or null but it was a string").
    assert one(Field("a", "A", "string", allow_null=True), ["x"]) == "x"


def test_object_field_is_never_coerced() -> None:
    assert one_error(Field("o", "O", "object"), [{}]) == "O must be an object but it was an array."


# ----------------------------------------------------------------------------- multiple


def test_multiple_field_wraps_a_scalar() -> None:
    assert one(Field("m", "M", "string", multiple=True), "x") == ["x"]


def test_multiple_field_coerces_each_item_and_drops_null_items() -> None:
    assert one(Field("m", "M", "string", multiple=True), [1, None, True]) == ["1", "true"]


def test_multiple_number_field_drops_empty_string_items() -> None:
    assert one(Field("m", "M", "number", multiple=True), [1, "", "2"]) == [1, 2]


def test_multiple_item_errors_are_named_by_index() -> None:
    field = Field("m", "M", "string", multiple=True, choices=choices("x"))
    assert messages(compile_validator([field]), {"m": ["x", {}, "z"]}) == [
        "The value at /m/1 must be a string but it was an object.",
        'The value at /m/1 must be one of: "x".',
        'The value at /m/2 must be one of: "x".',
    ]


def test_multiple_field_list_is_returned_as_is_when_nothing_changes() -> None:
    items = ["a", "b"]
    assert one(Field("m", "M", "string", multiple=True), items) is items


# ------------------------------------------------------------------------ nested objects

ADDRESS = Field(
    "address", "Address", "object",
    properties=(
        Field("street", "Street", "string", required=True),
        Field("zip", "", "integer"),
        Field("tags", "Tags", "string", multiple=True),
    ),
)


def test_nested_errors_use_the_object_label_and_the_json_pointer() -> None:
    assert messages(compile_validator([ADDRESS]), {"address": {"zip": "x"}}) == [
        "Address is missing the required field 'street'.",
        "The value at /address/zip must be an integer but it was a string.",
    ]


def test_nested_object_drops_unknown_keys_and_nulls_but_keeps_empty_strings() -> None:
    value = {"street": "", "zip": None, "other": 1}
    assert one(ADDRESS, value) == {"street": ""}


def test_nested_empty_string_is_dropped_where_the_type_is_not_a_string() -> None:
    assert one(ADDRESS, {"street": "s", "zip": ""}) == {"street": "s"}


def test_nested_multiple_field_refuses_an_object_like_the_reference() -> None:
    assert messages(compile_validator([ADDRESS]), {"address": {"street": "s", "tags": {}}}) == [
        "Tags must be an array but it was an object."
    ]


def test_items_of_a_multiple_object_are_named_by_index() -> None:
    field = Field("rows", "Rows", "object", multiple=True, properties=ADDRESS.properties)
    assert messages(compile_validator([field]), {"rows": [{"street": "a"}, {"zip": 1}]}) == [
        "The value at /rows/1 is missing the required field 'street'."
    ]


def test_nested_input_is_never_mutated() -> None:
    event_traits = {"street": 12, "zip": "7", "extra": True, "tags": ["a", 1]}
    snapshot = json.dumps(event_traits)
    result = one(ADDRESS, event_traits)
    assert result == {"street": "12", "zip": 7, "tags": ["a", "1"]}
    assert json.dumps(event_traits) == snapshot


def test_nested_object_is_returned_as_is_when_nothing_changes() -> None:
    value = {"street": "s", "zip": 1}
    assert one(ADDRESS, value) is value


def test_free_form_object_is_passed_through() -> None:
    traits = {"trial_users": True, "nested": {"x": None}}
    assert LD.validate(ld_payload(traits_or_props=traits))["traits_or_props"] is traits


# ----------------------------------------------------------------------------- datetime


@pytest.mark.parametrize(
    "value", ["2024-02-29T10:00:00Z", "2024-01-01 10:00:00.123+02:00", "2024-01-01t23:59:60z"]
)
def test_datetime_accepts_rfc3339_with_a_time_zone(value: str) -> None:
    assert one(Field("t", "T", "datetime"), value) == value


@pytest.mark.parametrize(
    "value",
    ["2023-02-29T10:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T10:00:00", "2024-01-01", "yesterday",
     1700000000],
)
def test_datetime_rejects_anything_else(value: Any) -> None:
    assert one_error(Field("t", "When", "datetime"), value) == (
        "When must be a valid date and time string but it was not."
    )


# ----------------------------------------------------------------------------- settings

SETTINGS = (
    Field("apiKey", "LaunchDarkly Service Token", "password", required=True),
    Field("clientId", "LaunchDarkly client-side ID", "string", required=True),
    Field("baseUrl", "Base URL", "string", default="https://app.launchdarkly.com"),
    Field("region", "Region", "password", choices=choices("us", "eu")),
)


def test_settings_missing_required_field() -> None:
    with pytest.raises(SettingsValidationError) as info:
        validate_settings(SETTINGS, {"apiKey": "k"})
    assert str(info.value) == "The root value is missing the required field 'clientId'."


def test_settings_defaults_fill_missing_optional_settings() -> None:
    settings = validate_settings(SETTINGS, {"apiKey": "k", "clientId": "env", "baseUrl": ""})
    assert settings == {"apiKey": "k", "clientId": "env", "baseUrl": "https://app.launchdarkly.com"}


def test_settings_keep_a_given_value_over_the_default() -> None:
    settings = validate_settings(SETTINGS, {"apiKey": "k", "clientId": 7, "baseUrl": "http://x"})
    assert settings["baseUrl"] == "http://x" and settings["clientId"] == "7"


def test_settings_directive_default_is_not_a_value() -> None:
    fields = (Field("a", "A", "string", default={"@path": "userId"}),)
    assert validate_settings(fields, {}) == {}


@pytest.mark.parametrize(
    "settings",
    [
        {"apiKey": ["sk-SECRET-1", "sk-SECRET-2"], "clientId": "env"},
        {"apiKey": {"token": "sk-SECRET"}, "clientId": "env"},
        {"apiKey": "k", "clientId": "env", "region": "sk-SECRET"},
    ],
)
def test_settings_errors_never_echo_a_password_value(settings: dict[str, Any]) -> None:
    with pytest.raises(SettingsValidationError) as info:
        validate_settings(SETTINGS, settings)
    assert info.value.messages
    assert "SECRET" not in str(info.value)
