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
from actions_core.paths import step, steps, walk

__all__ = ["Trigger", "parse_trigger"]

Predicate = Callable[[Mapping[str, Any]], bool]
_Getter = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class Trigger:
    """A parsed trigger: ``text`` is the source, :meth:`matches` the compiled predicate."""

    text: str
    _predicate: Predicate = field(repr=False, compare=False)

    def __reduce__(self) -> tuple[Callable[[str], Trigger], tuple[str]]:
        """Closures do not pickle, so a trigger pickles as its text and is parsed again."""
        return parse_trigger, (self.text,)

    @property
    def predicate(self) -> Predicate:
        """The compiled test alone, for a caller that passes only mappings and catches what an
        odd value might raise (the engine's per-event loop): one call fewer than
        :meth:`matches`."""
        return self._predicate

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
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""", re.DOTALL)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LITERAL = re.compile(r"[\w.$\\+-]+")  # how far a malformed number runs, for the message
_PATH = re.compile(r"(?:[^\W\d]|\$|\\.)(?:[\w$-]|\\.)*(?:\.(?:[\w$-]|\\.)+)*", re.DOTALL)
_SEGMENT = re.compile(r"(?:[\w$-]|\\.)+", re.DOTALL)
_CONDITION = "a condition (a comparison such as type = \"track\", contains(...), match(...) or '(')"


class _Token(NamedTuple):
    """``kind`` is path, word, string, number, op, not, (, ), ",", end or error. For an error
    token, ``value`` is ``(expected, found)``, raised when the parser reaches it, so the
    first problem in the text is the one reported."""

    kind: str
    value: Any
    column: int
    raw: str


def _tokenize(text: str) -> list[_Token]:
    """Split ``text`` into tokens, ending with an ``end`` token or an ``error`` token."""
    tokens: list[_Token] = []
    i, n = 0, len(text)

    def error(at: int, expected: str, found: str = "") -> list[_Token]:
        return [*tokens, _Token("error", (expected, found), at + 1, text[at : at + 1])]

    while i < n:
        char = text[i]
        value: Any = char
        if char.isspace():
            i += 1
            continue
        if char in "(),":
            kind, end = char, i + 1
        elif char in "=!<>":
            end = i + 1
            while end < n and text[end] in "=!<>":
                end += 1
            value = text[i:end]
            kind = "not" if value == "!" else "op"
        elif char in "\"'":
            if (match := _STRING.match(text, i)) is None:
                return error(i, f"a closing {char} for the string that starts at column {i + 1}")
            kind, end = "string", match.end()
            value = _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[0]), text[i + 1 : end - 1])
        elif char in "0123456789+-.":
            match, literal = _NUMBER.match(text, i), _LITERAL.match(text, i)
            raw = literal[0] if literal else char
            if len(raw) > 400:
                return error(i, "a number of at most 400 characters")
            if match is None or match.end() != i + len(raw):
                return error(i, "a number", f", found {raw!r}")
            kind, end = "number", match.end()
            value = float(raw) if any(c in raw for c in ".eE") else int(raw)
        elif (match := _PATH.match(text, i)) is not None:
            kind, end = "path", match.end()
            if (after := text[end : end + 1]) in (".", "\\"):  # 'properties.' or a final '\\'
                expected = "a field name after '.'" if after == "." else "a character after '\\'"
                return error(end + 1, expected, f", found {text[end + 1]!r}" if end + 1 < n else "")
            raw = match[0]
            value = tuple(_ESCAPE.sub(r"\1", segment) for segment in _SEGMENT.findall(raw))
            if raw in _WORDS:
                kind, value = "word", raw
        elif char == "\\":  # only unmatched at the very end
            return error(i + 1, "a character after '\\'")
        else:
            expected = "a field, value, operator, parenthesis, 'and' or 'or'"
            return error(i, expected, f", found {char!r}{_CHAR_HINTS.get(char, '')}")
        tokens.append(_Token(kind, value, i + 1, text[i:end]))
        i = end
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

    def fail(
        self, token: _Token, expected: str, found: str | None = None, *, after: bool = False
    ) -> TriggerSyntaxError:
        """The error at ``token``: its column, what was expected (``after`` the previous token),
        and what was found instead."""
        after_text = f" after {self.tokens[self.pos - 1].raw!r}" if after and self.pos else ""
        if found is None:
            found = "" if token.kind == "end" else f", found {token.raw!r}"
        message = (
            f"Trigger syntax error at column {token.column}: expected {expected}{after_text}{found}"
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
            if token.raw.lower() in ("and", "or"):
                hint = f" (write {token.raw.lower()!r})"
            found = f", found {token.raw!r}{hint}"
            raise self.fail(token, "'and', 'or' or the end of the trigger", found, after=True)
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
                raise self.fail(self.peek(), "contains(...) or match(...)", after=True)
            return self.function(negate=True)
        if token.kind == "path":
            if self.tokens[self.pos + 1].kind == "(":
                return self.function(negate=False)
            return self.comparison()
        raise self.fail(token, _CONDITION, after=True)

    def function(self, *, negate: bool) -> Predicate:
        token = self.peek()
        name = token.raw
        if name not in ("contains", "match"):
            found = f", found the unknown function {name!r}"
            raise self.fail(token, "a function named contains or match", found)
        self.pos += 2
        arity = f"2 arguments for {name}(): a field and a string"
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
            raise self.fail(self.peek(), f"')' after the 2 arguments of {name}()")
        if self.peek().kind != ")":
            raise self.fail(self.peek(), f"')' to close {name}(")
        self.pos += 1
        test = _contains(argument) if name == "contains" else _glob(argument)
        return _string_test(path, test, negate)

    def comparison(self) -> Predicate:
        path = self.peek().value
        self.pos += 1
        token = self.peek()
        if token.kind != "op" or token.value not in _OPERATORS:
            hint = _OPERATOR_HINTS.get(token.raw) if token.kind == "op" else None
            found = None if hint is None else f", found {token.raw!r} (write {hint!r})"
            raise self.fail(token, "an operator (=, !=, <, <=, >, >=)", found, after=True)
        op: str = token.value
        self.pos += 1
        token = self.peek()
        if op in _ORDERING and token.kind != "number":
            raise self.fail(token, "a number", after=True)
        if token.kind == "word" and token.value in ("true", "false", "null"):
            value: str | float | None = {"true": True, "false": False, "null": None}[token.value]
        elif token.kind in ("string", "number"):
            value = token.value
        else:
            raise self.fail(token, "a value (a string, number, true, false or null)", after=True)
        self.pos += 1
        predicate = _comparison(path, op, value)
        if op == "=" and isinstance(value, str):
            self.equalities[predicate] = (path, value)
        return predicate


# ------------------------------------------------------------------------------- compiler


def _getter(path: Sequence[str]) -> _Getter:
    """A function reading ``path`` from an event (:mod:`actions_core.paths`' dotted walk,
    unrolled for the short paths triggers read): missing or not traversable is ``None``."""
    first = path[0]
    if len(path) == 1:
        return operator.methodcaller("get", first)  # C-level: the hot case stays cheap
    rest = steps(path[1:])
    if len(rest) == 1:  # properties.x, traits.x, context.x: the common shape
        ((key, index),) = rest

        def get_two(event: Mapping[str, Any]) -> Any:
            value = event.get(first)
            return value.get(key) if type(value) is dict else step(value, key, index)

        return get_two

    def get(event: Mapping[str, Any]) -> Any:
        return walk(event.get(first), rest)

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
        value = get(event)  # exact types: a bool is not a number
        return (type(value) is int or type(value) is float) and bool(compare(value, expected))

    return number_test


def _one_of(path: tuple[str, ...], values: frozenset[str]) -> Predicate:
    """``f = "a" or f = "b"`` as one set lookup: the commonest trigger shape."""
    key, get = path[0], _getter(path)
    if len(path) == 1:

        def top_level(event: Mapping[str, Any]) -> bool:
            value = event.get(key)
            return isinstance(value, str) and value in values

        return top_level

    def nested(event: Mapping[str, Any]) -> bool:
        value = get(event)
        return isinstance(value, str) and value in values

    return nested


def _contains(needle: str) -> Callable[[str], bool]:
    """``contains()``: a substring test."""
    return lambda value: needle in value


def _glob(pattern: str) -> Callable[[str], bool]:
    """Compile a ``match()`` glob; the reference's two shapes (``x*``, ``*x``) and an exact
    match use plain string methods, anything else a regex."""
    head, star, tail = pattern.partition("*")
    if not star:
        return lambda value: value == pattern
    if "*" not in tail and not head:
        return lambda value: value.endswith(tail)
    if not tail:
        return lambda value: value.startswith(head)
    regex = re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)
    return lambda value: regex.fullmatch(value) is not None


def _string_test(path: tuple[str, ...], test: Callable[[str], bool], negate: bool) -> Predicate:
    """A function condition: the field must be a string, negated or not (the reference's rule)."""
    get = _getter(path)

    def string_test(event: Mapping[str, Any]) -> bool:
        value = get(event)
        return isinstance(value, str) and test(value) is not negate

    return string_test


def _any(predicates: list[Predicate]) -> Predicate:
    """``or``: short-circuits; no nested closures, so long chains cannot exhaust the stack."""
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
    """``and``: short-circuits, built like :func:`_any`."""
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
