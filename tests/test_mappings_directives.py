"""Mapping directives other than ``@path``: one behaviour per test, with the reference's
(Segment mapping-kit's) result where it is the same."""

from __future__ import annotations

from typing import Any

from actions_core.mapping.mapping import MISSING, compile_value

EVENT: dict[str, Any] = {
    "userId": "u1",
    "traits": {
        "name": "Ann",
        "email": "Ann@Example.COM",
        "empty": "",
        "age": 42,
        "score": 1.5,
        "vip": True,
        "address": {"city": "Paris", "zip": None, "geo": {"lat": 1, "lng": None}},
        "tags": ["a", None, ["b", "c"], {"k": 1}],
    },
    "properties": {
        "products": [{"sku": "s1", "price": 10}, {"sku": "s2"}, {"price": 3}],
        "json": '{"a":[1,2]}',
        "not_json": "{oops",
    },
}


def resolve(value: Any, event: Any = EVENT) -> Any:
    return compile_value(value)(event)


# --------------------------------------------------------------------------- @if


def test_if_exists_takes_then_when_the_value_is_present() -> None:
    value = {"@if": {"exists": {"@path": "traits.name"}, "then": "yes", "else": "no"}}
    assert resolve(value) == "yes"


def test_if_exists_takes_else_when_the_value_is_missing_or_null() -> None:
    value = {"@if": {"exists": {"@path": "traits.address.zip"}, "then": "yes", "else": "no"}}
    assert resolve(value) == "no"


def test_if_exists_counts_an_empty_string_as_present() -> None:
    value = {"@if": {"exists": {"@path": "traits.empty"}, "then": "yes", "else": "no"}}
    assert resolve(value) == "yes"


def test_if_blank_also_treats_an_empty_string_as_missing() -> None:
    value = {"@if": {"blank": {"@path": "traits.empty"}, "then": "yes", "else": "no"}}
    assert resolve(value) == "no"


def test_if_resolves_directives_in_its_branches() -> None:
    value = {"@if": {"exists": {"@path": "traits.email"}, "then": {"@path": "traits.email"}}}
    assert resolve(value) == "Ann@Example.COM"


def test_if_without_the_chosen_branch_is_absent() -> None:
    assert resolve({"@if": {"exists": {"@path": "nope"}, "then": 1}}) is MISSING


def test_if_else_false_is_returned_as_false() -> None:
    # The reference drops a falsy "else"; docs/framework.md#if says "else" is the result.
    assert resolve({"@if": {"exists": {"@path": "nope"}, "then": True, "else": False}}) is False


# --------------------------------------------------------------------------- @template


def test_template_interpolates_dotted_paths() -> None:
    assert resolve({"@template": "Hi {{traits.name}} ({{ userId }})"}) == "Hi Ann (u1)"


def test_template_renders_a_missing_value_as_empty_text() -> None:
    assert resolve({"@template": "[{{traits.nope}}][{{traits.address.zip}}]"}) == "[][]"


def test_template_accepts_triple_braces_and_array_indexes() -> None:
    value = {
        "@template": "{{{traits.name}}} {{properties.products[1].sku}} {{properties.products.0.sku}}"
    }
    assert resolve(value) == "Ann s2 s1"


def test_template_renders_numbers_booleans_arrays_and_objects_like_javascript() -> None:
    value = {
        "@template": "{{traits.age}} {{traits.score}} {{traits.vip}} {{traits.tags}} {{traits.address}}"
    }
    assert resolve(value) == "42 1.5 true a,,b,c,[object Object] [object Object]"


def test_template_renders_an_integral_float_without_a_decimal_point() -> None:
    assert resolve({"@template": "{{n}}|{{tiny}}"}, {"n": 2.0, "tiny": 1e-7}) == "2|1e-7"


def test_template_without_placeholders_is_the_text() -> None:
    assert resolve({"@template": "plain {text}"}) == "plain {text}"


def test_template_never_reinterprets_braces_inside_a_value() -> None:
    assert resolve({"@template": "{{a}}"}, {"a": "{{b}}", "b": "x"}) == "{{b}}"


# --------------------------------------------------------------------------- @literal


def test_literal_returns_the_value_as_given_even_if_it_looks_like_a_directive() -> None:
    assert resolve({"@literal": {"@path": "userId"}}) == {"@path": "userId"}


def test_literal_of_a_string() -> None:
    assert resolve({"@literal": "user"}) == "user"


# --------------------------------------------------------------------------- @case


def test_case_lower_and_upper_change_a_string() -> None:
    assert (
        resolve({"@case": {"operator": "lower", "value": {"@path": "traits.email"}}})
        == "ann@example.com"
    )
    assert resolve({"@case": {"operator": "upper", "value": "abc"}}) == "ABC"


def test_case_passes_a_non_string_through() -> None:
    assert resolve({"@case": {"operator": "upper", "value": {"@path": "traits.age"}}}) == 42


def test_case_of_a_missing_value_is_absent() -> None:
    assert resolve({"@case": {"operator": "upper", "value": {"@path": "nope"}}}) is MISSING


# --------------------------------------------------------------------------- @replace


def test_replace_is_global_and_literal_by_default() -> None:
    value = {"@replace": {"pattern": ".", "replacement": "-", "value": "a.b.c"}}
    assert resolve(value) == "a-b-c"


def test_replace_non_global_replaces_the_first_occurrence_only() -> None:
    value = {"@replace": {"pattern": ".", "replacement": "-", "value": "a.b.c", "global": False}}
    assert resolve(value) == "a-b.c"


def test_replace_ignorecase_matches_any_case() -> None:
    value = {
        "@replace": {
            "pattern": "ann",
            "replacement": "Bo",
            "value": {"@path": "traits.email"},
            "ignorecase": True,
        }
    }
    assert resolve(value) == "Bo@Example.COM"


def test_replace_without_replacement_deletes_the_pattern() -> None:
    assert resolve({"@replace": {"pattern": "-", "value": "1-2-3"}}) == "123"


def test_replace_applies_pattern2_after_pattern() -> None:
    value = {
        "@replace": {
            "pattern": "a",
            "replacement": "b",
            "pattern2": "b",
            "replacement2": "c",
            "value": "ab",
        }
    }
    assert resolve(value) == "cc"


def test_replace_works_on_the_text_of_a_number() -> None:
    assert (
        resolve(
            {"@replace": {"pattern": ".", "replacement": ",", "value": {"@path": "traits.score"}}}
        )
        == "1,5"
    )


def test_replace_of_a_missing_value_is_empty_text_as_in_the_reference() -> None:
    assert resolve({"@replace": {"pattern": "x", "value": {"@path": "nope"}}}) == ""


def test_replace_keeps_dollar_sequences_in_the_replacement_literally() -> None:
    assert resolve({"@replace": {"pattern": "a", "replacement": "$&$1", "value": "a"}}) == "$&$1"


# --------------------------------------------------------------------------- @json


def test_json_encode_is_compact() -> None:
    value = {"@json": {"mode": "encode", "value": {"@path": "properties.products[0]"}}}
    assert resolve(value) == '{"sku":"s1","price":10}'


def test_json_encode_of_a_missing_value_is_absent() -> None:
    assert resolve({"@json": {"mode": "encode", "value": {"@path": "nope"}}}) is MISSING


def test_json_decode_parses_text() -> None:
    assert resolve({"@json": {"mode": "decode", "value": {"@path": "properties.json"}}}) == {
        "a": [1, 2]
    }


def test_json_decode_of_invalid_text_gives_the_text_back() -> None:
    assert (
        resolve({"@json": {"mode": "decode", "value": {"@path": "properties.not_json"}}}) == "{oops"
    )


def test_json_decode_refuses_nan_like_json_parse() -> None:
    assert resolve({"@json": {"mode": "decode", "value": "NaN"}}) == "NaN"


# --------------------------------------------------------------------------- @merge


def test_merge_right_lets_later_objects_win() -> None:
    value = {"@merge": {"direction": "right", "objects": [{"a": 1, "b": 1}, {"b": 2}]}}
    assert resolve(value) == {"a": 1, "b": 2}


def test_merge_left_lets_earlier_objects_win() -> None:
    value = {"@merge": {"direction": "left", "objects": [{"a": 1, "b": 1}, {"b": 2, "c": 3}]}}
    assert resolve(value) == {"a": 1, "b": 1, "c": 3}


def test_merge_is_shallow_and_resolves_directives() -> None:
    value = {
        "@merge": {"direction": "right", "objects": [{"@path": "traits.address"}, {"city": "Lyon"}]}
    }
    assert resolve(value) == {"city": "Lyon", "zip": None, "geo": {"lat": 1, "lng": None}}


def test_merge_skips_values_that_are_not_objects() -> None:
    value = {
        "@merge": {
            "direction": "right",
            "objects": [{"@path": "nope"}, {"@path": "userId"}, {"a": 1}],
        }
    }
    assert resolve(value) == {"a": 1}


# --------------------------------------------------------------------------- @arrayPath


def test_array_path_maps_each_item_with_paths_relative_to_it() -> None:
    value = {
        "@arrayPath": [
            "$.properties.products",
            {"id": {"@path": "$.sku"}, "cost": {"@path": "price"}},
        ]
    }
    assert resolve(value) == [{"id": "s1", "cost": 10}, {"id": "s2"}, {"cost": 3}]


def test_array_path_without_a_shape_returns_the_array_as_is() -> None:
    assert resolve({"@arrayPath": ["properties.products"]}) is EVENT["properties"]["products"]


def test_array_path_wraps_an_object_into_a_one_item_list() -> None:
    value = {"@arrayPath": ["traits.address", {"c": {"@path": "city"}}]}
    assert resolve(value) == [{"c": "Paris"}]


def test_array_path_with_a_directive_shape_gives_null_for_absent_items() -> None:
    assert resolve({"@arrayPath": ["properties.products", {"@path": "price"}]}) == [10, None, 3]


def test_array_path_of_a_missing_array_is_absent() -> None:
    assert resolve({"@arrayPath": ["properties.nope", {"a": 1}]}) is MISSING


# --------------------------------------------------------------------------- @flatten


def test_flatten_joins_nested_keys_with_the_separator() -> None:
    value = {"@flatten": {"separator": ".", "value": {"@path": "traits.address"}}}
    assert resolve(value) == {"city": "Paris", "zip": None, "geo.lat": 1, "geo.lng": None}


def test_flatten_indexes_arrays_unless_omit_arrays() -> None:
    assert resolve({"@flatten": {"separator": "_", "value": {"a": [1, {"b": 2}]}}}) == {
        "a_0": 1,
        "a_1_b": 2,
    }
    assert resolve({"@flatten": {"separator": "_", "value": {"a": [1]}, "omitArrays": True}}) == {
        "a": [1]
    }


def test_flatten_of_a_scalar_is_keyed_by_the_empty_string_as_in_the_reference() -> None:
    assert resolve({"@flatten": {"separator": ".", "value": "x"}}) == {"": "x"}


def test_flatten_of_a_missing_value_is_absent() -> None:
    assert resolve({"@flatten": {"separator": ".", "value": {"@path": "nope"}}}) is MISSING


# --------------------------------------------------------------------------- @excludeWhenNull


def test_exclude_when_null_drops_the_key_when_the_value_is_null() -> None:
    assert resolve({"@excludeWhenNull": None}) is MISSING


def test_exclude_when_null_drops_null_members_of_nested_objects_but_not_array_items() -> None:
    value = {"@excludeWhenNull": {"a": None, "b": {"c": None, "d": 1}, "e": [None]}}
    assert resolve(value) == {"b": {"d": 1}, "e": [None]}


def test_exclude_when_null_keeps_a_non_null_value() -> None:
    assert resolve({"@excludeWhenNull": {"@path": "traits.name"}}) == "Ann"


# --------------------------------------------------------------------------- @transform


def test_transform_resolves_the_mapping_against_the_built_object() -> None:
    value = {
        "@transform": {
            "apply": {"who": {"@path": "traits.name"}},
            "mapping": {"hello": {"@template": "Hi {{who}}"}},
        }
    }
    assert resolve(value) == {"hello": "Hi Ann"}


# --------------------------------------------------------------------------- nesting


def test_directives_nest_inside_each_other() -> None:
    value = {
        "@if": {
            "exists": {"@path": "traits.email"},
            "then": {"@case": {"operator": "lower", "value": {"@path": "traits.email"}}},
        }
    }
    assert resolve(value) == "ann@example.com"


def test_a_directive_with_only_literal_inputs_is_folded_at_load_time() -> None:
    resolver = compile_value({"@json": {"mode": "encode", "value": {"a": [1, 2]}}})
    assert resolver(None) == '{"a":[1,2]}'


def test_metadata_next_to_a_directive_is_ignored() -> None:
    assert resolve({"@path": "userId", "_metadata": {"label": "User"}}) == "u1"
