"""JSON type names and JavaScript emulation, each written once (actions_core.json_types,
actions_core.js), and the one absent-value sentinel (actions_core.missing)."""

from __future__ import annotations

import pytest

from actions_core import js
from actions_core.json_types import json_type, json_type_name
from actions_core.mapping.mapping import compile_value
from actions_core.missing import MISSING
from actions_core.validation import validator


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "a boolean"),
        (0, "a number"),
        (1.5, "a number"),
        ("", "a string"),
        ([], "an array"),
        ((), "an array"),
        ({}, "an object"),
    ],
)
def test_a_json_value_is_named_by_its_json_type_with_an_article(value: object, name: str) -> None:
    assert json_type_name(value) == name


def test_a_value_that_is_not_json_is_named_by_its_python_type() -> None:
    assert json_type({1, 2}) == "set"


def test_javascript_equality_tells_booleans_from_numbers_but_not_ints_from_floats() -> None:
    assert js.js_equal(1, 1.0)
    assert not js.js_equal(True, 1)
    assert not js.js_equal([True], [1])
    assert js.js_equal({"a": [1]}, {"a": [1.0]})


def test_javascript_number_coercion_reads_hex_and_refuses_infinity() -> None:
    assert js.js_to_number(" 0x1F ") == 31
    assert js.js_to_number("Infinity") is None


def test_mapping_and_validation_share_one_absent_sentinel() -> None:
    assert compile_value({"@path": "nope"})({}) is MISSING
    assert validator.MISSING is MISSING
