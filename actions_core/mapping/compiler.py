"""The mapping compiler's core: the walk over a mapping value, the argument checks and their
reference error texts, and the building blocks directives compile into.

A compiled value is a :data:`Node`: :class:`Const` (known at load time, so resolving costs
nothing), :class:`Path` (a ``@path`` of plain field chains, which generated code reads inline),
or a :data:`Resolver` closure ``(event) -> value | MISSING``. The directives
themselves live in :mod:`actions_core.mapping.directives`; :mod:`actions_core.mapping.mapping` wires
the two together and is the public entry point.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from actions_core import paths
from actions_core.errors import ExpressionError, MappingProblem
from actions_core.json_types import json_type, with_article
from actions_core.mapping.jmespath_compiler import compile_expression
from actions_core.missing import MISSING

__all__ = [
    "ABSENT",
    "MISSING",
    "REPORTED",
    "Compiler",
    "Const",
    "Handler",
    "Node",
    "Path",
    "Resolver",
    "describe",
    "fold",
    "jmespath_text",
    "key_getter",
    "kind_of",
    "path_node",
    "path_resolver",
    "split_entries",
    "to_resolver",
]


Resolver = Callable[[Any], Any]
"""A compiled mapping value: ``resolver(event)`` is the value or :data:`MISSING`."""


@dataclass(frozen=True, slots=True)
class Const:
    """A value known at load time: literals, and directives whose inputs are all literal."""

    value: Any


@dataclass(frozen=True, slots=True)
class Path:
    """A ``@path`` whose JMESPath is plain field chains joined by ``||`` (one chain: a plain
    path such as ``traits.email``), so generated code can read it with inline ``dict.get``
    calls. ``resolver`` computes the same value as a closure. Null means absent, as for every
    path; ``a || b`` takes ``b`` when ``a`` is JMESPath-false (null, false, or an empty string,
    array or object; 0 is true)."""

    chains: tuple[tuple[str, ...], ...]
    resolver: Resolver


Node = Resolver | Const | Path
Handler = Callable[["Compiler", Any, str], Node]
"""Compiles one directive's argument found at a location (``/f/@if``)."""

ABSENT: Final = Const(MISSING)


class _Reported(enum.Enum):
    REPORTED = "REPORTED"


REPORTED: Final = _Reported.REPORTED
"""Stands in for a required option that is missing (already reported)."""


def to_resolver(node: Node) -> Resolver:
    if isinstance(node, Const):
        value = node.value
        return lambda _event: value
    if isinstance(node, Path):
        return node.resolver
    return node


def fold(resolver: Resolver, *inputs: Node) -> Node:
    """A directive whose inputs are all constant is evaluated once, at load time."""
    if all(isinstance(node, Const) for node in inputs):
        return Const(resolver(None))
    return resolver


def kind_of(value: Any) -> str:
    """The reference's type names (JSON's), with ``directive`` for an object that has an
    ``@`` key."""
    kind = json_type(value)
    if kind == "object" and any(isinstance(k, str) and k.startswith("@") for k in value):
        return "directive"
    return kind


_a = with_article


def describe(value: Any) -> str:
    """``a string``, ``an array``, ``a directive``: how the reference's errors name a type
    (``a null`` too: unlike other messages, the reference's mapping errors use an article)."""
    return _a(kind_of(value))


def jmespath_text(path: str) -> str:
    """Segment's root syntax on top of JMESPath: ``$`` and ``$.`` are the current node (the
    reference reads ``$.`` as the root too), ``$.x`` is ``x``."""
    if path in ("$", "$."):
        return "@"
    return path[2:] if path.startswith("$.") else path


class Compiler:
    """Walks a mapping value, collecting every problem and returning compiled nodes.

    A part that fails compiles to "absent", so the walk goes on and reports every problem;
    the caller raises when :attr:`problems` is not empty.
    """

    def __init__(self, directives: Mapping[str, Handler]) -> None:
        self.directives = directives
        self.problems: list[MappingProblem] = []

    def fail(self, location: str, message: str) -> Const:
        end = "" if message.endswith(".") else "."
        self.problems.append(MappingProblem(location or "/", message + end))
        return ABSENT

    # ------------------------------------------------------------------ values and shapes

    def value(self, value: Any, loc: str) -> Node:
        """Any mapping value: a literal, an object or array of values, or a directive."""
        if value is REPORTED:
            return ABSENT
        kind = kind_of(value)
        if kind == "directive":
            return self.directive(value, loc)
        if kind == "object":
            return self.object(value, loc)
        if kind == "array":
            return self.array(value, loc)
        if kind in ("string", "number", "boolean", "null"):
            return Const(value)
        return self.fail(loc, f"should be a mapping directive or a JSON value but it is {_a(kind)}")

    def members(self, obj: Mapping[Any, Any], loc: str) -> list[tuple[str, Node]]:
        entries: list[tuple[str, Node]] = []
        for key, member in obj.items():
            if not isinstance(key, str):
                self.fail(loc, f"should have string keys but it has {key!r}")
                continue
            entries.append((key, self.value(member, f"{loc}/{key}")))
        return entries

    def object(self, obj: Mapping[Any, Any], loc: str) -> Node:
        """Member by member; a member that resolves absent is dropped."""
        entries = self.members(obj, loc)
        skeleton, dynamic = split_entries(entries)
        if not dynamic:
            return Const(skeleton)

        def resolve_object(event: Any) -> Any:
            out = skeleton.copy()
            for key, resolver in dynamic:
                value = resolver(event)
                if value is MISSING:
                    del out[key]
                else:
                    out[key] = value
            return out

        return resolve_object

    def array(self, items: list[Any], loc: str) -> Node:
        """Item by item; an item that resolves absent becomes ``null`` (keeps positions)."""
        nodes = [self.value(item, f"{loc}/{i}") for i, item in enumerate(items)]
        if all(isinstance(node, Const) for node in nodes):
            return Const(
                [None if n.value is MISSING else n.value for n in nodes if isinstance(n, Const)]
            )
        resolvers = [to_resolver(node) for node in nodes]

        def resolve_array(event: Any) -> Any:
            return [None if (v := r(event)) is MISSING else v for r in resolvers]

        return resolve_array

    def directive(self, obj: Mapping[str, Any], loc: str) -> Node:
        keys = list(obj)
        names = [k for k in keys if isinstance(k, str) and k.startswith("@")]
        if len(names) > 1:
            return self.fail(
                loc, f"should only have one @-prefixed key but it has {len(names)} keys"
            )
        if any(k not in names and k != "_metadata" for k in keys):
            return self.fail(
                loc, f"should only have one @-prefixed key but it has {len(keys)} keys"
            )
        name = names[0]
        handler = self.directives.get(name)
        if handler is None:
            return self.fail(loc, f"has an invalid directive: {name}")
        return handler(self, obj[name], f"{loc}/{name}")

    # ------------------------------------------------------------------ argument checks

    def options(self, value: Any, loc: str, *required: str) -> Mapping[str, Any] | None:
        """A directive's options object, or ``None`` (after reporting) when it is not one.

        A missing required key is reported here and filled with :data:`REPORTED`, which the
        other checks accept silently, so the rest of the options are still checked.
        """
        kind = kind_of(value)
        if kind != "object":
            self.fail(loc, f"should be an object but it is {_a(kind)}")
            return None
        missing = [key for key in required if key not in value]
        for key in missing:
            self.fail(loc, f'should have field "{key}" but it doesn\'t')
        return {**value, **dict.fromkeys(missing, REPORTED)} if missing else value

    def string_or_directive(self, value: Any, loc: str) -> Node:
        if value is REPORTED:
            return ABSENT
        kind = kind_of(value)
        if kind not in ("string", "directive"):
            return self.fail(loc, f"should be a string or a mapping directive but it is {_a(kind)}")
        return self.value(value, loc)

    def object_or_directive(self, value: Any, loc: str) -> Node:
        if value is REPORTED:
            return ABSENT
        kind = kind_of(value)
        if kind not in ("object", "directive"):
            # "a object" (sic) is the reference's wording.
            return self.fail(loc, f"should be a object or a mapping directive but it is {_a(kind)}")
        return self.value(value, loc)

    def string(
        self, value: Any, loc: str, min_len: int = 0, max_len: int | None = None
    ) -> str | None:
        if value is REPORTED:
            return None
        kind = kind_of(value)
        if kind != "string":
            self.fail(loc, f"should be a string but it is {_a(kind)}")
            return None
        if len(value) < min_len:
            self.fail(loc, f"should be a string of length {min_len} or greater")
            return None
        if max_len is not None and len(value) > max_len:
            self.fail(loc, f"should be a string of length {max_len} or less")
            return None
        return str(value)

    def choice(self, value: Any, loc: str, *allowed: str) -> str | None:
        """One of ``allowed``, case-insensitively (as the reference's check is)."""
        text = self.string(value, loc)
        if text is None:
            return None
        if text.lower() not in allowed:
            self.fail(loc, f"should be one of {', '.join(allowed)} but it is {json.dumps(text)}")
            return None
        return text.lower()

    def boolean(self, options: Mapping[str, Any], key: str, loc: str, default: bool) -> bool:
        value = options.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(f"{loc}/{key}", f"should be a boolean but it is {_a(kind_of(value))}")
            return default
        return value

    def expression(self, path: str, loc: str) -> Node:
        """A JMESPath ``@path`` text; problems name the expression and quote jmespath."""
        try:
            return path_node(jmespath_text(path))
        except ExpressionError as exc:
            for message in exc.messages:
                self.fail(loc, f"has an invalid JMESPath expression {json.dumps(path)}: {message}")
            return ABSENT


def split_entries(
    entries: list[tuple[str, Node]],
) -> tuple[dict[str, Any], tuple[tuple[str, Resolver], ...]]:
    """An object's members as a skeleton (constants in place, ``None`` placeholders for the
    rest, in member order; constant-absent members left out) and the dynamic members."""
    skeleton = {
        key: (node.value if isinstance(node, Const) else None)
        for key, node in entries
        if not (isinstance(node, Const) and node.value is MISSING)
    }
    dynamic = tuple(
        (key, to_resolver(node)) for key, node in entries if not isinstance(node, Const)
    )
    return skeleton, dynamic


def path_node(expression: str) -> Node:
    """A compiled JMESPath expression: a :class:`Path` when it is plain field chains joined
    by ``||``, else a resolver (null -> absent); raises :class:`ExpressionError` when it is
    invalid."""
    compiled = compile_expression(expression)
    if compiled.keys is not None:
        getter = key_getter(compiled.keys)
        return Path((compiled.keys,), getter) if compiled.keys else getter
    search = compiled.search

    def path_value(event: Any) -> Any:
        value = search(event)
        return MISSING if value is None else value

    if compiled.alternatives is not None:
        return Path(compiled.alternatives, path_value)
    return path_value


def path_resolver(expression: str) -> Resolver:
    """A compiled JMESPath expression as a resolver (null -> absent); raises
    :class:`ExpressionError` when it is invalid."""
    return to_resolver(path_node(expression))


def key_getter(keys: tuple[str, ...]) -> Resolver:
    """``a.b.c`` as direct ``dict.get`` calls, the hot path of most mappings. A non-object on
    the way, a missing key or ``null`` give :data:`MISSING`."""
    return paths.key_getter(keys, MISSING)
