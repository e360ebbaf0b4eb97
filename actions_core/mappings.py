"""Mappings: field mapping values compiled once at load time, resolved per event.

A mapping says how an action's payload is built from an event: field key -> mapping value,
where a value is a JSON literal or a directive object with one ``@`` key (``@path``, ``@if``,
``@template``, ``@literal``, ``@case``, ``@replace``, ``@json``, ``@merge``, ``@arrayPath``,
``@flatten``, ``@excludeWhenNull``, ``@transform``; framework.md, "Mappings"). Semantics
and error texts follow Segment's mapping-kit, except that ``@path`` takes JMESPath, where a
leading ``$.`` (Segment's syntax) still means the root and ``$`` alone is the whole event.

Load time does all the work. :func:`compile_mapping` checks every value and reports *every*
problem at once (:class:`~actions_core.errors.MappingError`, each problem located like
``/user_email/@if/then``): unknown directives, a directive mixed with other keys, bad
directive arguments, JMESPath syntax errors, unknown JMESPath functions or arities. It parses
each expression and template once, folds constant parts, and turns the rest into closures.
Resolving then only calls closures: a plain ``@path`` is a chain of ``dict.get`` calls,
``a || b`` runs on closures from :mod:`actions_core.jmespath_compiler`, and a literal field
costs nothing.

Absent is :data:`MISSING`, not JSON ``null``: a ``@path`` that finds nothing or ``null``, or
whose JMESPath fails at run time (a function given the wrong type, say), is absent, and so is
a payload key resolving to it. An object member that resolves absent is dropped; an array
item that resolves absent becomes ``null`` (what the reference sends, since JSON has no
``undefined``), so positions are kept. Resolution never raises on a JSON event.

Nothing is copied per event: resolved values may be the event's own objects, or constants
shared by every payload the mapping produces. Downstream code must not mutate them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from actions_core.errors import MappingError
from actions_core.mapping_compiler import (
    MISSING,
    Compiler,
    Resolver,
    describe,
    split_entries,
    to_resolver,
)
from actions_core.mapping_directives import DIRECTIVES

__all__ = ["MISSING", "CompiledMapping", "Resolver", "compile_mapping", "compile_value"]


class CompiledMapping:
    """A compiled field mapping; :meth:`resolve` builds one payload per event."""

    __slots__ = ("_dynamic", "_skeleton", "keys")

    def __init__(
        self,
        keys: tuple[str, ...],
        skeleton: dict[str, Any],
        dynamic: tuple[tuple[str, Resolver], ...],
    ) -> None:
        self.keys = keys
        """Every mapped field key, in mapping order (including ones that are always absent)."""
        self._skeleton = skeleton
        self._dynamic = dynamic

    def resolve(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The payload for ``event``: keys in mapping order, absent ones omitted.

        Never raises on a JSON event. The dict is new, but its values may be the event's own
        objects or constants shared between payloads: do not mutate them.
        """
        out = self._skeleton.copy()  # constant fields in place, placeholders for the rest
        for key, resolver in self._dynamic:
            value = resolver(event)
            if value is MISSING:
                del out[key]
            else:
                out[key] = value
        return out

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
    skeleton, dynamic = split_entries(entries)
    return CompiledMapping(tuple(key for key, _ in entries), skeleton, dynamic)


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
