"""Load-time mapping checks: each problem is located from the field key and worded like the
reference's (Segment mapping-kit's validate.js), and every problem is reported at once."""

from __future__ import annotations

from typing import Any

import pytest

from actions_core.errors import ConfigError, MappingError, MappingProblem
from actions_core.mapping.mapping import compile_mapping, compile_value


def problems(mapping: dict[str, Any]) -> list[str]:
    with pytest.raises(MappingError) as caught:
        compile_mapping(mapping)
    return [str(problem) for problem in caught.value.problems]


def test_unknown_directive_inside_if_names_its_location() -> None:
    mapping = {"user_email": {"@if": {"exists": {"@path": "traits.email"}, "then": {"@oops": 1}}}}
    assert problems(mapping) == ["/user_email/@if/then has an invalid directive: @oops."]


def test_problem_carries_location_and_message_separately() -> None:
    with pytest.raises(MappingError) as caught:
        compile_mapping({"f": {"@oops": 1}})
    assert caught.value.problems == (MappingProblem("/f", "has an invalid directive: @oops."),)


def test_mapping_error_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        compile_mapping({"f": {"@oops": 1}})


def test_directive_mixed_with_other_keys() -> None:
    assert problems({"f": {"@path": "a", "extra": 1}}) == [
        "/f should only have one @-prefixed key but it has 2 keys."
    ]


def test_two_directives_in_one_object() -> None:
    assert problems({"f": {"@path": "a", "@template": "b"}}) == [
        "/f should only have one @-prefixed key but it has 2 keys."
    ]


def test_unknown_directive_nested_in_an_object_and_in_an_array() -> None:
    assert problems({"f": {"a": {"@bad": 1}, "b": [1, {"@worse": 2}]}}) == [
        "/f/a has an invalid directive: @bad.",
        "/f/b/1 has an invalid directive: @worse.",
    ]


def test_a_liquid_template_that_is_not_a_string_is_reported() -> None:
    # @liquid was unsupported before issue 15; tests/fields/test_liquid_parity.py covers it now
    assert problems({"f": {"@liquid": 5}}) == ["/f/@liquid should be a string but it is a number."]


def test_jmespath_syntax_error_quotes_jmespath() -> None:
    assert problems({"f": {"@path": "traits..email"}}) == [
        '/f/@path has an invalid JMESPath expression "traits..email": Expecting: '
        "['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], got: dot: "
        'Parse error at column 7, token "." (DOT).'
    ]


def test_incomplete_and_empty_jmespath_expressions() -> None:
    assert problems({"f": {"@path": "a["}, "g": {"@path": ""}}) == [
        '/f/@path has an invalid JMESPath expression "a[": Invalid jmespath expression: Incomplete expression.',
        '/g/@path has an invalid JMESPath expression "": Invalid JMESPath expression: cannot be empty.',
    ]


def test_unknown_jmespath_function_is_caught_at_load_time() -> None:
    assert problems({"f": {"@path": "lower(traits.email)"}}) == [
        '/f/@path has an invalid JMESPath expression "lower(traits.email)": Unknown function: lower().'
    ]


def test_jmespath_function_with_the_wrong_number_of_arguments() -> None:
    assert problems({"f": {"@path": "length(a, b)"}}) == [
        '/f/@path has an invalid JMESPath expression "length(a, b)": '
        "Expected 1 argument for function length(), received 2."
    ]


def test_path_that_is_not_a_string() -> None:
    assert problems({"f": {"@path": 5}}) == [
        "/f/@path should be a string or a mapping directive but it is a number."
    ]


def test_if_without_exists_or_blank() -> None:
    assert problems({"f": {"@if": {"then": 1}}}) == [
        '/f/@if should have field "exists" or "blank" but it doesn\'t.'
    ]


def test_if_that_is_not_an_object() -> None:
    assert problems({"f": {"@if": "x"}}) == ["/f/@if should be an object but it is a string."]


def test_case_with_a_bad_operator_or_none() -> None:
    assert problems(
        {"f": {"@case": {"operator": "title", "value": "x"}}, "g": {"@case": {"value": "x"}}}
    ) == [
        '/f/@case/operator should be one of lower, upper but it is "title".',
        '/g/@case should have field "operator" but it doesn\'t.',
    ]


def test_json_with_a_bad_mode_and_no_value_reports_both() -> None:
    assert problems({"f": {"@json": {"mode": "pretty"}}}) == [
        '/f/@json should have field "value" but it doesn\'t.',
        '/f/@json/mode should be one of encode, decode but it is "pretty".',
    ]


def test_merge_without_an_objects_list() -> None:
    assert problems(
        {
            "f": {"@merge": {"direction": "right"}},
            "g": {"@merge": {"direction": "right", "objects": "x"}},
        }
    ) == [
        '/f/@merge should have field "objects" but it doesn\'t.',
        "/g/@merge/objects should be an array but it is a string.",
    ]


def test_merge_with_a_bad_direction_and_a_non_object_member() -> None:
    assert problems({"f": {"@merge": {"direction": "up", "objects": [1]}}}) == [
        '/f/@merge/direction should be one of left, right but it is "up".',
        "/f/@merge/objects/0 should be a object or a mapping directive but it is a number.",
    ]


def test_array_path_that_is_not_a_path_and_shape_pair() -> None:
    assert problems(
        {
            "f": {"@arrayPath": "items"},
            "g": {"@arrayPath": ["a", {}, "extra"]},
            "h": {"@arrayPath": [1]},
        }
    ) == [
        "/f/@arrayPath should be an array but it is a string.",
        "/g/@arrayPath should be a [path, item shape] pair but it has 3 items.",
        "/h/@arrayPath/0 should be a string or a mapping directive but it is a number.",
    ]


def test_array_path_checks_its_jmespath_and_its_shape() -> None:
    assert problems({"f": {"@arrayPath": ["a[", {"x": {"@nope": 1}}]}}) == [
        '/f/@arrayPath/0 has an invalid JMESPath expression "a[": Invalid jmespath expression: Incomplete expression.',
        "/f/@arrayPath/1/x has an invalid directive: @nope.",
    ]


def test_replace_limits_and_types() -> None:
    mapping = {
        "f": {"@replace": {"pattern": "abcdefghijk", "replacement": 1, "value": 2, "global": "yes"}}
    }
    assert problems(mapping) == [
        "/f/@replace/pattern should be a string of length 10 or less.",
        "/f/@replace/replacement should be a string but it is a number.",
        "/f/@replace/global should be a boolean but it is a string.",
        "/f/@replace/value should be a string or a mapping directive but it is a number.",
    ]


def test_flatten_needs_a_non_empty_separator() -> None:
    assert problems(
        {"f": {"@flatten": {"value": 1}}, "g": {"@flatten": {"separator": "", "value": 1}}}
    ) == [
        '/f/@flatten should have field "separator" but it doesn\'t.',
        "/g/@flatten/separator should be a string of length 1 or greater.",
    ]


def test_transform_needs_apply_and_mapping() -> None:
    assert problems({"f": {"@transform": {"apply": "x"}}}) == [
        '/f/@transform should have field "mapping" but it doesn\'t.',
        "/f/@transform/apply should be a object or a mapping directive but it is a string.",
    ]


def test_a_value_that_is_not_json() -> None:
    assert problems({"f": {"when": {1, 2}}}) == [
        "/f/when should be a mapping directive or a JSON value but it is a set."
    ]


def test_a_field_key_that_is_a_directive() -> None:
    assert problems({"@path": "userId"}) == [
        '/ shouldn\'t have directive (@-prefixed) keys but it has "@path".'
    ]


def test_every_problem_across_fields_is_reported_together() -> None:
    mapping = {
        "a": {"@oops": 1},
        "b": {"@path": "x..y"},
        "c": {"@if": {"exists": {"@path": "nope(x)"}, "then": {"@nah": 1}}},
        "d": "fine",
    }
    with pytest.raises(MappingError) as caught:
        compile_mapping(mapping)
    assert [p.location for p in caught.value.problems] == [
        "/a",
        "/b/@path",
        "/c/@if/exists/@path",
        "/c/@if/then",
    ]
    assert str(caught.value).startswith(
        "/a has an invalid directive: @oops. /b/@path has an invalid"
    )


def test_compile_value_prefixes_locations_with_the_given_location() -> None:
    with pytest.raises(MappingError) as caught:
        compile_value({"@if": {"exists": 1, "then": {"@oops": 1}}}, "/user_email")
    assert [str(p) for p in caught.value.problems] == [
        "/user_email/@if/then has an invalid directive: @oops."
    ]


def test_compile_value_without_a_location_reports_from_the_root() -> None:
    with pytest.raises(MappingError) as caught:
        compile_value({"@if": {"exists": 1, "then": {"@oops": 1}}})
    assert [str(p) for p in caught.value.problems] == ["/@if/then has an invalid directive: @oops."]
