"""Mappings: literals, ``@path`` (JMESPath with Segment's ``$.``), whole-mapping resolution,
and the properties that hold for every event (the JMESPath fast path agrees with jmespath;
resolution never raises).

Directives other than ``@path`` are in test_mappings_directives.py, load-time errors in
test_mappings_errors.py.
"""

from __future__ import annotations

from typing import Any

import jmespath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions_core.mapping.jmespath_compiler import compile_expression
from actions_core.mapping.mapping import MISSING, CompiledMapping, compile_mapping, compile_value

LAUNCHDARKLY_PRESET = {
    "segment_audience_id": {"@path": "context.personas.computation_id"},
    "segment_audience_key": {"@path": "context.personas.computation_key"},
    "segment_computation_action": {"@path": "context.personas.computation_class"},
    "context_kind": "user",
    "segment_user_id": {"@path": "userId"},
    "segment_anonymous_id": {"@path": "anonymousId"},
    "user_email": {"@path": "traits.email || context.traits.email"},
    "context_key": "user_id_only",
    "traits_or_props": {"@path": "properties || traits"},
    "enable_batching": True,
}

AUDIENCE_EVENT: dict[str, Any] = {
    "type": "identify",
    "userId": "u1",
    "anonymousId": "a1",
    "traits": {"ld_audience": True},
    "context": {
        "traits": {"email": "ann@example.com"},
        "personas": {
            "computation_id": "aud_1",
            "computation_key": "ld_audience",
            "computation_class": "audience",
        },
    },
    "properties": {},
}


def resolve(value: Any, event: Any) -> Any:
    return compile_value(value)(event)


# --------------------------------------------------------------------------- literals


@pytest.mark.parametrize("literal", ["text", 12, 1.5, True, False, None])
def test_a_scalar_literal_resolves_to_itself(literal: Any) -> None:
    assert resolve(literal, {}) == literal


def test_an_object_resolves_member_by_member() -> None:
    value = {
        "id": {"@path": "userId"},
        "kind": "user",
        "nested": {"anon": {"@path": "anonymousId"}},
    }
    assert resolve(value, AUDIENCE_EVENT) == {"id": "u1", "kind": "user", "nested": {"anon": "a1"}}


def test_an_object_member_that_resolves_absent_is_dropped() -> None:
    assert resolve({"a": {"@path": "nope"}, "b": 1}, {}) == {"b": 1}


def test_an_array_item_that_resolves_absent_becomes_null_keeping_positions() -> None:
    assert resolve([{"@path": "userId"}, {"@path": "nope"}, "x"], AUDIENCE_EVENT) == [
        "u1",
        None,
        "x",
    ]


def test_an_all_literal_object_is_built_once_and_shared() -> None:
    resolver = compile_value({"a": [1, {"b": 2}]})
    assert resolver({}) is resolver({"other": "event"})


# --------------------------------------------------------------------------- @path


def test_path_reads_a_nested_value() -> None:
    assert resolve({"@path": "context.personas.computation_id"}, AUDIENCE_EVENT) == "aud_1"


def test_path_with_dollar_dot_prefix_reads_from_the_root() -> None:
    event = AUDIENCE_EVENT
    assert resolve({"@path": "$.context.personas.computation_id"}, event) == "aud_1"
    assert resolve({"@path": "$.userId"}, event) == "u1"


def test_path_dollar_alone_is_the_whole_event() -> None:
    assert resolve({"@path": "$"}, AUDIENCE_EVENT) is AUDIENCE_EVENT


def test_path_to_a_missing_key_is_absent() -> None:
    assert resolve({"@path": "traits.nope.deeper"}, AUDIENCE_EVENT) is MISSING


def test_path_to_json_null_is_absent() -> None:
    assert resolve({"@path": "traits.email"}, {"traits": {"email": None}}) is MISSING


def test_path_through_a_non_object_is_absent() -> None:
    assert resolve({"@path": "userId.length"}, {"userId": "abc"}) is MISSING
    assert resolve({"@path": "items.first"}, {"items": [1, 2]}) is MISSING


def test_path_returns_the_events_own_object_without_copying() -> None:
    assert (
        resolve({"@path": "context.traits"}, AUDIENCE_EVENT) is AUDIENCE_EVENT["context"]["traits"]
    )


def test_path_quoted_identifier_reads_a_key_with_a_dash() -> None:
    assert resolve({"@path": 'traits."first-name"'}, {"traits": {"first-name": "Ann"}}) == "Ann"


def test_path_index_reads_an_array_item() -> None:
    event = {"properties": {"products": [{"sku": "a"}, {"sku": "b"}]}}
    assert resolve({"@path": "properties.products[1].sku"}, event) == "b"
    assert resolve({"@path": "properties.products[-1].sku"}, event) == "b"
    assert resolve({"@path": "properties.products[5].sku"}, event) is MISSING


def test_path_or_takes_the_first_truthy_alternative() -> None:
    expr = {"@path": "traits.email || context.traits.email"}
    assert resolve(expr, AUDIENCE_EVENT) == "ann@example.com"
    assert (
        resolve(expr, {"traits": {"email": "t@x"}, "context": {"traits": {"email": "c@x"}}})
        == "t@x"
    )


def test_path_or_skips_an_empty_string_an_empty_object_and_false_but_not_zero() -> None:
    expr = {"@path": "a || b"}
    assert resolve(expr, {"a": "", "b": "B"}) == "B"
    assert resolve(expr, {"a": {}, "b": "B"}) == "B"
    assert resolve(expr, {"a": False, "b": "B"}) == "B"
    assert resolve(expr, {"a": 0, "b": "B"}) == 0


def test_path_or_of_properties_and_traits_falls_back_to_traits_when_properties_is_empty() -> None:
    assert resolve({"@path": "properties || traits"}, AUDIENCE_EVENT) == {"ld_audience": True}


def test_path_with_a_jmespath_function_uses_the_interpreter() -> None:
    assert resolve({"@path": "join(', ', tags)"}, {"tags": ["a", "b"]}) == "a, b"
    assert resolve(
        {"@path": "items[?price > `10`].sku"}, {"items": [{"sku": "a", "price": 20}]}
    ) == ["a"]


def test_path_whose_function_fails_at_run_time_is_absent() -> None:
    assert resolve({"@path": "length(n)"}, {"n": 5}) is MISSING


def test_path_given_by_a_directive_is_resolved_per_event() -> None:
    value = {"@path": {"@template": "traits.{{field}}"}}
    assert resolve(value, {"field": "email", "traits": {"email": "e@x"}}) == "e@x"
    assert resolve(value, {"field": "!!", "traits": {}}) is MISSING


# --------------------------------------------------------------------------- whole mappings


def test_launchdarkly_preset_resolves_the_audience_payload() -> None:
    payload = compile_mapping(LAUNCHDARKLY_PRESET).resolve(AUDIENCE_EVENT)
    assert payload == {
        "segment_audience_id": "aud_1",
        "segment_audience_key": "ld_audience",
        "segment_computation_action": "audience",
        "context_kind": "user",
        "segment_user_id": "u1",
        "segment_anonymous_id": "a1",
        "user_email": "ann@example.com",
        "context_key": "user_id_only",
        "traits_or_props": {"ld_audience": True},
        "enable_batching": True,
    }


def test_payload_keys_follow_the_mapping_order() -> None:
    payload = compile_mapping(LAUNCHDARKLY_PRESET).resolve(AUDIENCE_EVENT)
    assert list(payload) == list(LAUNCHDARKLY_PRESET)


def test_payload_omits_keys_that_resolve_absent_and_keeps_literal_null() -> None:
    mapping = compile_mapping(
        {"id": {"@path": "userId"}, "email": {"@path": "traits.email"}, "n": None}
    )
    assert mapping.resolve({"userId": "u1"}) == {"id": "u1", "n": None}


def test_each_resolve_returns_a_new_payload_dict() -> None:
    mapping = compile_mapping({"kind": "user"})
    first = mapping.resolve({})
    first["kind"] = "changed"
    assert mapping.resolve({}) == {"kind": "user"}


def test_compiled_mapping_lists_its_field_keys() -> None:
    mapping = compile_mapping(LAUNCHDARKLY_PRESET)
    assert isinstance(mapping, CompiledMapping)
    assert mapping.keys == tuple(LAUNCHDARKLY_PRESET)


def test_compile_value_returns_a_resolver_for_a_field_default() -> None:
    resolver = compile_value({"@path": "userId"}, "/segment_user_id")
    assert resolver({"userId": "u1"}) == "u1"
    assert resolver({}) is MISSING


def test_missing_is_falsy_and_prints_its_name() -> None:
    assert not MISSING
    assert repr(MISSING) == "MISSING"


# --------------------------------------------------------------------------- properties

_KEYS = st.sampled_from(["a", "b", "c", "email", ""])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False)
    | st.text(max_size=3)
)
JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)
EVENTS = st.dictionaries(_KEYS, JSON, max_size=5)

FAST_PATH_EXPRESSIONS = [
    "a",
    "a.b",
    "a.b.c.email",
    "a || b",
    "a.b || c.email || `7`",
    "a && b",
    "a.b && !c",
    "!a",
    "!a.b || a",
    "a[0]",
    "a[-1].b",
    "a | b",
    "@",
    "`0` || a",
    "'' || a",
    '"a".b',
]
MIXED_EXPRESSIONS = [
    "length(a) || b",
    "a[*].b || c",
    "a.b[?c].email",
    "keys(@) && a",
    "to_string(a) || b",
]


@settings(max_examples=150, deadline=None)
@given(event=EVENTS, expression=st.sampled_from(FAST_PATH_EXPRESSIONS))
def test_fast_path_gives_what_jmespath_search_gives(event: dict[str, Any], expression: str) -> None:
    compiled = compile_expression(expression)
    assert compiled.native
    assert compiled.search(event) == jmespath.search(expression, event)


INLINED_PATHS = ["a", "a.b", "a.b.c.email", "a || b", "a.b || c.email || b", "a.b.c || a"]


@settings(max_examples=150, deadline=None)
@given(event=EVENTS, expression=st.sampled_from(INLINED_PATHS))
def test_paths_written_into_the_generated_resolver_give_what_jmespath_gives(
    event: dict[str, Any], expression: str
) -> None:
    expected = jmespath.search(expression, event)
    payload = compile_mapping({"field": {"@path": expression}, "after": 1}).resolve(event)
    assert payload == ({"after": 1} if expected is None else {"field": expected, "after": 1})
    assert list(payload) == (["after"] if expected is None else ["field", "after"])


SHARED_PREFIXES = {  # fields reading common prefixes, some only in a `||` alternative
    "f0": "a.b.c",
    "f1": "a.b || c.email",
    "f2": "a.b.c.email",
    "f3": "c || a.b.email",
    "f4": "c.email",
    "f5": "a",
}


@settings(max_examples=200, deadline=None)
@given(event=EVENTS)
def test_fields_sharing_path_prefixes_each_give_what_jmespath_gives(event: dict[str, Any]) -> None:
    payload = compile_mapping({k: {"@path": e} for k, e in SHARED_PREFIXES.items()}).resolve(event)
    expected = {k: jmespath.search(e, event) for k, e in SHARED_PREFIXES.items()}
    assert payload == {k: v for k, v in expected.items() if v is not None}


@settings(max_examples=100, deadline=None)
@given(event=EVENTS, expression=st.sampled_from(MIXED_EXPRESSIONS))
def test_mixed_expressions_give_what_jmespath_gives_or_null_where_it_raises(
    event: dict[str, Any], expression: str
) -> None:
    try:
        expected = jmespath.search(expression, event)
    except jmespath.exceptions.JMESPathError:
        expected = None
    assert compile_expression(expression).search(event) == expected


EVERY_DIRECTIVE = {
    "path": {"@path": "a.b || c"},
    "function": {"@path": "length(a)"},
    "if": {"@if": {"blank": {"@path": "a"}, "then": {"@path": "b"}, "else": "none"}},
    "template": {"@template": "{{a}} {{b.c}} {{a.0}}"},
    "case": {"@case": {"operator": "upper", "value": {"@path": "a"}}},
    "replace": {
        "@replace": {
            "pattern": "a",
            "replacement": "b",
            "value": {"@path": "c"},
            "ignorecase": True,
        }
    },
    "json": {"@json": {"mode": "encode", "value": {"@path": "a"}}},
    "decode": {"@json": {"mode": "decode", "value": {"@path": "b"}}},
    "merge": {"@merge": {"direction": "left", "objects": [{"@path": "a"}, {"@path": "b"}]}},
    "arrayPath": {"@arrayPath": ["a", {"x": {"@path": "b"}, "y": {"@path": "$"}}]},
    "flatten": {"@flatten": {"separator": ".", "value": {"@path": "c"}}},
    "exclude": {"@excludeWhenNull": {"@path": "email"}},
    "transform": {"@transform": {"apply": {"z": {"@path": "a"}}, "mapping": {"@path": "z.b"}}},
    "dynamic": {"@path": {"@path": "email"}},
    "array": [{"@path": "a"}, {"@template": "{{email}}"}],
}


@settings(max_examples=200, deadline=None)
@given(event=EVENTS)
def test_resolve_never_raises_on_a_json_event(event: dict[str, Any]) -> None:
    payload = compile_mapping(EVERY_DIRECTIVE).resolve(event)
    assert MISSING not in payload.values()


@settings(max_examples=100, deadline=None)
@given(value=JSON)
def test_every_directive_resolves_any_json_value_without_raising(value: Any) -> None:
    for mapping_value in EVERY_DIRECTIVE.values():
        compile_value(mapping_value)(value)
