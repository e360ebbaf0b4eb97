"""Porting aid: Segment's input-field JSON turned into this project's :class:`Field` objects.

A destination author porting one of Segment's action destinations copies the ``fields``
object of an action definition (as JSON) and gets the equivalent fields, with every feature of
the reference's field model (docs/field-model.md). Anything this project does not know is an
error naming the keyword and the field, so nothing is silently dropped. The parity tests read
fields through here too, so the reference's own definitions are what they check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from actions_core.definitions import (
    FIELD_TYPES,
    FORMATS,
    UNSET,
    Choice,
    Condition,
    Conditions,
    Field,
)
from actions_core.errors import DefinitionError

_KEYWORDS: Final = frozenset({
    "label", "description", "type", "allowNull", "multiple", "additionalProperties",
    "default", "choices", "required", "properties", "format", "placeholder", "dynamic",
    "defaultObjectUI", "unsafe_hidden", "readOnly", "depends_on", "category", "displayMode",
    "disabledInputMethods", "minimum", "maximum",
})
_CONDITION_KEYWORDS: Final = frozenset({"fieldKey", "operator", "value", "type"})


def fields_from_reference(spec: Mapping[str, Any]) -> tuple[Field, ...]:
    """The fields of one reference action definition's ``fields`` object (key -> field JSON),
    in the same order. Raises :class:`DefinitionError` naming the field and the keyword that
    is unknown or has a value of the wrong kind."""
    if not isinstance(spec, Mapping):
        raise DefinitionError(f"fields must be an object (key -> field), not {type(spec).__name__}")
    return tuple(_field(str(key), value, str(key)) for key, value in spec.items())


def _fail(where: str, message: str) -> DefinitionError:
    return DefinitionError(f"field {where!r}: {message}")


def _field(key: str, spec: Any, where: str) -> Field:
    if not isinstance(spec, Mapping):
        raise _fail(where, f"must be an object, not {type(spec).__name__}")
    unknown = [k for k in spec if k not in _KEYWORDS]
    if unknown:
        raise _fail(where, f"unknown keyword {unknown[0]!r}")
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        raise _fail(where, f"type must be one of {', '.join(FIELD_TYPES)}, not {kind!r}")
    fmt = spec.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise _fail(where, f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    required = spec.get("required", False)
    properties = spec.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise _fail(where, "properties must be an object")
    return Field(
        key=key,
        label=_text(spec, "label", where, required=True),
        type=kind,
        description=_text(spec, "description", where),
        required=required is True,
        required_if=None if isinstance(required, bool) else _conditions(required, f"{where}.required"),
        default=spec.get("default", UNSET),
        choices=_choices(spec.get("choices"), where),
        multiple=_flag(spec, "multiple", where),
        allow_null=_flag(spec, "allowNull", where),
        properties=tuple(_field(str(k), v, f"{where}.{k}") for k, v in properties.items()),
        minimum=_number(spec, "minimum", where),
        maximum=_number(spec, "maximum", where),
        format=fmt,
        additional_properties=_flag(spec, "additionalProperties", where),
        dynamic=_flag(spec, "dynamic", where),
        depends_on=(
            _conditions(spec["depends_on"], f"{where}.depends_on") if "depends_on" in spec else None
        ),
        placeholder=_text(spec, "placeholder", where),
        category=_text(spec, "category", where) or None,
        read_only=_flag(spec, "readOnly", where),
        disabled_input_methods=tuple(_strings(spec, "disabledInputMethods", where)),
        default_object_ui=_text(spec, "defaultObjectUI", where) or None,
        display_mode=_text(spec, "displayMode", where) or None,
        unsafe_hidden=_flag(spec, "unsafe_hidden", where),
    )


def _text(spec: Mapping[str, Any], name: str, where: str, *, required: bool = False) -> str:
    value = spec.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _fail(where, f"{name} must be a string")
    return value


def _flag(spec: Mapping[str, Any], name: str, where: str) -> bool:
    value = spec.get(name, False)
    if not isinstance(value, bool):
        raise _fail(where, f"{name} must be true or false")
    return value


def _number(spec: Mapping[str, Any], name: str, where: str) -> float | None:
    value = spec.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, f"{name} must be a number")
    return value


def _strings(spec: Mapping[str, Any], name: str, where: str) -> list[str]:
    value = spec.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{name} must be a list of strings")
    return value


def _choices(value: Any, where: str) -> tuple[Choice, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(where, "choices must be a list")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(Choice(item, item))
        elif isinstance(item, Mapping) and "value" in item and set(item) <= {"value", "label"}:
            out.append(Choice(item["value"], str(item.get("label", item["value"]))))
        else:
            raise _fail(where, f"choices: {item!r} is neither a string nor {{value, label}}")
    return tuple(out)


def _conditions(value: Any, where: str) -> Conditions:
    if not isinstance(value, Mapping) or not isinstance(value.get("conditions"), list):
        raise _fail(where, "must be true, false or {match?, conditions: [...]}")
    unknown = [k for k in value if k not in ("match", "conditions")]
    if unknown:
        raise _fail(where, f"unknown keyword {unknown[0]!r}")
    match = value.get("match", "all")
    if match not in ("all", "any"):
        raise _fail(where, f"match must be 'all' or 'any', not {match!r}")
    return Conditions(tuple(_condition(c, where) for c in value["conditions"]), match)


def _condition(value: Any, where: str) -> Condition:
    if not isinstance(value, Mapping):
        raise _fail(where, "a condition must be an object")
    unknown = [k for k in value if k not in _CONDITION_KEYWORDS]
    if unknown:
        raise _fail(where, f"condition: unknown keyword {unknown[0]!r}")
    if value.get("type", "field") != "field":
        raise _fail(where, f"condition type {value['type']!r} is not supported (only 'field')")
    key, operator = value.get("fieldKey"), value.get("operator")
    if not isinstance(key, str) or not key:
        raise _fail(where, "condition: fieldKey must be a non-empty string")
    if operator not in ("is", "is_not"):
        raise _fail(where, f"condition: operator must be 'is' or 'is_not', not {operator!r}")
    return Condition(key, operator, value.get("value", UNSET))


__all__ = ["fields_from_reference"]
