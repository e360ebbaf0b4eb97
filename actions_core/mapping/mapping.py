"""Mappings: field mapping values compiled once at load time, resolved per event.

A mapping says how an action's payload is built from an event: field key -> mapping value,
where a value is a JSON literal or a directive object with one ``@`` key (``@path``, ``@if``,
``@template``, ``@literal``, ``@case``, ``@replace``, ``@json``, ``@merge``, ``@arrayPath``,
``@flatten``, ``@excludeWhenNull``, ``@transform``, ``@liquid``; framework.md, "Mappings"). Semantics
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

from actions_core.codegen import compile_function
from actions_core.errors import MappingError
from actions_core.mapping.compiler import (
    INLINE_PATHS,
    MISSING,
    Compiler,
    Resolver,
    describe,
    split_entries,
    to_resolver,
)
from actions_core.mapping.directives import DIRECTIVES

__all__ = ["MISSING", "CompiledMapping", "Resolver", "compile_mapping", "compile_value"]


class CompiledMapping:
    """A compiled field mapping; :meth:`resolve` builds one payload per event.

    ``resolve`` is generated once per mapping (:func:`_generate_resolve`): one function whose
    body does every field's work in mapping order, with plain paths and ``a || b`` over plain
    paths written out as ``dict.get`` chains, so the per-event path makes one call, not one
    per field. :meth:`value_source` hands the same code to the payload validator, which
    generates mapping and validation as one function
    (:func:`actions_core.validation.validator.compile_payload_builder`).
    """

    __slots__ = ("_resolvers", "constants", "keys", "resolve")

    def __init__(
        self,
        keys: tuple[str, ...],
        skeleton: dict[str, Any],
        dynamic: tuple[tuple[str, Resolver], ...],
    ) -> None:
        self.keys = keys
        """Every mapped field key, in mapping order (including ones that are always absent)."""
        self._resolvers = dict(dynamic)
        self.constants: Mapping[str, Any] = {
            k: v for k, v in skeleton.items() if k not in self._resolvers
        }
        """Fields whose value is known at load time (literals and constant-folded directives)."""
        self.resolve: Callable[[Mapping[str, Any]], dict[str, Any]] = _generate_resolve(
            skeleton, dynamic
        )
        """``resolve(event)``: the payload for ``event``, keys in mapping order, absent ones
        omitted. Never raises on a JSON event. The dict is new, but its values may be the
        event's own objects or constants shared between payloads: do not mutate them."""

    def value_source(self, key: str, names: dict[str, Any]) -> list[str] | None:
        """Source lines setting ``v`` to field ``key``'s value for ``event``, or to the name
        ``M`` (which the caller binds) when absent; ``None`` when the mapping leaves ``key``
        out. Names the lines use are added to ``names``, prefixed ``map_``."""
        if key in self.constants:
            name = f"map_c{len(names)}"
            names[name] = self.constants[key]
            return [f"    v = {name}"]
        if key in self._resolvers:
            names["map_MISSING"] = MISSING
            return _value_lines(self._resolvers[key], names, absent="M")
        return None if key not in self.keys else ["    v = M"]

    def __repr__(self) -> str:
        return f"CompiledMapping(keys={self.keys!r})"


def _value_lines(resolver: Resolver, names: dict[str, Any], *, absent: str) -> list[str]:
    """Lines (indented four) that set ``v`` to ``resolver``'s value for ``event``, or to the
    name ``absent``: inline ``dict.get`` chains for plain paths and ``a || b`` over them,
    else a call (``map_MISSING`` must be bound to :data:`MISSING`)."""
    chains = INLINE_PATHS.get(resolver)
    if chains is None:
        name = f"map_r{len(names)}"
        names[name] = resolver
        return [f"    v = {name}(event)", "    if v is map_MISSING:", f"        v = {absent}"]
    paths = names.get(_PATHS)
    if paths is None:
        paths = names[_PATHS] = _PathCode(names)
    lines: list[str] = []
    for position, chain in enumerate(chains):
        if position:  # JMESPath ``||``: the next alternative when this one is false
            lines.append(
                "    if v is None or v is False or (isinstance(v, (str, list, dict)) and not v):"
            )
            lines += paths.lookup(chain, "        ", shared=False)
        else:
            lines += paths.lookup(chain, "    ", shared=True)
    return [*lines, "    if v is None:", f"        v = {absent}"]


_PATHS = "map_paths"
"""Where a generated function's namespace keeps its :class:`_PathCode`."""


class _PathCode:
    """The path lookups written so far into one generated function.

    Fields that share a path prefix (``context.personas.computation_id`` and ``..._key``) read
    the prefix once per event: each prefix that unconditional code reads gets a local name
    the later lookups start from. A step writes ``x.get(k) or E`` (``E`` an empty mapping),
    so an absent or empty object on the way is an ordinary value rather than a raised
    ``AttributeError``; only a non-object that is not empty (a string, say) raises, which
    gives null as before. Null, false, ``0`` and empty values have no keys, so reading them
    through ``E`` gives what JMESPath gives: null.
    """

    def __init__(self, names: dict[str, Any]) -> None:
        names["map_E"] = MappingProxyType({})
        self._shared: dict[tuple[str, ...], str] = {(): "event"}

    def lookup(self, chain: tuple[str, ...], indent: str, *, shared: bool) -> list[str]:
        """Lines setting ``v`` to the value at ``chain`` (``None`` when absent). ``shared``:
        the lines run whenever the function does, so the prefixes they read can be reused."""
        if not chain:
            return [f"{indent}v = event"]
        start = max(i for i in range(len(chain)) if chain[:i] in self._shared)
        base = self._shared[chain[:start]]
        lines: list[str] = []
        for end in range(start + 1, len(chain)):
            name = f"map_p{len(self._shared)}" if shared else f"map_q{end}"
            lines += _guarded(indent, f"{name} = {base}.get({chain[end - 1]!r}) or map_E", name)
            if shared:
                self._shared[chain[:end]] = name
            base = name
        return lines + _guarded(indent, f"v = {base}.get({chain[-1]!r})", "v")


def _guarded(indent: str, statement: str, target: str) -> list[str]:
    """``statement``, with ``target`` set to its no-value when a non-object is read."""
    fallback = "None" if target == "v" else "map_E"
    return [
        f"{indent}try:",
        f"{indent}    {statement}",
        f"{indent}except AttributeError:",
        f"{indent}    {target} = {fallback}",
    ]


def _generate_resolve(
    skeleton: dict[str, Any], dynamic: tuple[tuple[str, Resolver], ...]
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """Write and compile the payload builder of one mapping.

    Only ``repr`` of field keys and path keys (all ``str``) goes into the source; resolvers
    and constants are passed in as names. Semantics are the resolvers' own: a path gives
    absent on null or on a non-object on the way; ``a || b`` takes ``b`` when ``a`` is
    JMESPath-false (null, false, or an empty string, array or object; 0 is true).
    """
    names: dict[str, Any] = {"_skeleton": skeleton, "map_MISSING": MISSING}
    body = ["def resolve(event):", "    out = _skeleton.copy()"]
    for key, resolver in dynamic:
        field = repr(key)
        body += _value_lines(resolver, names, absent="map_MISSING")
        body += [
            "    if v is map_MISSING:",
            f"        del out[{field}]",
            "    else:",
            f"        out[{field}] = v",
        ]
    body.append("    return out")
    resolve: Callable[[Mapping[str, Any]], dict[str, Any]] = compile_function(
        "resolve", body, names, kind="mapping resolve"
    )
    return resolve


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
