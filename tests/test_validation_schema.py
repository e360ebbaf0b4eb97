"""``fields_to_schema`` and the fast validator agree: the schema is the source of truth.

The property test feeds random payloads to the compiled validator and checks its verdict
against ``jsonschema``'s on the cleaned result: accepted exactly when the cleaned payload is
valid for :func:`fields_to_schema`, rejected (with at least one message) exactly when not.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions_core.definitions import Choice, Field
from actions_core.validation.validator import (
    SCHEMA_DIALECT,
    PayloadValidator,
    compile_validator,
    fields_to_schema,
)


def _choices(*values: str) -> tuple[Choice, ...]:
    return tuple(Choice(v) for v in values)


# The Sync Audience action's fields (docs/launchdarkly-audiences.md#the-syncaudience-action).
LD_FIELDS = (
    Field("segment_audience_id", "Audience ID", "string", required=True),
    Field("segment_audience_key", "Audience Key", "string", required=True),
    Field("segment_computation_action", "Segment Computation Action", "string", required=True,
          choices=_choices("audience", "journey_step")),
    Field("context_kind", "Context kind", "string", required=True),
    Field("segment_user_id", "Segment User ID", "string"),
    Field("segment_anonymous_id", "Segment Anonymous ID", "string"),
    Field("user_email", "Email address", "string"),
    Field("context_key", "Context key", "string", required=True,
          choices=_choices("user_id_then_email", "user_id_then_anonymousId",
                           "user_id_then_email_then_anonymousId", "user_id_only", "email_only")),
    Field("traits_or_props", "Traits or properties object", "object", required=True),
    Field("enable_batching", "Batch events", "boolean"),
    Field("audience_action", "Audience Action", "string", choices=_choices("ADD", "REMOVE")),
)

# ------------------------------------------------------------------------- the schema


def test_schema_is_draft_2020_12_with_no_additional_properties() -> None:
    schema = fields_to_schema(LD_FIELDS)
    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert schema["required"] == [
        "segment_audience_id", "segment_audience_key", "segment_computation_action",
        "context_kind", "context_key", "traits_or_props",
    ]
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_carries_label_description_and_choices() -> None:
    field = Field("kind", "Kind", "string", description="Which kind.", choices=(Choice("a"),))
    assert fields_to_schema([field])["properties"]["kind"] == {
        "title": "Kind", "description": "Which kind.", "type": "string", "enum": ["a"],
    }


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (Field("t", "T", "datetime"), {"type": "string", "format": "date-time"}),
        (Field("p", "P", "password"), {"type": "string", "format": "password"}),
        (Field("x", "X", "text"), {"type": "string", "format": "text"}),
        (Field("i", "I", "integer", allow_null=True), {"type": ["integer", "null"]}),
        (Field("m", "M", "number", multiple=True), {"type": "array", "items": {"type": "number"}}),
        (
            Field("m", "M", "string", multiple=True, allow_null=True, choices=(Choice("a"),)),
            {"type": ["array", "null"], "items": {"type": "string", "enum": ["a", None]}},
        ),
        (Field("o", "O", "object"), {"type": "object"}),
        (Field("s", "S", "string", default="x"), {"type": "string", "default": "x"}),
        (Field("s", "S", "string", default={"@path": "userId"}), {"type": "string"}),
    ],
)
def test_schema_types_per_field_type(field: Field, expected: dict[str, Any]) -> None:
    assert fields_to_schema([field])["properties"][field.key] == {"title": field.label, **expected}


def test_schema_nests_object_properties() -> None:
    field = Field("o", "O", "object", properties=(Field("a", "A", "boolean", required=True),))
    assert fields_to_schema([field])["properties"]["o"] == {
        "title": "O", "type": "object", "properties": {"a": {"title": "A", "type": "boolean"}},
        "required": ["a"], "additionalProperties": False,
    }


# -------------------------------------------------------------- fast validator == schema

# An independent date-time check for jsonschema (its own needs the rfc3339-validator package).
_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.\d+)?([Zz]|[+-]\d\d:\d\d)", re.ASCII)


def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats apply to strings only
    if not (m := _RFC3339.fullmatch(value)):
        return False
    zone = "+00:00" if m[3] in "Zz" else m[3]
    try:
        datetime.fromisoformat(f"{m[1]}T{m[2]}{zone}")
    except ValueError:
        return False
    return True


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time")(_is_rfc3339)

TAGS = (Choice("red"), Choice("blue"))
MIXED = (
    Field("count", "Count", "integer", required=True),
    Field("score", "Score", "number", choices=(Choice(1), Choice(2.5))),
    Field("flag", "Flag", "boolean"),
    Field("when", "When", "datetime", required=True),
    Field("tags", "Tags", "string", multiple=True, choices=TAGS),
    Field("ids", "IDs", "integer", multiple=True, allow_null=True),
    Field("color", "Color", "string", allow_null=True, choices=TAGS),
    Field("blob", "Blob", "object"),
)
INNER = (
    Field("name", "Name", "string", required=True),
    Field("age", "", "integer"),
    Field("opts", "Opts", "boolean", multiple=True),
    Field("when", "When", "datetime"),
    Field("extra", "Extra", "object", allow_null=True),
)
NESTED = (
    Field("person", "Person", "object", required=True, properties=INNER),
    Field("rows", "Rows", "object", multiple=True, properties=INNER),
    Field("maybe", "Maybe", "object", allow_null=True, properties=INNER),
    Field("label", "Label", "text"),
)

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        ["", " ", "x", "red", "blue", "audience", "user_id_only", "1", "2.5", "-0", "1e3", "0x1A",
         "1.5", "true", "false", "True", "yes", "Infinity", "2024-02-29T10:00:00Z", "2023-02-29T10:00:00Z",
         "2024-01-01 10:00:00.5+02:00", "2024-01-01T10:00:00", "2024-01-01", "2024-01-01T24:00:00Z",
         1.5, -0.5, 2.5, 1e21, 0, 1, 2]
    ),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.text(max_size=4),
)
KEYS = st.sampled_from(["name", "age", "opts", "when", "extra", "other"])
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=8,
)


FINITE = st.floats(allow_nan=False, allow_infinity=False)
GOOD_SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "string": st.one_of(st.text(min_size=1, max_size=5), st.integers(), FINITE, st.booleans()),
    "number": st.one_of(st.integers(), FINITE, st.integers().map(str), st.booleans()),
    "integer": st.one_of(st.integers(), st.integers().map(str), st.integers(-99, 99).map(float)),
    "boolean": st.one_of(st.booleans(), st.sampled_from(["true", "false", 0, 1])),
    "datetime": st.datetimes().map(lambda d: d.isoformat() + "Z"),
}


def field_values(field: Field) -> st.SearchStrategy[Any]:
    """Mostly values that are valid (possibly after coercion), sometimes anything at all."""
    good: st.SearchStrategy[Any]
    if field.type == "object":
        good = payloads(field.properties) if field.properties else st.dictionaries(KEYS, SCALARS)
    elif field.choices:
        good = st.sampled_from([c.value for c in field.choices])
    else:
        good = GOOD_SCALARS.get(field.type, GOOD_SCALARS["string"])
    good = st.one_of(good, good, good.map(lambda v: [v]))  # [v] stands for v
    if field.multiple:
        good = st.one_of(good, st.lists(good, max_size=3))
    return st.one_of(good, good, good, VALUES)


def payloads(fields: tuple[Field, ...]) -> st.SearchStrategy[dict[str, Any]]:
    required = {f.key: field_values(f) for f in fields if f.required}
    optional = {f.key: field_values(f) for f in fields if not f.required}
    return st.fixed_dictionaries(required, optional={**optional, "unknown": VALUES})


@functools.cache
def _validators(fields: tuple[Field, ...]) -> tuple[PayloadValidator, jsonschema.Draft202012Validator]:
    schema = fields_to_schema(fields)
    return compile_validator(fields), jsonschema.Draft202012Validator(schema, format_checker=FORMATS)


def assert_agrees_with_jsonschema(fields: tuple[Field, ...], payload: dict[str, Any]) -> None:
    fast, reference = _validators(fields)
    cleaned, errors = fast.clean(payload)
    assert (not errors) == reference.is_valid(cleaned), (errors, cleaned)


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(payloads(LD_FIELDS))
def test_fast_validator_agrees_with_jsonschema_on_launchdarkly_fields(payload: dict[str, Any]) -> None:
    assert_agrees_with_jsonschema(LD_FIELDS, payload)


@SETTINGS
@given(payloads(MIXED))
def test_fast_validator_agrees_with_jsonschema_on_mixed_types(payload: dict[str, Any]) -> None:
    assert_agrees_with_jsonschema(MIXED, payload)


@SETTINGS
@given(payloads(NESTED))
def test_fast_validator_agrees_with_jsonschema_on_nested_objects(payload: dict[str, Any]) -> None:
    assert_agrees_with_jsonschema(NESTED, payload)


ONE_FIELD = (
    Field("s", "S", "string"), Field("r", "R", "string", required=True, choices=TAGS),
    Field("n", "N", "number"), Field("i", "I", "integer", required=True),
    Field("b", "B", "boolean"), Field("d", "D", "datetime"), Field("o", "O", "object"),
    Field("m", "M", "integer", multiple=True), Field("z", "Z", "boolean", allow_null=True),
    NESTED[0],
)


# Values just outside what some field type accepts, or just inside after coercion.
NEAR_MISS = st.sampled_from(
    [1.5, -0.5, "1.5", "2.5", "1.0", 2, 0, 1, True, False, "true", "yes", "True", "", " ", "abc",
     "0x1A", "Infinity", "1e400", "red", "RED", None, {}, [], [1, 2], {"name": "n"},
     "2024-01-01T24:00:00Z", "2023-02-29T10:00:00Z"]
)


@pytest.mark.parametrize("field", ONE_FIELD, ids=lambda f: f"{f.type}-{f.key}")
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_fast_validator_agrees_with_jsonschema_field_by_field(field: Field, data: st.DataObject) -> None:
    value = data.draw(st.one_of(field_values(field), NEAR_MISS, NEAR_MISS.map(lambda v: [v])))
    assert_agrees_with_jsonschema((field,), {field.key: value})
