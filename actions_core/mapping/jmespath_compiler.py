"""JMESPath expressions compiled into closures, for the ``@path`` mapping directive.

``jmespath.search`` re-walks the parsed tree for every event through a generic visitor. The
expressions that mappings actually use are small (``context.traits.email``,
``traits.email || context.traits.email``), so :func:`compile_expression` turns the common node
types (field, subexpression, index, pipe, ``||``, ``&&``, ``!``, literal, ``@``) into Python
closures with jmespath's exact semantics, and hands every other subtree (projections,
filters, functions, multi-selects, comparisons, slices) to jmespath's own tree interpreter.
The tree interpreter is compositional, so a mixed tree evaluates exactly like
``jmespath.search`` would.

Load-time checks: a syntax error, an unknown function or a wrong number of arguments is
reported by :class:`ExpressionError` (jmespath itself only notices the last two per event).
At run time the compiled ``search`` never raises: an error inside jmespath (say, ``length``
given a number) makes the result ``None``, JMESPath's null.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jmespath
from jmespath import exceptions as jmespath_exceptions
from jmespath.functions import Functions
from jmespath.visitor import TreeInterpreter

from actions_core.errors import ExpressionError
from actions_core.paths import key_getter

__all__ = ["CompiledExpression", "compile_expression", "is_false"]

Search = Callable[[Any], Any]
"""A compiled expression: takes a JSON value, returns the result (``None`` is null)."""

Node = dict[str, Any]

# One interpreter serves every fallback: it keeps no per-search state (only a cache of
# visit methods), unlike ``ParsedResult.search``, which builds a new one for each call.
_INTERPRETER = TreeInterpreter()
_FUNCTIONS: dict[str, dict[str, Any]] = Functions.FUNCTION_TABLE
# Tuples, not ``str | list | dict``: isinstance is faster with a tuple (hot path).
_SIZED = (str, list, dict)
_NUMBERS = (int, float)


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    """A compiled expression.

    ``search`` evaluates it against a value and never raises. ``keys`` is set when the
    expression is a plain chain of field names (``a.b.c`` -> ``("a", "b", "c")``, ``@`` ->
    ``()``), so a caller can do its own dict lookups; ``alternatives`` likewise when it is
    ``a.b || c.d || ...`` over such chains (the mapping compiler inlines both); ``native`` is
    false when part of the tree runs on jmespath's interpreter.
    """

    expression: str
    search: Search
    keys: tuple[str, ...] | None
    native: bool
    alternatives: tuple[tuple[str, ...], ...] | None = None


def is_false(value: Any) -> bool:
    """JMESPath falsiness: null, false, and the empty string, array and object (not 0)."""
    return value is None or value is False or (isinstance(value, _SIZED) and not value)


def compile_expression(expression: str) -> CompiledExpression:
    """Parse and compile ``expression``; raises :class:`ExpressionError` if it is invalid."""
    try:
        tree: Node = jmespath.compile(expression).parsed
    except jmespath_exceptions.JMESPathError as exc:
        raise ExpressionError([_one_line(exc)]) from None
    except RecursionError:
        raise ExpressionError(["the expression is nested too deeply"]) from None
    problems = [problem for node in _walk(tree) if (problem := _check_function(node))]
    if problems:
        raise ExpressionError(problems)
    keys = _field_chain(tree)
    if keys is not None:
        return CompiledExpression(expression, key_getter(keys), keys, native=True)
    fallback = [False]
    search = _compile(tree, fallback)
    if fallback[0]:
        search = _never_raise(search)
    return CompiledExpression(
        expression, search, None, native=not fallback[0], alternatives=_or_chains(tree)
    )


def _or_chains(node: Node) -> tuple[tuple[str, ...], ...] | None:
    """``a.b || c || d.e`` as its field chains, in order; ``None`` for anything else."""
    if node["type"] != "or_expression":
        keys = _field_chain(node)
        return None if keys is None or not keys else (keys,)
    left, right = (_or_chains(child) for child in node["children"])
    return None if left is None or right is None else left + right


# --------------------------------------------------------------------------- load-time checks


def _one_line(exc: Exception) -> str:
    """jmespath's message without the echoed expression and caret lines."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return first.removesuffix(", for expression:").rstrip(":")


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.get("children", ()):
        if isinstance(child, dict):
            yield from _walk(child)


def _check_function(node: Node) -> str | None:
    """The problem with a function call (unknown name, wrong arity), in jmespath's words."""
    if node.get("type") != "function_expression":
        return None
    name: str = node["value"]
    spec = _FUNCTIONS.get(name)
    if spec is None:
        return f"Unknown function: {name}()"
    signature = spec["signature"]
    given = len(node["children"])
    if signature and signature[-1].get("variadic"):
        if given < len(signature):
            return str(jmespath_exceptions.VariadictArityError(len(signature), given, name))
    elif given != len(signature):
        return str(jmespath_exceptions.ArityError(len(signature), given, name))
    return None


# --------------------------------------------------------------------------- compilation


def _field_chain(node: Node) -> tuple[str, ...] | None:
    """``a.b.c`` as ``("a", "b", "c")``; ``@`` as ``()``; anything else ``None``."""
    kind = node["type"]
    if kind == "current":
        return ()
    if kind == "field":
        return (node["value"],)
    if kind == "subexpression":
        keys: list[str] = []
        for child in node["children"]:
            sub = _field_chain(child)
            if sub is None:
                return None
            keys.extend(sub)
        return tuple(keys)
    return None


def _identity(value: Any) -> Any:
    return value


def _compile(node: Node, fallback: list[bool]) -> Search:
    """A closure for ``node``; unsupported subtrees run on jmespath's interpreter."""
    kind = node["type"]
    keys = _field_chain(node)
    if keys is not None:
        return key_getter(keys)
    children: list[Node] = node["children"]
    if kind in ("subexpression", "index_expression", "pipe"):
        return _sequence([_compile(child, fallback) for child in children])
    if kind == "index":
        return _index(node["value"])
    if kind == "literal":
        constant = node["value"]
        return lambda _value: constant
    if kind == "identity":
        return _identity
    if kind == "or_expression":
        return _or(_compile(children[0], fallback), _compile(children[1], fallback))
    if kind == "and_expression":
        return _and(_compile(children[0], fallback), _compile(children[1], fallback))
    if kind == "not_expression":
        return _not(_compile(children[0], fallback))
    fallback[0] = True
    visit = _INTERPRETER.visit
    return lambda value: visit(node, value)


def _sequence(steps: list[Search]) -> Search:
    if len(steps) == 1:
        return steps[0]
    if len(steps) == 2:
        first, second = steps
        return lambda value: second(first(value))

    def run(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value

    return run


def _index(position: int) -> Search:
    def index(value: Any) -> Any:
        if not isinstance(value, list):
            return None
        try:
            return value[position]
        except IndexError:
            return None

    return index


def _or(left: Search, right: Search) -> Search:
    def or_(value: Any) -> Any:
        matched = left(value)
        if matched is None or matched is False or (isinstance(matched, _SIZED) and not matched):
            return right(value)
        return matched

    return or_


def _and(left: Search, right: Search) -> Search:
    def and_(value: Any) -> Any:
        matched = left(value)
        return matched if is_false(matched) else right(value)

    return and_


def _not(operand: Search) -> Search:
    def not_(value: Any) -> Any:
        result = operand(value)
        # jmespath's own rule: Python truthiness, except that a numeric 0 is truthy.
        if isinstance(result, _NUMBERS) and not isinstance(result, bool) and result == 0:
            return False
        return not result

    return not_


def _never_raise(search: Search) -> Search:
    """Errors jmespath raises at run time (a function given the wrong type, ...) -> null."""

    def guarded(value: Any) -> Any:
        try:
            return search(value)
        except Exception:
            return None

    return guarded
