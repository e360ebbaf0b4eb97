"""Where the field model deliberately departs from the reference (docs/field-model.md, each
with its reason). These expectations are this project's, not the reference's: the reference
silently ignores the declarations that these tests show being enforced."""

from __future__ import annotations

import pytest

from actions_core import PayloadValidationError, compile_validator, fields_from_reference


def refused(fields: dict[str, object], payload: dict[str, object]) -> list[str]:
    with pytest.raises(PayloadValidationError) as caught:
        compile_validator(fields_from_reference(fields)).validate(payload)
    return list(caught.value.messages)


def test_integer_bounds_hold() -> None:
    fields = {"n": {"label": "N", "type": "integer", "minimum": 2, "maximum": 4}}
    assert refused(fields, {"n": 9}) == ["N must be equal to or less than 4."]


def test_a_zero_limit_holds() -> None:
    fields = {"n": {"label": "N", "type": "number", "minimum": 0}}
    assert refused(fields, {"n": -1}) == ["N must be equal to or greater than 0."]


def test_each_item_of_a_multiple_field_is_checked_for_its_format_and_length() -> None:
    fields = {"e": {"label": "E", "type": "string", "multiple": True, "format": "email",
                    "maximum": 5}}
    assert refused(fields, {"e": ["a@b.io", "nope"]}) == [
        "The value at /e/0 must be 5 characters or fewer but it was 6 characters.",
        "The value at /e/1 must be a valid email address string but it was not.",
    ]


def test_text_fields_have_length_limits() -> None:
    fields = {"t": {"label": "T", "type": "text", "maximum": 2}}
    assert refused(fields, {"t": "xyz"}) == ["T must be 2 characters or fewer but it was 3 characters."]


def test_a_required_child_stays_required_beside_a_conditionally_required_one() -> None:
    fields = {"o": {"label": "O", "type": "object", "properties": {
        "k": {"label": "K", "type": "string", "required": True},
        "m": {"label": "M", "type": "string",
              "required": {"conditions": [{"fieldKey": "o.k", "operator": "is", "value": "x"}]}},
    }}}
    assert refused(fields, {"o": {}}) == ["O is missing the required field 'k'."]


def test_a_child_required_by_several_conditions_is_required_inside_its_parent() -> None:
    fields = {
        "z": {"label": "Z", "type": "string"},
        "o": {"label": "O", "type": "object", "properties": {
            "k": {"label": "K", "type": "string"},
            "m": {"label": "M", "type": "string", "required": {"match": "any", "conditions": [
                {"fieldKey": "o.k", "operator": "is", "value": "x"},
                {"fieldKey": "z", "operator": "is", "value": "x"}]}},
        }},
    }
    assert refused(fields, {"o": {"k": "x"}}) == [
        "The value at /o is missing the required field 'm'.",
        'The root value must match "then" schema.',
    ]
    assert compile_validator(fields_from_reference(fields)).validate(
        {"o": {"k": "x", "m": "y"}}
    ) == {"o": {"k": "x", "m": "y"}}
