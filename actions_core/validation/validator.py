"""Payload and settings validation: an action's fields as a JSON Schema, and a fast validator.

:func:`fields_to_schema` is the source of truth (draft 2020-12, what docs and tests read).
Validating every event with a generic JSON Schema engine is too slow for the per-event budget,
so :func:`compile_validator` turns the fields, once per action, into one generated Python
function per object level: straight-line code that reads each field, accepts a value that
already has the right type with a single class test, and sends everything else to a slow path
that reproduces the reference's clean-up and ajv ``coerceTypes: 'array'`` coercion and builds
the reference's messages (:mod:`actions_core.validation.messages`).

Rules (docs/framework.md#payload-validation): unknown keys are dropped; absent and ``null``
optional values are dropped unless the field allows null; top-level ``""`` counts as absent
(the reference did that in single mode only); nested ``""`` is dropped where the type is not a
string. Required-field errors come first, then the others, each in field order; nested levels
repeat that order at the position of their field. Nested dicts and lists of the input are never
mutated: a level that changes anything returns a copy.

Deliberately unlike the reference: ``datetime`` is RFC 3339 ``date-time`` (not dayjs'
"date-like"); ``allow_null`` also holds for ``multiple`` fields and objects with properties
(the reference's schema loses it there); a one-element array unwraps for nullable fields too
(ajv's check of the element is broken for type unions); strings that JavaScript reads as
``Infinity`` are not numbers; items of ``multiple`` objects are cleaned like any object.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, cast

from actions_core.codegen import Namespace
from actions_core.definitions import UNSET, Field
from actions_core.errors import PayloadValidationError, SettingsValidationError
from actions_core.js import JS_WHITESPACE, js_equal, js_number_to_string, js_to_number
from actions_core.mapping.plan import Const, ValuePlan, ValueWriter
from actions_core.missing import MISSING
from actions_core.validation import messages as msg
from actions_core.validation.conditions import conditions_schema

SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

_JSON_TYPES: Final[Mapping[str, str]] = {
    "string": "string", "text": "string", "password": "string", "datetime": "string",
    "number": "number", "integer": "integer", "boolean": "boolean", "object": "object",
}


# A compiled object level: (object, errors, its JSON pointer, its title) -> cleaned object.
_LevelFn = Callable[[dict[str, Any], list[str], str, str], dict[str, Any]]


# ----------------------------------------------------------------------------- JSON Schema


def _is_literal(default: Any) -> bool:
    """A default that is a value, not a mapping directive such as ``{"@path": "userId"}``."""
    if default is UNSET:
        return False
    return not (isinstance(default, dict) and any(str(k).startswith("@") for k in default))


def _object_schema(fields: Sequence[Field], *, additional: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.key: _field_schema(f) for f in fields},
        "required": [f.key for f in fields if f.required],
        "additionalProperties": additional,
    }
    if conditional := conditions_schema(fields):
        schema["allOf"] = conditional
    return schema


def _limits_schema(field: Field) -> dict[str, Any]:
    """``minimum``/``maximum`` as JSON Schema: a string's length, a number's value."""
    names = {"string": ("minLength", "maxLength"), "number": ("minimum", "maximum"),
             "integer": ("minimum", "maximum")}.get(_JSON_TYPES[field.type])
    if names is None:
        return {}
    limits = zip(names, (field.minimum, field.maximum), strict=True)
    return {name: value for name, value in limits if value is not None}


def _field_schema(field: Field) -> dict[str, Any]:
    base = _JSON_TYPES[field.type]
    value: dict[str, Any] = {"type": base}
    if field.type == "datetime":
        value["format"] = "date-time"
    elif field.type in ("password", "text"):
        value["format"] = field.type  # annotations only, as in the reference
    elif field.format is not None:
        value["format"] = field.format
    value.update(_limits_schema(field))
    if field.choices:
        value["enum"] = [c.value for c in field.choices] + ([None] if field.allow_null else [])
    if base == "object" and field.properties:
        value.update(_object_schema(field.properties, additional=field.additional_properties))
    schema: dict[str, Any] = {"title": field.label}
    if field.description:
        schema["description"] = field.description
    if field.multiple:
        schema["type"] = ["array", "null"] if field.allow_null else "array"
        schema["items"] = value
    else:
        schema.update(value)
        if field.allow_null:
            schema["type"] = [base, "null"]
    if _is_literal(field.default):
        schema["default"] = field.default
    return schema


def fields_to_schema(fields: Sequence[Field]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a payload with these fields."""
    return {"$schema": SCHEMA_DIALECT, **_object_schema(fields)}


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and math.isfinite(v))


def _has_type(v: Any, t: str) -> bool:
    """ajv's type test (``strictNumbers``: NaN and infinities are not numbers)."""
    if t == "string":
        return isinstance(v, str)
    if t == "number":
        return _is_number(v)
    if t == "integer":
        return _is_number(v) and (isinstance(v, int) or v.is_integer())
    if t == "boolean":
        return isinstance(v, bool)
    if t == "object":
        return isinstance(v, dict)
    return v is None  # "null"


def _coerce_to(v: Any, t: str) -> Any:
    """One branch of ajv's coercion chain: the coerced value, or ``MISSING`` if it does not apply."""
    number = isinstance(v, int | float) and not isinstance(v, bool)
    if t == "string":
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int) and number:  # exact digits: an ID past 2**53 must not be rounded
            return str(v)
        return js_number_to_string(v) if number else ("" if v is None else MISSING)
    if t in ("number", "integer"):
        if isinstance(v, bool) or v is None:
            return int(bool(v))
        if isinstance(v, str) and v:
            n = js_to_number(v)
            if n is not None and (t == "number" or isinstance(n, int) or n.is_integer()):
                return n
        return MISSING
    if t == "boolean":
        if v == "false" or v is None or (number and v == 0):
            return False
        return True if v == "true" or (number and v == 1) else MISSING
    if t == "null":
        return None if v == "" or v is False or (number and v == 0) else MISSING
    return MISSING  # objects are never coerced to


def _coerce(v: Any, types: tuple[str, ...]) -> tuple[bool, Any]:
    """ajv ``coerceTypes: 'array'`` for a scalar schema: ``(True, value)`` or ``(False, what the
    type error reports)``. A one-element array stands for its element first."""
    if _has_type(v, types[0]) or (len(types) > 1 and _has_type(v, types[1])):
        return True, v
    if types == ("object",):
        return False, v
    if isinstance(v, list) and len(v) == 1:
        v = v[0]
        if _has_type(v, types[0]) or (len(types) > 1 and _has_type(v, types[1])):
            return True, v
    for t in types:
        coerced = _coerce_to(v, t)
        if coerced is not MISSING:
            return True, coerced
    return False, v


_DATE: Final = re.compile(r"(\d\d\d\d)-(\d\d)-(\d\d)", re.ASCII)
_TIME: Final = re.compile(r"(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)", re.ASCII | re.I)
_DATE_TIME_SEP: Final = re.compile("[tT" + re.escape(JS_WHITESPACE) + "]")
_DAYS: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_date_time(text: str) -> bool:
    """RFC 3339 ``date-time`` exactly as ajv-formats checks it (time zone required)."""
    parts = _DATE_TIME_SEP.split(text)
    if len(parts) != 2 or not (d := _DATE.fullmatch(parts[0])) or not (t := _TIME.fullmatch(parts[1])):
        return False
    year, month, day = int(d[1]), int(d[2]), int(d[3])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not (1 <= month <= 12 and 1 <= day <= (29 if month == 2 and leap else _DAYS[month])):
        return False
    hour, minute, second = int(t[1]), int(t[2]), int(t[3])
    return (hour <= 23 and minute <= 59 and second <= 59) or (hour, minute, second) == (23, 59, 60)


# ------------------------------------------------------------------------------ slow path


class _Rule:
    """How one value (a field's, or one item of a ``multiple`` field) is checked and coerced."""

    __slots__ = ("allowed", "choices", "datetime", "nested", "stringy", "types")

    def __init__(self, field: Field, *, item: bool) -> None:
        base = _JSON_TYPES[field.type]
        nullable = field.allow_null and not item
        self.types: tuple[str, ...] = (base, "null") if nullable else (base,)
        self.stringy = base == "string"
        self.datetime = field.type == "datetime"
        values = [c.value for c in field.choices]  # null stays listed for items, as in the reference
        self.choices: tuple[Any, ...] = (*values, None) if values and field.allow_null else tuple(values)
        self.allowed = msg.allowed_list(self.choices)
        self.nested = _compile_level(field.properties, root=False) if base == "object" and field.properties else None

    def apply(self, v: Any, errors: list[str], path: str, title: str) -> Any:
        ok, value = _coerce(v, self.types)
        if not ok:
            errors.append(msg.type_message(title, path, self.types, value))
        if self.choices and not any(js_equal(value, c) for c in self.choices):
            errors.append(msg.enum_message(title, path, self.allowed))
        if not ok:
            return v
        if self.datetime and isinstance(value, str) and not is_date_time(value):
            errors.append(msg.format_message(title, path, "date and time"))
        if self.nested is not None and isinstance(value, dict):
            return self.nested(value, errors, path, title)
        return value


class _FieldCheck:
    """The slow path of one field: emptiness, ``multiple``, then :class:`_Rule`."""

    __slots__ = ("drop_empty", "key", "multiple", "nullable", "pointer", "root", "rule", "title")

    def __init__(self, field: Field, *, root: bool) -> None:
        self.key = field.key
        self.title = field.label
        self.pointer = "/" + field.key.replace("~", "~0").replace("/", "~1")
        self.multiple = field.multiple
        self.root = root
        self.nullable = field.allow_null
        self.drop_empty = root or field.multiple or _JSON_TYPES[field.type] != "string"
        self.rule = _Rule(field, item=field.multiple)  # for ``multiple``, the rule of one item

    def __call__(self, v: Any, errors: list[str], parent: str) -> Any:
        if v is None:
            return None if self.nullable else MISSING
        if v == "" and isinstance(v, str) and self.drop_empty:
            return MISSING
        path = parent + self.pointer
        if not self.multiple:
            return self.rule.apply(v, errors, path, self.title)
        if isinstance(v, dict) and not self.root:  # ajv wraps only scalars; the reference's
            types = ("array", "null") if self.nullable else ("array",)  # arrifyFields, top only
            errors.append(msg.type_message(self.title, path, types, v))
            return v
        items = v if isinstance(v, list) else [v]
        changed = items is not v
        out: list[Any] = []
        for item in items:
            if item is None or (item == "" and isinstance(item, str) and not self.rule.stringy):
                changed = True
                continue
            new = self.rule.apply(item, errors, f"{path}/{len(out)}", "")
            changed = changed or new is not item
            out.append(new)
        return out if changed else v


# ---------------------------------------------------------------------- generated fast path


# Choices that the fast path may test with ``in`` (a Python ``True == 1`` must not sneak in).
_FAST_CHOICE_TYPES: Final[Mapping[str, tuple[type, ...]]] = {
    "string": (str,), "number": (int, float), "integer": (int, float), "boolean": (bool,), "object": (),
}


def _fast_test(field: Field, choices: str, *, root: bool) -> str | None:
    """A Python expression true when ``v`` is already valid as it is, or None (always slow)."""
    if field.multiple or field.type == "datetime" or (field.type == "object" and (field.properties or field.choices)):
        return None
    test = {
        "string": "v.__class__ is str" + (" and v" if root else ""),
        "number": "(v.__class__ is int or (v.__class__ is float and v - v == 0.0))",
        "integer": "v.__class__ is int",
        "boolean": "(v is True or v is False)",
        "object": "v.__class__ is dict",
    }[_JSON_TYPES[field.type]]
    if field.choices:
        test += f" and v in {choices}"
    return f"({test} or v is None)" if field.allow_null else test


def _check_lines(field: Field, ns: Namespace, absent: str, *, root: bool) -> list[str]:
    """The checks of ``field`` on ``v`` (already read: the value, or ``absent``), storing the
    cleaned value in ``out`` and inserting a required-field error at ``mark``."""
    check = _FieldCheck(field, root=root)
    key, slow = repr(field.key), ns.bind(check, "S")
    exact = _FAST_CHOICE_TYPES[_JSON_TYPES[field.type]]
    choices = ns.bind(frozenset(c for c in check.rule.choices if type(c) in exact), "C")
    on_missing = f"errors.insert(mark, req(title, path, {key})); mark += 1" if field.required else "pass"
    fast = _fast_test(field, choices, root=root)
    lines = [f"    if {fast}:", f"        out[{key}] = v", f"    elif v is {absent}:"] if fast else [f"    if v is {absent}:"]
    lines += [f"        {on_missing}", "    else:", f"        v = {slow}(v, errors, path)"]
    lines += [f"        if v is {absent}:", f"            {on_missing}", "        else:", f"            out[{key}] = v"]
    return lines


def _generate(
    fields: Sequence[Field] | None, plans: Sequence[tuple[str, ValuePlan]] | None, *, root: bool, kind: str
) -> Callable[..., Any]:
    """The one payload generator: mapping (``plans``), validation (``fields``), or both fused.

    * plans only: ``resolve(event)``, the mapped payload in mapping order, absent keys omitted;
    * fields only: ``level(obj, errors, path, title)``, one object level cleaned and checked
      (nested levels hand back the input object itself when nothing changed);
    * both: ``build(event)``, ``validate(resolve(event))`` without the intermediate dict or a
      call per field; fields the mapping sets to a constant that passes its check are checked
      once, here, and an optional field the mapping leaves out costs nothing per event.

    Only ``repr`` of keys (all ``str``) goes into the source; everything else is bound in the
    function's :class:`~actions_core.codegen.Namespace`.
    """
    ns = Namespace(req=msg.required_message, PayloadValidationError=PayloadValidationError)
    values = ValueWriter(ns) if plans is not None else None
    if fields is None:
        assert plans is not None and values is not None
        absent = ns.bind(MISSING, "MISSING")
        skeleton = {
            key: (plan.value if isinstance(plan, Const) else None)
            for key, plan in plans
            if not (isinstance(plan, Const) and plan.value is MISSING)
        }
        lines = ["def resolve(event):", f"    out = {ns.bind(skeleton, 'skeleton')}.copy()"]
        for key, plan in plans:
            if not isinstance(plan, Const):
                lines += values.lines(plan, absent)
                lines += [f"    if v is {absent}:", f"        del out[{key!r}]", "    else:", f"        out[{key!r}] = v"]
        return ns.compile("resolve", [*lines, "    return out"], kind=kind)
    absent = ns.bind(MISSING, "MISSING")
    if values is None:
        lines = ["def level(p, errors, path, title):", "    g = p.get", "    out = {}"]
        lines.append("    mark = 0" if root else "    mark = len(errors)")
    else:
        lines = ["def build(event):", "    errors = []", "    path = title = ''", "    out = {}", "    mark = 0"]
    mapped = dict(plans or ())
    for field in fields:
        if values is None:
            lines.append(f"    v = g({field.key!r}, {absent})")
        else:
            source = mapped.get(field.key)
            if isinstance(source, Const) and source.value is not MISSING:
                errors: list[str] = []
                value = _FieldCheck(field, root=True)(source.value, errors, "")
                if not errors and value is not MISSING:
                    lines.append(f"    out[{field.key!r}] = {ns.bind(value, 'V')}")
                    continue
            if source is None and not field.required:
                continue  # not mapped, not required: nothing to do per event
            lines += [f"    v = {absent}"] if source is None else values.lines(source, absent)
        lines += _check_lines(field, ns, absent, root=root)
    if values is not None:
        lines += ["    if errors:", "        raise PayloadValidationError(errors)"]
    elif not root:  # copy-on-write: hand back the input object itself when nothing changed
        lines += [
            "    if len(out) != len(p):", "        return out",
            "    for k, v in out.items():", "        if p[k] is not v:", "            return out",
            "    return p",
        ]
    return ns.compile("level" if values is None else "build", [*lines, "    return out"], kind=kind)


def _compile_level(fields: Sequence[Field], *, root: bool) -> _LevelFn:
    """The validator of one object level (see :func:`_generate`)."""
    kind = "payload validator" if root else "validator of an object field"
    return cast(_LevelFn, _generate(fields, None, root=root, kind=kind))


def compile_resolve(plans: Sequence[tuple[str, ValuePlan]]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A mapping's ``resolve(event)``: the payload its plans give, in mapping order, absent
    keys omitted (the mapping half of :func:`_generate`)."""
    return cast(Callable[[Mapping[str, Any]], dict[str, Any]], _generate(None, plans, root=True, kind="mapping resolve"))


def compile_payload_builder(
    fields: Sequence[Field], plans: Sequence[tuple[str, ValuePlan]], *, label: str = "a mapping"
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """One generated function that maps *and* validates an event: ``validate(resolve(e))``
    for a mapping's plans (:attr:`actions_core.mapping.mapping.CompiledMapping.plans`).
    Raises :class:`PayloadValidationError` like :meth:`PayloadValidator.validate`; ``label``
    names the mapping in tracebacks."""
    builder = _generate(fields, plans, root=True, kind=f"payload builder for {label}")
    return cast(Callable[[Mapping[str, Any]], dict[str, Any]], builder)


# --------------------------------------------------------------------------------- public


class PayloadValidator:
    """The compiled validator of one action's payloads (build it once, with
    :func:`compile_validator`)."""

    __slots__ = ("_level", "fields")

    def __init__(self, fields: Sequence[Field]) -> None:
        self.fields = tuple(fields)
        self._level = _compile_level(self.fields, root=True)

    @property
    def schema(self) -> dict[str, Any]:
        return fields_to_schema(self.fields)

    def clean(self, payload: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """The cleaned payload and every message, without raising (values that failed stay in
        place, so the result fails :attr:`schema` exactly when there are messages)."""
        errors: list[str] = []
        return self._level(payload, errors, "", ""), errors

    def validate(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The cleaned payload; raises :class:`PayloadValidationError` with every message."""
        errors: list[str] = []
        out = self._level(payload, errors, "", "")
        if errors:
            raise PayloadValidationError(errors)
        return out


def compile_validator(fields: Sequence[Field]) -> PayloadValidator:
    """Build the validator of an action's payloads; do it once per action, not per event.
    Fields that use conditions, limits, formats or open objects get the extended validator
    (:mod:`actions_core.validation.extended`), the others the generated fast one."""
    from actions_core.validation.extended import ExtendedValidator, needs_extended

    return ExtendedValidator(fields) if needs_extended(fields) else PayloadValidator(fields)


def validate_settings(fields: Sequence[Field], settings: Mapping[str, Any]) -> dict[str, Any]:
    """Destination settings, cleaned by the payload rules, with literal defaults filled in for
    missing optional settings; raises :class:`SettingsValidationError`."""
    out, errors = compile_validator(fields).clean(dict(settings))
    for field in fields:
        if field.key not in out and not field.required and _is_literal(field.default):
            value = _FieldCheck(field, root=True)(copy.deepcopy(field.default), errors, "")
            if value is not MISSING:
                out[field.key] = value
    if errors:
        raise SettingsValidationError(errors)
    return out


__all__ = [
    "SCHEMA_DIALECT",
    "PayloadValidator",
    "compile_payload_builder",
    "compile_resolve",
    "compile_validator",
    "fields_to_schema",
    "is_date_time",
    "validate_settings",
]
