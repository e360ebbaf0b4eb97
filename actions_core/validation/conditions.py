"""Conditionally required fields: when a :class:`Conditions` holds, and what it demands.

The reference turns ``required: {match, conditions}`` into JSON Schema ``if``/``then`` pairs
(``fieldsToJsonSchema``); ajv checks them before it coerces anything, so conditions compare
the values as mapped (after empty values are dropped), not as coerced. A condition on a field
inside an object field is written ``parent.child`` and is checked one level up, where its
parent lives; the field it makes required is named the same way. The JSON Schema written here
(:func:`condition_schema`) is the reference's; the evaluation (:class:`Requirement`)
reproduces what ajv does with it, including two of its quirks (docs/field-model.md): with a
single condition ``is`` / no value, ``null`` counts as absent, with several it counts as
present; and a dotted condition whose parent is not an object holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from actions_core.definitions import UNSET, Condition, Conditions, Field
from actions_core.js import js_equal
from actions_core.validation import messages as msg

Present = Callable[[Mapping[str, Any], str], bool]
"""``present(obj, key)``: whether ``obj[key]`` survives the empty-value clean-up."""

class Requirement:
    """One conditionally required field (``target``: ``key`` or ``parent.child``) of an object
    level, compiled once."""

    __slots__ = ("any", "child", "conditions", "parent", "present", "single")

    def __init__(self, target: str, conditions: Conditions, present: Present) -> None:
        self.parent, _, self.child = target.partition(".")
        self.conditions = conditions.conditions
        self.single = len(conditions.conditions) == 1
        self.any = conditions.match == "any"
        self.present = present

    def _holds(self, obj: Mapping[str, Any], c: Condition) -> bool:
        parent, dot, child = c.field_key.partition(".")
        if dot:  # `{properties: {parent: {properties: {child: const}, required: [child]}}}`
            if not self.present(obj, parent):
                return False
            inner = obj[parent]
            if not isinstance(inner, dict):
                return True  # object keywords do not apply to a non-object: the test passes
            if child not in inner:
                return False
            equal = c.value is not UNSET and js_equal(inner[child], c.value)
            return equal if c.operator == "is" else not equal
        there = self.present(obj, parent)
        if c.value is UNSET:
            if self.single:  # `anyOf: [not required, null]` / `allOf: [required, not null]`
                there = there and obj[parent] is not None
            return not there if c.operator == "is" else there
        if not there:
            return False
        equal = js_equal(obj[parent], c.value)
        return equal if c.operator == "is" else not equal

    def check(self, obj: Mapping[str, Any], path: str, errors: list[str]) -> None:
        """Add the reference's messages to ``errors`` when the conditions hold and the target
        is missing."""
        tests = (self._holds(obj, c) for c in self.conditions)
        if not (any(tests) if self.any else all(tests)):
            return
        before = len(errors)
        if not self.present(obj, self.parent):
            errors.append(msg.required_message(None, path, self.parent))
        elif self.child:
            inner = obj[self.parent]
            if isinstance(inner, dict) and inner.get(self.child) is None:
                pointer = self.parent.replace("~", "~0").replace("/", "~1")
                errors.append(msg.required_message(None, f"{path}/{pointer}", self.child))
        if len(errors) > before:
            errors.append(msg.then_message(path))


def requirements(fields: Sequence[Field], present: Present) -> tuple[Requirement, ...]:
    """The conditional requirements checked at the level of ``fields``: each object field's
    children's (as ``parent.child``) and then the field's own, in field order."""
    out: list[Requirement] = []
    for f in fields:
        for child in f.properties:
            if child.required_if is not None and not f.multiple:
                out.append(Requirement(f"{f.key}.{child.key}", child.required_if, present))
        if f.required_if is not None:
            out.append(Requirement(f.key, f.required_if, present))
    return tuple(out)


# ----------------------------------------------------------------------------- JSON Schema


def _value_schema(c: Condition) -> dict[str, Any]:
    return {"const": c.value} if c.operator == "is" else {"not": {"const": c.value}}


def _then(target: str) -> dict[str, Any]:
    parent, dot, child = target.partition(".")
    if not dot:
        return {"required": [parent]}
    return {"required": [parent], "properties": {parent: {"required": [child]}}}


def _test(c: Condition, single: bool) -> dict[str, Any]:
    parent, dot, child = c.field_key.partition(".")
    if dot:
        return {
            "properties": {parent: {"properties": {child: _value_schema(c)}, "required": [child]}},
            "required": [parent],
        }
    if c.value is not UNSET:
        return {"required": [parent], "properties": {parent: _value_schema(c)}}
    there: dict[str, Any] = {"required": [parent]}
    if not single:
        return {"not": there} if c.operator == "is" else there
    null = {"properties": {parent: {"type": "null"}}}
    if c.operator == "is":
        return {"anyOf": [{"not": there}, null]}
    return {"allOf": [there, {"not": null}]}


def condition_schema(target: str, conditions: Conditions) -> dict[str, Any]:
    """The ``if``/``then`` pair of one conditionally required field, as the reference writes it
    (a dotted target with several conditions is required inside its parent, see the module
    docstring)."""
    single = len(conditions.conditions) == 1
    tests = [_test(c, single) for c in conditions.conditions]
    test = tests[0] if single else {("anyOf" if conditions.match == "any" else "allOf"): tests}
    return {"if": test, "then": _then(target)}


def conditions_schema(fields: Sequence[Field]) -> list[dict[str, Any]]:
    """Every ``if``/``then`` pair of one object level (``allOf`` items), in check order."""
    out: list[dict[str, Any]] = []
    for f in fields:
        for child in f.properties:
            if child.required_if is not None and not f.multiple:
                out.append(condition_schema(f"{f.key}.{child.key}", child.required_if))
        if f.required_if is not None:
            out.append(condition_schema(f.key, f.required_if))
    return out


__all__ = ["Requirement", "condition_schema", "conditions_schema", "requirements"]
