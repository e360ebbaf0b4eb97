"""``fields_from_reference``: the reference's input-field JSON as this project's fields, with
nothing silently dropped (an unknown keyword is an error naming it)."""

from __future__ import annotations

import pytest

from actions_core import (
    UNSET,
    Choice,
    Condition,
    Conditions,
    DefinitionError,
    Field,
    fields_from_reference,
)


def test_every_feature_of_a_field_is_carried_over() -> None:
    [field] = fields_from_reference({
        "email": {
            "label": "Email", "description": "Where to write", "type": "string",
            "required": {"match": "any", "conditions": [
                {"fieldKey": "mode", "operator": "is", "value": "email"},
                {"fieldKey": "phone", "operator": "is"}]},
            "minimum": 3, "maximum": 254, "format": "email", "allowNull": True,
            "multiple": True, "default": {"@path": "$.traits.email"},
            "placeholder": "a@b.io", "category": "identifier", "readOnly": True,
            "disabledInputMethods": ["literal"], "unsafe_hidden": True, "displayMode": "normal",
            "depends_on": {"conditions": [{"fieldKey": "mode", "operator": "is_not", "value": "x"}]},
        }
    })
    assert field == Field(
        key="email", label="Email", type="string", description="Where to write",
        required=False,
        required_if=Conditions(
            (Condition("mode", "is", "email"), Condition("phone", "is", UNSET)), "any"
        ),
        minimum=3, maximum=254, format="email", allow_null=True, multiple=True,
        default={"@path": "$.traits.email"}, placeholder="a@b.io", category="identifier",
        read_only=True, disabled_input_methods=("literal",), unsafe_hidden=True,
        display_mode="normal",
        depends_on=Conditions((Condition("mode", "is_not", "x"),)),
    )


def test_object_fields_keep_their_properties_and_open_keys() -> None:
    [field] = fields_from_reference({
        "user": {"label": "User", "type": "object", "additionalProperties": True,
                 "defaultObjectUI": "keyvalue", "dynamic": True,
                 "properties": {"id": {"label": "Id", "type": "string", "required": True}}}
    })
    assert field.additional_properties and field.dynamic
    assert field.default_object_ui == "keyvalue"
    assert field.properties == (Field("id", "Id", "string", required=True),)


def test_string_choices_and_labelled_choices_both_read() -> None:
    [field] = fields_from_reference({
        "m": {"label": "M", "type": "string", "choices": ["a", {"value": "b", "label": "Bee"}]}
    })
    assert field.choices == (Choice("a", "a"), Choice("b", "Bee"))


def test_fields_keep_the_order_of_the_reference_object() -> None:
    fields = fields_from_reference({
        "b": {"label": "B", "type": "number"}, "a": {"label": "A", "type": "boolean"}
    })
    assert [f.key for f in fields] == ["b", "a"]


def test_an_unknown_keyword_is_an_error_naming_it_and_the_field() -> None:
    with pytest.raises(DefinitionError, match=r"field 'user\.id': unknown keyword 'pattern'"):
        fields_from_reference({
            "user": {"label": "User", "type": "object",
                     "properties": {"id": {"label": "Id", "type": "string", "pattern": "x"}}}
        })


def test_an_unknown_condition_keyword_is_an_error_naming_it() -> None:
    with pytest.raises(DefinitionError, match="condition: unknown keyword 'values'"):
        fields_from_reference({
            "a": {"label": "A", "type": "string",
                  "required": {"conditions": [{"fieldKey": "b", "operator": "is", "values": 1}]}}
        })


def test_an_unknown_type_is_an_error_listing_the_types() -> None:
    with pytest.raises(DefinitionError, match="type must be one of string, text"):
        fields_from_reference({"a": {"label": "A", "type": "date"}})


def test_an_unknown_format_is_an_error() -> None:
    with pytest.raises(DefinitionError, match=r"format must be one of .* not 'phone'"):
        fields_from_reference({"a": {"label": "A", "type": "string", "format": "phone"}})


def test_a_sync_mode_condition_is_refused_as_unsupported() -> None:
    with pytest.raises(DefinitionError, match="condition type 'syncMode' is not supported"):
        fields_from_reference({
            "a": {"label": "A", "type": "string",
                  "required": {"conditions": [{"type": "syncMode", "operator": "is", "value": "add"}]}}
        })
