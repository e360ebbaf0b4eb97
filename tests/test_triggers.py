"""FQL triggers: one behaviour per test, then syntax errors, then hypothesis properties."""

from __future__ import annotations

import dataclasses
import pickle
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions_core.errors import ConfigError, TriggerSyntaxError
from actions_core.triggers import Trigger, parse_trigger

IDENTIFY = {"type": "identify", "userId": "u1", "traits": {"email": "a@example.com"}}
TRACK = {"type": "track", "event": "Order Completed", "properties": {"total": 25, "sku": "A-1"}}


def matches(trigger: str, event: Any) -> bool:
    return parse_trigger(trigger).matches(event)


def props(**values: Any) -> dict[str, Any]:
    return {"type": "track", "properties": values}


# ------------------------------------------------------------------ equality and strings


def test_type_equals_matches_that_type() -> None:
    assert matches('type = "identify"', IDENTIFY)
    assert not matches('type = "identify"', TRACK)


def test_event_equals_compares_the_event_name() -> None:
    assert matches('event = "Order Completed"', TRACK)
    assert not matches('event = "Order completed"', TRACK)


def test_not_equals_is_true_for_another_string() -> None:
    assert matches('type != "identify"', TRACK)
    assert not matches('type != "track"', TRACK)


def test_missing_field_not_equals_a_string_is_true() -> None:
    assert matches('event != "a"', IDENTIFY)


def test_missing_field_never_equals_a_string() -> None:
    assert not matches('event = "a"', IDENTIFY)


def test_number_does_not_equal_numeric_string() -> None:
    assert not matches('properties.id = "123"', props(id=123))
    assert matches('properties.id != "123"', props(id=123))


def test_string_does_not_equal_number() -> None:
    assert not matches("properties.id = 123", props(id="123"))
    assert not matches("userId = 123", {"userId": "123"})


def test_single_quoted_strings_compare_like_double_quoted() -> None:
    assert matches("type = 'track'", TRACK)
    assert matches("event = 'Order Completed' and type = \"track\"", TRACK)


def test_string_escapes_are_decoded() -> None:
    assert matches(r'properties.q = "say \"hi\""', props(q='say "hi"'))
    assert matches(r"properties.q = 'it\'s'", props(q="it's"))
    assert matches(r'properties.q = "a\\b\nc"', props(q="a\\b\nc"))


def test_unknown_string_escape_keeps_the_backslash() -> None:
    assert matches(r'properties.q = "C:\dir"', props(q="C:\\dir"))


def test_any_top_level_field_can_be_compared() -> None:
    assert matches('anonymousId = "anon"', {"anonymousId": "anon"})
    assert matches('name = "Home"', {"type": "page", "name": "Home"})


# ------------------------------------------------------------------------------ numbers


def test_number_equality_matches_int_and_float() -> None:
    assert matches("properties.total = 25", TRACK)
    assert matches("properties.total = 25.0", TRACK)
    assert matches("properties.ratio = 0.5", props(ratio=0.5))


def test_number_not_equals_needs_a_number() -> None:
    assert matches("properties.total != 3", TRACK)
    assert not matches("properties.total != 25", TRACK)
    assert not matches("properties.missing != 3", TRACK)
    assert not matches("properties.total != 3", props(total="25"))


@pytest.mark.parametrize(
    ("op", "expected"),
    [("<", [True, False, False]), ("<=", [True, True, False]),
     (">", [False, False, True]), (">=", [False, True, True])],
)  # fmt: skip
def test_ordering_operators_compare_numbers(op: str, expected: list[bool]) -> None:
    trigger = parse_trigger(f"properties.total {op} 25")
    assert [trigger.matches(props(total=total)) for total in (24, 25, 26.5)] == expected


@pytest.mark.parametrize("value", ["30", None, [30], {"n": 30}])
def test_ordering_needs_a_number_on_the_event(value: Any) -> None:
    assert not matches("properties.total > 1", props(total=value))
    assert not matches("properties.total < 1", props(total=value))


def test_missing_field_is_not_ordered() -> None:
    assert not matches("properties.total < 100", IDENTIFY)


def test_booleans_are_not_numbers() -> None:
    assert not matches("properties.flag = 1", props(flag=True))
    assert not matches("properties.flag > 0", props(flag=True))
    assert not matches("properties.flag <= 0", props(flag=False))


def test_negative_and_decimal_numbers() -> None:
    assert matches("properties.delta < -1.5", props(delta=-2))
    assert matches("properties.delta >= -.5", props(delta=-0.5))
    assert matches("properties.big > 1e3", props(big=1001))


# -------------------------------------------------------------------- booleans and null


def test_equals_true_needs_a_real_boolean() -> None:
    assert matches("properties.vip = true", props(vip=True))
    assert not matches("properties.vip = true", props(vip="true"))
    assert not matches("properties.vip = true", props(vip=1))


def test_equals_false_needs_a_real_boolean() -> None:
    assert matches("traits.vip = false", {"traits": {"vip": False}})
    assert not matches("traits.vip = false", {"traits": {"vip": 0}})
    assert not matches("traits.vip = false", {"traits": {}})


def test_not_equals_true_is_anything_but_true() -> None:
    assert matches("properties.vip != true", props(vip=False))
    assert matches("properties.vip != true", props())
    assert not matches("properties.vip != true", props(vip=True))


def test_not_equals_null_means_present_and_not_null() -> None:
    assert matches("userId != null", IDENTIFY)
    assert not matches("userId != null", {"userId": None})
    assert not matches("userId != null", TRACK)
    assert matches("properties.zero != null", props(zero=0))


def test_equals_null_means_absent_or_null() -> None:
    assert matches("userId = null", TRACK)
    assert matches("userId = null", {"userId": None})
    assert not matches("userId = null", IDENTIFY)
    assert not matches("properties.empty = null", props(empty=""))


# ---------------------------------------------------------------------------- functions


def test_contains_matches_a_substring() -> None:
    assert matches('contains(event, "Order")', TRACK)
    assert not matches('contains(event, "order")', TRACK)


def test_contains_needs_a_string() -> None:
    assert not matches('contains(properties.total, "2")', TRACK)


def test_negated_contains_matches_a_string_without_the_substring() -> None:
    assert matches('!contains(event, "Refund")', TRACK)
    assert not matches('!contains(event, "Order")', TRACK)


def test_negated_contains_is_false_when_the_field_is_missing() -> None:
    assert not matches('!contains(event, "x")', IDENTIFY)


def test_match_with_a_trailing_star_is_a_prefix_test() -> None:
    assert matches('match(event, "Order*")', TRACK)
    assert not matches('match(event, "Completed*")', TRACK)


def test_match_with_a_leading_star_is_a_suffix_test() -> None:
    assert matches('match(traits.email, "*@example.com")', IDENTIFY)
    assert not matches('match(traits.email, "*@example.org")', IDENTIFY)


def test_match_without_a_star_is_exact() -> None:
    assert matches('match(type, "track")', TRACK)
    assert not matches('match(type, "trac")', TRACK)


def test_match_star_in_the_middle_is_a_wildcard() -> None:
    assert matches('match(event, "Order*ted")', TRACK)
    assert matches('match(event, "*der Comp*")', TRACK)
    assert not matches('match(event, "Order*X")', TRACK)


def test_negated_match_needs_a_string_too() -> None:
    assert matches('!match(event, "Refund*")', TRACK)
    assert not matches('!match(event, "Order*")', TRACK)
    assert not matches('!match(event, "Refund*")', IDENTIFY)


def test_a_function_name_is_also_a_field_name() -> None:
    assert matches('properties.match = "yes"', props(match="yes"))


# ------------------------------------------------------------ and, or, parentheses


def test_and_needs_both_sides() -> None:
    assert matches('type = "track" and properties.total > 10', TRACK)
    assert not matches('type = "track" and properties.total > 100', TRACK)


def test_or_needs_either_side() -> None:
    trigger = parse_trigger('type = "identify" or type = "track"')
    assert trigger.matches(IDENTIFY)
    assert trigger.matches(TRACK)
    assert not trigger.matches({"type": "page"})


def test_and_binds_tighter_than_or() -> None:
    # (identify) or (track and page): an identify event matches although it is not a page
    assert matches('type = "identify" or type = "track" and type = "page"', IDENTIFY)
    assert not matches('type = "track" and type = "page" or type = "x"', TRACK)


def test_parentheses_override_precedence() -> None:
    assert not matches('(type = "identify" or type = "track") and type = "page"', IDENTIFY)


def test_parentheses_nest() -> None:
    trigger = '((type = "track" and (event = "A" or event = "Order Completed")) or userId = "u1")'
    assert matches(trigger, TRACK)
    assert matches(trigger, IDENTIFY)
    assert not matches(trigger, {"type": "track", "event": "B"})


def test_long_chains_of_or_and_and() -> None:
    assert matches('type = "a" or type = "b" or event = "c" or type = "track"', TRACK)
    assert not matches('type = "track" and event != null and userId != null', TRACK)


def test_or_of_equalities_does_not_raise_on_unhashable_values() -> None:
    trigger = parse_trigger('type = "a" or type = "b" or type = "c"')
    assert not trigger.matches({"type": ["a"]})
    assert not trigger.matches({"type": {"a": 1}})


# ---------------------------------------------------------------------------- paths


def test_nested_paths_are_followed() -> None:
    assert matches('context.app.version = "1.2"', {"context": {"app": {"version": "1.2"}}})


def test_backslash_escapes_a_space_in_a_path() -> None:
    assert matches(r'properties.foo\ bar = "x"', props(**{"foo bar": "x"}))


def test_backslash_escapes_a_dot_in_a_path() -> None:
    assert matches(r'properties.a\.b = "x"', props(**{"a.b": "x"}))
    assert not matches(r'properties.a\.b = "x"', props(a={"b": "x"}))


def test_escaped_keyword_is_a_field_name() -> None:
    assert matches(r'\null = "x"', {"null": "x"})


def test_a_digit_key_indexes_a_list() -> None:
    event = props(items=[{"sku": "A"}, {"sku": "B"}])
    assert matches('properties.items.1.sku = "B"', event)
    assert not matches('properties.items.2.sku = "B"', event)


def test_path_through_a_non_object_is_missing() -> None:
    assert matches("properties.a.b = null", props(a="text"))
    assert not matches("properties.a.b != null", props(a=5))


# ------------------------------------------------------------------- the Trigger object


@pytest.mark.parametrize("event", [None, [], "track", 5, [("type", "track")]])
def test_non_mapping_event_does_not_match(event: Any) -> None:
    assert parse_trigger('type != "x"').matches(event) is False


def test_any_mapping_is_an_event() -> None:
    assert matches('type = "track"', MappingProxyType({"type": "track"}))


def test_trigger_keeps_its_text_and_is_immutable() -> None:
    trigger = parse_trigger('type = "track"')
    assert trigger.text == 'type = "track"'
    with pytest.raises(dataclasses.FrozenInstanceError):
        trigger.text = "x"  # type: ignore[misc]


def test_triggers_with_the_same_text_are_equal() -> None:
    assert parse_trigger('type = "a"') == parse_trigger('type = "a"')
    assert len({parse_trigger('type = "a"'), parse_trigger('type = "a"')}) == 1


def test_trigger_survives_pickling() -> None:
    trigger = pickle.loads(pickle.dumps(parse_trigger('type = "track"')))
    assert isinstance(trigger, Trigger)
    assert trigger.matches(TRACK)


# -------------------------------------------------------------------------- syntax errors


def test_error_message_names_column_expectation_and_text() -> None:
    with pytest.raises(TriggerSyntaxError) as caught:
        parse_trigger("type = ")
    error = caught.value
    assert str(error) == (
        "Trigger syntax error at column 8: expected a value (a string, number, true, false or "
        "null) after '=' in: type = "
    )
    assert (error.column, error.text) == (8, "type = ")
    assert error.expected.startswith("a value")
    assert isinstance(error, ConfigError)
    assert isinstance(error, ValueError)


SYNTAX_ERRORS = [
    ("empty", "", 1, "the trigger is empty"),
    ("blank", "   ", 4, "the trigger is empty"),
    ("unterminated double quote", 'type = "track', 8, 'expected a closing "'),
    ("unterminated single quote", "type = 'track", 8, "expected a closing '"),
    ("unknown operator", 'type == "track"', 6, "found '==' (write '=')"),
    ("reversed operator", "properties.n => 1", 14, "(write '>=')"),
    ("unknown character", 'type ~ "track"', 6, "found '~'"),
    ("ampersands", 'type = "a" && event = "b"', 12, "(write 'and')"),
    ("missing operator", 'type "track"', 6, "expected an operator (=, !=, <, <=, >, >=)"),
    ("missing value", "type = ", 8, "expected a value"),
    ("keyword as value", "type = and", 8, "expected a value"),
    ("missing closing paren", '(type = "a" or type = "b"', 26, "')' to close the '('"),
    ("unmatched closing paren", 'type = "a")', 11, "no matching '('"),
    ("trailing token", 'type = "a" event = "b"', 12, "'and', 'or' or the end"),
    ("uppercase and", 'type = "a" AND event = "b"', 12, "(write 'and')"),
    ("unknown function", 'starts_with(event, "a")', 1, "unknown function 'starts_with'"),
    ("one function argument", "contains(event)", 15, "found 1"),
    ("no function arguments", "match()", 7, "found none"),
    ("three function arguments", 'contains(event, "a", "b")', 20, "')' after the 2 arguments"),
    ("number function argument", "contains(event, 5)", 17, "a string as the 2nd argument"),
    ("field-less function", 'contains("a", event)', 10, "a field as the 1st argument"),
    ("unclosed function", 'match(event, "a*"', 18, "')' to close match("),
    ("and without right side", 'type = "a" and', 15, "expected a condition"),
    ("or without right side", 'type = "a" or ', 15, "after 'or'"),
    ("or without left side", 'or type = "a"', 1, "found 'or'"),
    ("and then or", 'type = "a" and or type = "b"', 16, "after 'and', found 'or'"),
    ("ordering a string", 'properties.n > "5"', 16, "expected a number after '>'"),
    ("ordering null", "properties.n <= null", 17, "expected a number"),
    ("bang without function", '!(type = "a")', 2, "contains(...) or match(...)"),
    ("malformed number", "properties.n = 1.2.3", 16, "found '1.2.3'"),
    ("dangling dot", 'properties. = "a"', 12, "a field name after '.'"),
    ("dangling backslash", "properties.a\\", 14, "a character after '\\'"),
    ("too deep", "(" * 101 + 'type = "a"' + ")" * 101, 101, "at most 100 nested"),
]


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [case[1:] for case in SYNTAX_ERRORS],
    ids=[case[0] for case in SYNTAX_ERRORS],
)
def test_syntax_error_names_column_and_expectation(text: str, column: int, fragment: str) -> None:
    with pytest.raises(TriggerSyntaxError) as caught:
        parse_trigger(text)
    assert caught.value.column == column
    assert fragment in str(caught.value)
    assert f"at column {column}: expected " in str(caught.value)
    assert str(caught.value).endswith(f" in: {text}")


def test_first_problem_is_reported_even_if_a_later_one_is_lexical() -> None:
    with pytest.raises(TriggerSyntaxError) as caught:
        parse_trigger('type "a" and event = "unterminated')
    assert caught.value.column == 6


# ------------------------------------------------------------------- hypothesis properties

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "0", "1", "foo bar", "a.b", "x"]), inner)
    ),
    max_leaves=8,
)
EVENTS = st.dictionaries(
    st.sampled_from(["type", "event", "name", "userId", "properties", "traits", "context"]),
    JSON,
)
FIELDS = st.sampled_from(
    ["type", "event", "userId", "properties.a", "properties.a.b", "traits.x", r"context.foo\ bar",
     r"properties.a\.b", "properties.a.0", "context.b.1.x"]
)  # fmt: skip


def fql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


NUMBERS = st.integers(-(10**20), 10**20) | st.floats(allow_nan=False, allow_infinity=False)
STRINGS = st.text(max_size=6).map(fql_string) | st.sampled_from(['"a"', "'b'", '"x*"', '"*y"'])
VALUES = NUMBERS.map(repr) | STRINGS | st.sampled_from(["true", "false", "null"])
COMPARISONS = st.one_of(
    st.tuples(FIELDS, st.sampled_from(["=", "!="]), VALUES),
    st.tuples(FIELDS, st.sampled_from(["<", "<=", ">", ">="]), NUMBERS.map(repr)),
).map(" ".join)
FUNCTIONS = st.tuples(
    st.sampled_from(["", "!"]), st.sampled_from(["contains", "match"]), FIELDS, STRINGS
).map(lambda parts: f"{parts[0]}{parts[1]}({parts[2]}, {parts[3]})")
TRIGGERS = st.recursive(
    COMPARISONS | FUNCTIONS,
    lambda inner: (
        st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map("".join)
        | inner.map(lambda text: f"({text})")
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(TRIGGERS, EVENTS | JSON)
def test_matches_never_raises_on_any_json_event(text: str, event: Any) -> None:
    assert parse_trigger(text).matches(event) in (True, False)


FQL_PIECES = st.sampled_from(
    ["type", "properties.a", "=", "!=", "<", ">=", "==", '"a"', "'b'", '"', "1", "-2.5", "1.",
     "true", "null", "and", "or", "(", ")", ",", "!", "contains", "match", "foo", "\\", ".",
     "~", " "]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30) | st.lists(FQL_PIECES, max_size=12).map("".join))
def test_parse_either_returns_a_trigger_or_raises_a_syntax_error(text: str) -> None:
    try:
        trigger = parse_trigger(text)
    except TriggerSyntaxError as error:
        assert 1 <= error.column <= len(text) + 1
        assert f"at column {error.column}: expected " in str(error)
    else:
        assert trigger.matches({"type": "track"}) in (True, False)


@settings(deadline=None)
@given(TRIGGERS, TRIGGERS, EVENTS)
def test_or_and_and_combine_like_booleans(a: str, b: str, event: dict[str, Any]) -> None:
    left, right = parse_trigger(a).matches(event), parse_trigger(b).matches(event)
    assert parse_trigger(f"({a}) or ({b})").matches(event) == (left or right)
    assert parse_trigger(f"({a}) and ({b})").matches(event) == (left and right)
    assert parse_trigger(f"(({b})) or ({a})").matches(event) == (left or right)


@settings(deadline=None)
@given(COMPARISONS | FUNCTIONS, COMPARISONS | FUNCTIONS, COMPARISONS | FUNCTIONS, EVENTS)
def test_and_binds_tighter_than_or_for_any_conditions(a: str, b: str, c: str, event: Any) -> None:
    x, y, z = (parse_trigger(text).matches(event) for text in (a, b, c))
    assert parse_trigger(f"{a} or {b} and {c}").matches(event) == (x or (y and z))
    assert parse_trigger(f"{a} and {b} or {c}").matches(event) == ((x and y) or z)


@given(JSON, st.text(max_size=5))
def test_string_equality_is_strict(value: Any, text: str) -> None:
    event = {"properties": {"v": value}}
    same = isinstance(value, str) and value == text
    assert parse_trigger(f"properties.v = {fql_string(text)}").matches(event) == same
    assert parse_trigger(f"properties.v != {fql_string(text)}").matches(event) == (not same)


@given(JSON, NUMBERS)
def test_number_comparison_needs_a_real_number(value: Any, number: float) -> None:
    event = {"properties": {"v": value}}
    is_number = type(value) in (int, float)
    assert parse_trigger(f"properties.v >= {number!r}").matches(event) == (
        is_number and value >= number
    )
    assert parse_trigger(f"properties.v = {number!r}").matches(event) == (
        is_number and value == number
    )


@given(JSON, st.text(max_size=4))
def test_negated_function_is_string_and_not_function(value: Any, needle: str) -> None:
    event = {"event": value}
    for function in ("contains", "match"):
        plain = parse_trigger(f"{function}(event, {fql_string(needle)})").matches(event)
        negated = parse_trigger(f"!{function}(event, {fql_string(needle)})").matches(event)
        assert negated == (isinstance(value, str) and not plain)
