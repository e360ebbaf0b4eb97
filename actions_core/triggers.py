"""FQL triggers: Segment's filter language, parsed once into a fast predicate.

A mapping's trigger (``type = "track" and event = "Signed Up"``) runs against every event, so
:func:`parse_trigger` does all the work at load time: a hand-written tokenizer, a
recursive-descent parser, and compilation of every node into a closure. Paths are pre-split
into key tuples and values are decoded, so :meth:`Trigger.matches` only calls closures that do
dict lookups and comparisons.

Grammar (``and`` binds tighter than ``or``; parentheses nest)::

    trigger   := or_expr END
    or_expr   := and_expr ("or" and_expr)*
    and_expr  := condition ("and" condition)*
    condition := "(" or_expr ")" | "!"? function | field OPERATOR value
    function  := ("contains" | "match") "(" field "," STRING ")"
    value     := STRING | NUMBER | "true" | "false" | "null"

A field is a dotted path (``properties.cart.total``); ``\\`` escapes one character in it
(``properties.a\\.b`` is the key ``a.b``), and a digit key indexes a list
(``properties.items.0.sku``). Strings take double or single quotes and the escapes ``\\"``,
``\\'``, ``\\\\``, ``\\n``, ``\\t``, ``\\r`` (any other backslash is kept as written).

Semantics are the reference's (``@segment/destination-subscriptions``), strict about types:
``= "s"`` needs that exact string and ``!= "s"`` is its negation (a missing field matches);
``= n``, ``!= n`` and ``<``, ``<=``, ``>``, ``>=`` need a number on the event (a boolean is
not one); ``= true``/``= false`` need a real boolean and ``!=`` negates that; ``= null`` means
absent or null, ``!= null`` means present and not null; ``contains``/``match`` and their ``!``
forms need a string. ``match`` takes a glob where ``*`` matches any run of characters.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from actions_core.errors import TriggerSyntaxError

__all__ = ["Trigger", "parse_trigger"]

Predicate = Callable[[Mapping[str, Any]], bool]
_Getter = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class Trigger:
    """A parsed trigger: ``text`` is the source, :meth:`matches` the compiled predicate."""

    text: str
    _predicate: Predicate = field(repr=False, compare=False)

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether ``event`` satisfies the trigger. Never raises: a non-mapping event, or any
        odd value at any path, is simply not a match."""
        try:
            return (type(event) is dict or isinstance(event, Mapping)) and self._predicate(event)
        except Exception:
            return False


def parse_trigger(text: str) -> Trigger:
    """Parse and compile an FQL trigger; raise :class:`TriggerSyntaxError` naming the column
    and what was expected, so a bad config fails at load time rather than per event."""
    return Trigger(text, _Parser(text).parse())


# ------------------------------------------------------------------------------ tokenizer

_OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_OPERATOR_HINTS = {"==": "=", "===": "=", "!==": "!=", "<>": "!=", "=>": ">=", "=<": "<="}
_CHAR_HINTS = {"&": " (write 'and')", "|": " (write 'or')"}
_WORDS = frozenset({"and", "or", "true", "false", "null"})
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CONDITION = "a condition (a comparison such as type = \"track\", contains(...), match(...) or '(')"
_VALUE = "a value (a string, number, true, false or null)"


class _Token(NamedTuple):
    """``kind`` is path, word, string, number, op, not, (, ), ",", end or error. For an error
    token, ``value`` is ``(expected, found)``, raised when the parser reaches it, so the
    first problem in the text is the one reported."""

    kind: str
    value: Any
    column: int
    raw: str


def _is_ident(char: str) -> bool:
    return char.isalnum() or char in "_-$\\"


def _tokenize(text: str) -> list[_Token]:
    """Split ``text`` into tokens, ending with an ``end`` token or an ``error`` token."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        char, start = text[i], i
        if char.isspace():
            i += 1
            continue
        if char in "(),":
            tokens.append(_Token(char, char, i + 1, char))
            i += 1
        elif char in "=!<>":
            while i < n and text[i] in "=!<>":
                i += 1
            op = text[start:i]
            tokens.append(_Token("not" if op == "!" else "op", op, start + 1, op))
        elif char in "\"'":
            i, value = i + 1, []
            while i < n and text[i] != char:
                if text[i] == "\\" and i + 1 < n:
                    value.append(_ESCAPES.get(text[i + 1], text[i : i + 2]))
                    i += 2
                else:
                    value.append(text[i])
                    i += 1
            if i >= n:
                expected = f"a closing {char} for the string that starts at column {start + 1}"
                return [*tokens, _Token("error", (expected, ""), start + 1, char)]
            i += 1
            tokens.append(_Token("string", "".join(value), start + 1, text[start:i]))
        elif char in "0123456789+-.":
            match = _NUMBER.match(text, i)
            i = match.end() if match else i + 1
            while i < n and (_is_ident(text[i]) or text[i] == "."):
                i += 1
            raw = text[start:i]
            if match is None or i != match.end() or len(raw) > 400:
                return [*tokens, _Token("error", ("a number", f", found {raw!r}"), start + 1, raw)]
            number = float(raw) if any(c in raw for c in ".eE") else int(raw)
            tokens.append(_Token("number", number, start + 1, raw))
        elif char.isalpha() or char in "_$\\":
            segments: list[str] = []
            escaped = False
            while True:
                segment: list[str] = []
                while i < n and _is_ident(text[i]):
                    if text[i] == "\\":
                        if i + 1 >= n:
                            expected = "a character after '\\' in a field name"
                            return [*tokens, _Token("error", (expected, ""), i + 1, "\\")]
                        segment.append(text[i + 1])
                        escaped, i = True, i + 2
                    else:
                        segment.append(text[i])
                        i += 1
                if not segment:
                    found = "" if i >= n else f", found {text[i]!r}"
                    expected = "a field name after '.'"
                    return [*tokens, _Token("error", (expected, found), i + 1, text[i : i + 1])]
                segments.append("".join(segment))
                if i < n and text[i] == ".":
                    i += 1
                    continue
                break
            raw = text[start:i]
            if not escaped and raw in _WORDS:
                tokens.append(_Token("word", raw, start + 1, raw))
            else:
                tokens.append(_Token("path", tuple(segments), start + 1, raw))
        else:
            expected = "a field, value, operator, parenthesis, 'and' or 'or'"
            found = f", found the character {char!r}{_CHAR_HINTS.get(char, '')}"
            return [*tokens, _Token("error", (expected, found), start + 1, char)]
    return [*tokens, _Token("end", None, n + 1, "")]


# --------------------------------------------------------------------------------- parser

_MAX_DEPTH = 100


class _Parser:
    """Recursive descent over the token list; each method returns a compiled predicate."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0
        self.equalities: dict[Predicate, tuple[tuple[str, ...], str]] = {}

    def fail(self, token: _Token, expected: str, found: str | None = None) -> TriggerSyntaxError:
        """Build the error for ``token``: column, what was expected, after what, what was found."""
        after = f" after {self.tokens[self.pos - 1].raw!r}" if self.pos > 0 else ""
        if found is None:
            found = "" if token.kind == "end" else f", found {token.raw!r}"
        message = (
            f"Trigger syntax error at column {token.column}: expected {expected}{after}{found}"
            f" in: {self.text}"
        )
        return TriggerSyntaxError(message, text=self.text, column=token.column, expected=expected)

    def peek(self) -> _Token:
        token = self.tokens[self.pos]
        if token.kind == "error":
            expected, found = token.value
            raise self.fail(token, expected, found)
        return token

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.value == word

    def parse(self) -> Predicate:
        if self.peek().kind == "end":
            raise self.fail(self.tokens[0], _CONDITION, ", but the trigger is empty")
        predicate = self.or_expr()
        token = self.peek()
        if token.kind != "end":
            hint = " with no matching '('" if token.kind == ")" else ""
            found = f", found {token.raw!r}{hint}"
            raise self.fail(token, "'and', 'or' or the end of the trigger", found)
        return predicate

    def or_expr(self) -> Predicate:
        predicates = [self.and_expr()]
        while self.is_word("or"):
            self.pos += 1
            predicates.append(self.and_expr())
        return _any(self.fuse(predicates))

    def fuse(self, predicates: list[Predicate]) -> list[Predicate]:
        """Merge string equalities on one field into a set lookup (order does not matter:
        conditions have no side effects)."""
        groups: dict[tuple[str, ...], set[str]] = {}
        for predicate in predicates:
            if predicate in self.equalities:
                path, value = self.equalities[predicate]
                groups.setdefault(path, set()).add(value)
        fused = []
        for predicate in predicates:
            if predicate not in self.equalities:
                fused.append(predicate)
            elif (path := self.equalities[predicate][0]) in groups:
                values = groups.pop(path)
                fused.append(predicate if len(values) == 1 else _one_of(path, frozenset(values)))
        return fused

    def and_expr(self) -> Predicate:
        predicates = [self.condition()]
        while self.is_word("and"):
            self.pos += 1
            predicates.append(self.condition())
        return _all(predicates)

    def condition(self) -> Predicate:
        token = self.peek()
        if token.kind == "(":
            if self.depth >= _MAX_DEPTH:
                raise self.fail(token, f"at most {_MAX_DEPTH} nested parentheses")
            self.pos += 1
            self.depth += 1
            predicate = self.or_expr()
            self.depth -= 1
            if self.peek().kind != ")":
                expected = f"'and', 'or' or ')' to close the '(' at column {token.column}"
                raise self.fail(self.peek(), expected)
            self.pos += 1
            return predicate
        if token.kind == "not":
            self.pos += 1
            if self.peek().kind != "path" or self.tokens[self.pos + 1].kind != "(":
                raise self.fail(self.peek(), "contains(...) or match(...)")
            return self.function(negate=True)
        if token.kind == "path":
            if self.tokens[self.pos + 1].kind == "(":
                return self.function(negate=False)
            return self.comparison()
        raise self.fail(token, _CONDITION)

    def function(self, *, negate: bool) -> Predicate:
        token = self.peek()
        name = token.raw
        if name not in ("contains", "match"):
            found = f", found the unknown function {name!r}"
            raise self.fail(token, "a function named contains or match", found)
        self.pos += 2
        arity = f"{name}() to have 2 arguments (a field and a string)"
        if self.peek().kind == ")":
            raise self.fail(self.peek(), arity, ", found none")
        if self.peek().kind != "path":
            raise self.fail(self.peek(), f"a field as the 1st argument of {name}()")
        path = self.peek().value
        self.pos += 1
        if self.peek().kind == ")":
            raise self.fail(self.peek(), arity, ", found 1")
        if self.peek().kind != ",":
            raise self.fail(self.peek(), f"',' after the 1st argument of {name}()")
        self.pos += 1
        if self.peek().kind != "string":
            raise self.fail(self.peek(), f"a string as the 2nd argument of {name}()")
        argument = self.peek().value
        self.pos += 1
        if self.peek().kind == ",":
            raise self.fail(self.peek(), f"')'; {arity}", ", found more")
        if self.peek().kind != ")":
            raise self.fail(self.peek(), f"')' to close {name}(")
        self.pos += 1
        test = _contains(argument) if name == "contains" else _glob(argument)
        return _string_test(_getter(path), test, negate)

    def comparison(self) -> Predicate:
        path = self.peek().value
        self.pos += 1
        token = self.peek()
        if token.kind != "op" or token.value not in _OPERATORS:
            hint = _OPERATOR_HINTS.get(token.raw) if token.kind == "op" else None
            found = None if hint is None else f", found {token.raw!r} (write {hint!r})"
            raise self.fail(token, "an operator (=, !=, <, <=, >, >=)", found)
        op: str = token.value
        self.pos += 1
        token = self.peek()
        if op in _ORDERING and token.kind != "number":
            raise self.fail(token, "a number")
        if token.kind == "word" and token.value in ("true", "false", "null"):
            value: str | float | None = {"true": True, "false": False, "null": None}[token.value]
        elif token.kind in ("string", "number"):
            value = token.value
        else:
            raise self.fail(token, _VALUE)
        self.pos += 1
        predicate = _comparison(path, op, value)
        if op == "=" and isinstance(value, str):
            self.equalities[predicate] = (path, value)
        return predicate


# ------------------------------------------------------------------------------- compiler


def _getter(path: Sequence[str]) -> _Getter:
    """A function reading ``path`` from an event: missing (or not traversable) is ``None``."""
    if len(path) == 1:
        return operator.methodcaller("get", path[0])  # C-level: the hot case stays cheap
    steps = tuple((key, int(key) if key.isdecimal() else None) for key in path)

    def get(event: Mapping[str, Any]) -> Any:
        value: Any = event
        for key, index in steps:
            if isinstance(value, Mapping):
                value = value.get(key)
            elif index is not None and isinstance(value, list | tuple):
                value = value[index] if index < len(value) else None
            else:
                return None
            if value is None:
                return None
        return value

    return get


def _comparison(path: tuple[str, ...], op: str, expected: str | float | None) -> Predicate:
    """Compile ``field <op> value``; the value's type fixes the rule now, not per event."""
    get = _getter(path)
    if expected is None or isinstance(expected, bool):  # identity: only a real bool/None
        if op == "=":
            return lambda event: get(event) is expected
        return lambda event: get(event) is not expected
    if isinstance(expected, str):  # the hot case: a top-level key is read inline
        key = path[0]
        if len(path) == 1:
            if op == "=":
                return lambda event: event.get(key) == expected
            return lambda event: event.get(key) != expected
        if op == "=":
            return lambda event: get(event) == expected
        return lambda event: get(event) != expected
    compare = _ORDERING.get(op, operator.eq if op == "=" else operator.ne)

    def number_test(event: Mapping[str, Any]) -> bool:
        value = get(event)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return is_number and bool(compare(value, expected))

    return number_test


def _one_of(path: tuple[str, ...], values: frozenset[str]) -> Predicate:
    """``f = "a" or f = "b"`` as one set lookup: the commonest trigger shape."""
    if len(path) == 1:
        key = path[0]

        def top_level(event: Mapping[str, Any]) -> bool:
            value = event.get(key)
            return isinstance(value, str) and value in values

        return top_level
    get = _getter(path)

    def nested(event: Mapping[str, Any]) -> bool:
        value = get(event)
        return isinstance(value, str) and value in values

    return nested


def _contains(needle: str) -> Callable[[str], bool]:
    return lambda value: needle in value


def _glob(pattern: str) -> Callable[[str], bool]:
    """Compile a ``match()`` pattern, using plain string methods for the common shapes."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return lambda value: value == pattern
    if all(part == "" for part in parts):
        return lambda value: True
    inner = parts[1:-1]
    if not inner and not parts[0]:
        suffix = parts[-1]
        return lambda value: value.endswith(suffix)
    if not inner and not parts[-1]:
        prefix = parts[0]
        return lambda value: value.startswith(prefix)
    if len(inner) == 1 and not parts[0] and not parts[-1]:
        needle = inner[0]
        return lambda value: needle in value
    regex = re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)
    return lambda value: regex.fullmatch(value) is not None


def _string_test(get: _Getter, test: Callable[[str], bool], negate: bool) -> Predicate:
    """A function condition: the field must be a string, negated or not (the reference's rule)."""
    if negate:

        def negated(event: Mapping[str, Any]) -> bool:
            value = get(event)
            return isinstance(value, str) and not test(value)

        return negated

    def plain(event: Mapping[str, Any]) -> bool:
        value = get(event)
        return isinstance(value, str) and test(value)

    return plain


def _any(predicates: list[Predicate]) -> Predicate:
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda event: first(event) or second(event)
    members = tuple(predicates)

    def any_of(event: Mapping[str, Any]) -> bool:
        for predicate in members:  # noqa: SIM110 (a loop is twice as fast as any(genexpr))
            if predicate(event):
                return True
        return False

    return any_of


def _all(predicates: list[Predicate]) -> Predicate:
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda event: first(event) and second(event)
    members = tuple(predicates)

    def all_of(event: Mapping[str, Any]) -> bool:
        for predicate in members:  # noqa: SIM110 (as in _any)
            if not predicate(event):
                return False
        return True

    return all_of
