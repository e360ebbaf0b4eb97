"""The validator of fields that use the rest of the reference's field model.

Conditional requirements, length and number limits, string formats and objects that keep
undeclared keys (docs/field-model.md) are checked here, by walking the fields, instead of by
the generated fast path of :mod:`actions_core.validation.validator`. Which of the two an action
gets is decided once, when its validator is compiled (:func:`needs_extended`): destinations
that use none of these features pay nothing for them.

Clean-up, coercion and messages are the fast path's (the same helpers), in the order ajv
reports them: conditional requirements first (ajv checks ``allOf`` before the properties, on
the values before coercion), then required fields, then each field in order: its type, its
choices, its length or bounds, its format, then what is nested in it.

Deliberately unlike the reference, limits and formats also hold for ``integer``, ``text`` and
each item of a ``multiple`` field, a limit of ``0`` counts, and an object field whose children
are conditionally required still requires its other required children.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from actions_core.definitions import Field
from actions_core.js import js_equal
from actions_core.missing import MISSING
from actions_core.validation import formats
from actions_core.validation import messages as msg
from actions_core.validation.conditions import Requirement, requirements
from actions_core.validation.validator import (
    _JSON_TYPES,
    PayloadValidator,
    _coerce,
    is_date_time,
)


def needs_extended(fields: Sequence[Field]) -> bool:
    """Whether any of ``fields`` (nested ones included) uses a feature only this module checks."""
    return any(f.uses_extended_model for f in fields)


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


class _Value:
    """How one value (a field's, or one item of a ``multiple`` field) is checked."""

    __slots__ = ("choices", "datetime", "format", "format_label", "kind", "limits", "nested", "types")

    def __init__(self, field: Field, *, item: bool) -> None:
        base = _JSON_TYPES[field.type]
        self.kind = base
        self.types: tuple[str, ...] = (base, "null") if field.allow_null and not item else (base,)
        self.datetime = field.type == "datetime"
        values = [c.value for c in field.choices]
        self.choices: tuple[Any, ...] = (*values, None) if values and field.allow_null else tuple(values)
        self.limits = (field.minimum, field.maximum)
        self.format = None if self.datetime or field.format is None else formats.check(field.format)
        self.format_label = formats.LABELS.get(field.format or "", field.format or "")
        self.nested = (
            _Level(field.properties, additional=field.additional_properties)
            if base == "object" and (field.properties or field.additional_properties)
            else None
        )

    def apply(self, v: Any, errors: list[str], path: str, title: str) -> Any:
        ok, value = _coerce(v, self.types)
        if not ok:
            errors.append(msg.type_message(title, path, self.types, value))
        if self.choices and not any(js_equal(value, c) for c in self.choices):
            errors.append(msg.enum_message(title, path, msg.allowed_list(self.choices)))
        if not ok:
            return v
        low, high = self.limits
        if isinstance(value, str) and self.kind == "string":
            size = len(value)
            if high is not None and size > high:
                errors.append(msg.length_message(title, path, _int(high), _utf16_length(value), most=True))
            if low is not None and size < low:
                errors.append(msg.length_message(title, path, _int(low), _utf16_length(value), most=False))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if high is not None and value > high:
                errors.append(msg.limit_message(title, path, high, most=True))
            if low is not None and value < low:
                errors.append(msg.limit_message(title, path, low, most=False))
        if isinstance(value, str):
            if self.datetime and not is_date_time(value):
                errors.append(msg.format_message(title, path, "date and time"))
            elif self.format is not None and not self.format(value):
                errors.append(msg.format_message(title, path, self.format_label))
        if self.nested is not None and isinstance(value, dict):
            return self.nested(value, errors, path, title)
        return value


def _int(limit: float) -> int:
    """A length limit as the whole number of characters it allows."""
    return int(limit) if math.isfinite(limit) else 0


class _FieldCheck:
    """Emptiness, ``multiple``, then :class:`_Value`, for one field of a level."""

    __slots__ = ("drop_empty", "key", "multiple", "nullable", "pointer", "root", "title", "value")

    def __init__(self, field: Field, *, root: bool) -> None:
        self.key = field.key
        self.title = field.label
        self.pointer = _pointer(field.key)
        self.multiple = field.multiple
        self.root = root
        self.nullable = field.allow_null
        self.drop_empty = root or field.multiple or _JSON_TYPES[field.type] != "string"
        self.value = _Value(field, item=field.multiple)

    def present(self, v: Any) -> bool:
        """Whether the value survives the clean-up (what ``required`` and conditions see)."""
        if v is None:
            return self.nullable and not self.multiple
        return not (self.drop_empty and v == "" and isinstance(v, str))

    def __call__(self, v: Any, errors: list[str], parent: str) -> Any:
        if v is None:
            return None if self.nullable else MISSING
        if v == "" and isinstance(v, str) and self.drop_empty:
            return MISSING
        path = parent + self.pointer
        if not self.multiple:
            return self.value.apply(v, errors, path, self.title)
        if isinstance(v, dict) and not self.root:
            types = ("array", "null") if self.nullable else ("array",)
            errors.append(msg.type_message(self.title, path, types, v))
            return v
        out: list[Any] = []
        for item in v if isinstance(v, list) else [v]:
            if item is None or (item == "" and isinstance(item, str) and self.value.kind != "string"):
                continue
            out.append(self.value.apply(item, errors, f"{path}/{len(out)}", ""))
        return out


class _Level:
    """One object level: its conditional requirements, required fields and fields."""

    def __init__(self, fields: Sequence[Field], *, additional: bool, root: bool = False) -> None:
        self.checks = tuple(_FieldCheck(f, root=root) for f in fields)
        self.by_key = {c.key: c for c in self.checks}
        self.required = tuple(f.key for f in fields if f.required)
        self.additional = additional
        self.requirements: tuple[Requirement, ...] = requirements(fields, self._present)

    def _present(self, obj: Mapping[str, Any], key: str) -> bool:
        if key not in obj:
            return False
        check = self.by_key.get(key)
        return check.present(obj[key]) if check is not None else obj[key] is not None

    def __call__(self, p: dict[str, Any], errors: list[str], path: str, title: str) -> dict[str, Any]:
        for requirement in self.requirements:
            requirement.check(p, path, errors)
        for key in self.required:
            if not self._present(p, key):
                errors.append(msg.required_message(title, path, key))
        out: dict[str, Any] = {}
        for check in self.checks:
            if check.key in p:
                value = check(p[check.key], errors, path)
                if value is not MISSING:
                    out[check.key] = value
        if self.additional:
            for key, value in p.items():
                if key not in self.by_key:
                    out[key] = value
        return out


class ExtendedValidator(PayloadValidator):
    """A :class:`PayloadValidator` for fields that need this module (same interface)."""

    def __init__(self, fields: Sequence[Field]) -> None:
        self.fields = tuple(fields)
        self._level = _Level(self.fields, additional=False, root=True)


__all__ = ["ExtendedValidator", "needs_extended"]
