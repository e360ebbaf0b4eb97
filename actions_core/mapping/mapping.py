"""Mappings: field mapping values compiled once at load time, resolved per event.

A mapping says how an action's payload is built from an event: field key -> mapping value,
where a value is a JSON literal or a directive object with one ``@`` key (``@path``, ``@if``,
``@template``, ``@literal``, ``@case``, ``@replace``, ``@json``, ``@merge``, ``@arrayPath``,
``@flatten``, ``@excludeWhenNull``, ``@transform``, ``@liquid``; docs/framework.md#mappings). Semantics
and error texts follow Segment's mapping-kit, except that ``@path`` takes JMESPath, where a
leading ``$.`` (Segment's syntax) still means the root and ``$`` alone is the whole event.

Load time does all the work. :func:`compile_mapping` checks every value and reports *every*
problem at once (:class:`~actions_core.errors.MappingError`, each problem located like
``/user_email/@if/then``): unknown directives, a directive mixed with other keys, bad
directive arguments, JMESPath syntax errors, unknown JMESPath functions or arities. It parses
each expression and template once, folds constant parts, and turns the rest into closures.
Resolving then only calls closures: a plain ``@path`` is a chain of ``dict.get`` calls,
``a || b`` runs on closures from :mod:`actions_core.mapping.jmespath_compiler`, and a literal field
costs nothing.

Absent is :data:`MISSING`, not JSON ``null``: a ``@path`` that finds nothing or ``null``, or
whose JMESPath fails at run time (a function given the wrong type, say), is absent, and so is
a payload key resolving to it. An object member that resolves absent is dropped; an array
item that resolves absent becomes ``null`` (what the reference sends, since JSON has no
``undefined``), so positions are kept. Resolution never raises on a JSON event, except
where a ``@liquid`` render fails (IntegrationError: the event is rejected with the reason).

Nothing is copied per event: resolved values may be the event's own objects, or constants
shared by every payload the mapping produces. Downstream code must not mutate them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from actions_core.errors import MappingError
from actions_core.mapping.compiler import Compiler, Const, Resolver, describe, to_resolver
from actions_core.mapping.directives import DIRECTIVES
from actions_core.mapping.plan import ValuePlan, plan_of
from actions_core.missing import MISSING
from actions_core.validation.validator import compile_resolve

__all__ = ["MISSING", "CompiledMapping", "Resolver", "compile_mapping", "compile_value"]


class CompiledMapping:
    """A compiled field mapping: per field, a typed :data:`~actions_core.mapping.plan.ValuePlan`
    saying how its value is computed (:attr:`plans`), and :meth:`resolve`.

    ``resolve`` is generated once per mapping by the payload generator
    (:func:`actions_core.validation.validator.compile_resolve`), the same code that writes the
    engine's fused map-and-validate function from these plans: one function whose body does
    every field's work in mapping order, with plain paths and ``a || b`` over plain paths
    written out as ``dict.get`` chains, so the per-event path makes one call, not one per field.
    """

    __slots__ = ("constants", "keys", "plans", "resolve")

    def __init__(self, plans: tuple[tuple[str, ValuePlan], ...]) -> None:
        self.plans = plans
        """Every mapped field key with its plan, in mapping order (``Const(MISSING)``: always
        absent)."""
        self.keys = tuple(key for key, _ in plans)
        """Every mapped field key, in mapping order (including ones that are always absent)."""
        self.constants: Mapping[str, Any] = MappingProxyType({
            key: plan.value
            for key, plan in plans
            if isinstance(plan, Const) and plan.value is not MISSING
        })
        """Fields whose value is known at load time (literals and constant-folded directives)."""
        self.resolve: Callable[[Mapping[str, Any]], dict[str, Any]] = compile_resolve(plans)
        """``resolve(event)``: the payload for ``event``, keys in mapping order, absent ones
        omitted. Never raises on a JSON event. The dict is new, but its values may be the
        event's own objects or constants shared between payloads: do not mutate them."""

    def plan(self, key: str) -> ValuePlan | None:
        """How field ``key``'s value is computed; ``None`` when the mapping leaves it out."""
        return next((plan for k, plan in self.plans if k == key), None)

    def __repr__(self) -> str:
        return f"CompiledMapping(keys={self.keys!r})"


def compile_mapping(mapping: Mapping[str, Any]) -> CompiledMapping:
    """Compile a field mapping (field key -> mapping value).

    Raises :class:`MappingError` listing every problem found, each located from the field
    key (``/user_email/@if/then``).
    """
    compiler = Compiler(DIRECTIVES)
    given: Any = mapping  # YAML can hand over anything
    if not isinstance(given, Mapping):
        compiler.fail("/", f"should be an object but it is {describe(given)}")
        raise MappingError(compiler.problems)
    for key in given:
        if isinstance(key, str) and key.startswith("@"):
            compiler.fail(
                "/", f"shouldn't have directive (@-prefixed) keys but it has {json.dumps(key)}"
            )
    entries = compiler.members(mapping, "")
    if compiler.problems:
        raise MappingError(compiler.problems)
    return CompiledMapping(tuple((key, plan_of(node)) for key, node in entries))


def compile_value(value: Any, location: str = "") -> Resolver:
    """Compile one mapping value (a field's default, say) into ``resolver(event)``, which
    returns the value or :data:`MISSING`.

    ``location`` prefixes problem locations (``/user_email``); raises :class:`MappingError`
    listing every problem found.
    """
    compiler = Compiler(DIRECTIVES)
    node = compiler.value(value, location)
    if compiler.problems:
        raise MappingError(compiler.problems)
    return to_resolver(node)
