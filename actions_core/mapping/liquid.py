"""``@liquid``: Liquid templates (python-liquid), sandboxed like the reference's liquidjs.

The reference (actions-core ``liquid-directive``) limits a template to 1,000 characters,
turns off the tags ``case``, ``for``, ``include``, ``layout``, ``render`` and ``tablerow``
(so nothing loops: render time is bounded by the template's length) and the filters listed in
:data:`DISABLED_FILTERS`, and caps render time and memory. Here every check that depends only on
the template runs once, at load time, with the reference's words (``tag "for" is disabled,
line:1, col:1``); output is capped at :data:`MAX_OUTPUT` characters, and a render that fails
(that cap, a division by zero) raises :class:`~actions_core.errors.IntegrationError`, so the
event is rejected with the reason, as the reference fails it.

Values print as liquidjs prints them: numbers as JavaScript writes them (``1.0`` as ``1``),
objects as ``[object Object]``, lists joined. An unknown filter passes its input through, as in
liquidjs; a liquidjs filter that python-liquid lacks is refused at load time rather than
silently passed through (docs/field-model.md lists them).
"""

from __future__ import annotations

import decimal
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Final, TextIO

from liquid import Environment
from liquid.builtin.output import Output, OutputNode
from liquid.builtin.tags.echo_tag import EchoNode, EchoTag
from liquid.exceptions import LiquidError

from actions_core.errors import IntegrationError
from actions_core.js import js_number_to_string

MAX_TEMPLATE_LENGTH: Final = 1000
MAX_OUTPUT: Final = 100_000
DISABLED_TAGS: Final = ("case", "for", "include", "layout", "render", "tablerow")
DISABLED_FILTERS: Final = (
    "array_to_sentence_string", "concat", "find", "find_exp", "find_index", "find_index_exp",
    "group_by", "group_by_exp", "has", "has_exp", "map", "newline_to_br", "reject",
    "reject_exp", "reverse", "sort", "sort_natural", "uniq", "where_exp", "type",
)
UNSUPPORTED_FILTERS: Final = (
    "cgi_escape", "date_to_long_string", "date_to_rfc822", "date_to_string",
    "date_to_xmlschema", "hmac_sha256", "inspect", "normalize_whitespace", "number_of_words",
    "pop", "push", "raw", "sample", "shift", "slugify", "unshift", "uri_escape", "xml_escape",
)
"""liquidjs filters python-liquid does not have: refused rather than passed through."""


class LiquidTemplateError(ValueError):
    """A template the sandbox refuses, in the reference's words."""


def _join_item(value: Any) -> str:
    """An item of a printed list: liquidjs flattens nested lists and prints null as empty."""
    if value is None:
        return ""
    return js_output(value)


def js_output(value: Any) -> str:
    """What liquidjs prints for ``value``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, int | float):
        return js_number_to_string(value)
    if isinstance(value, list):
        return "".join(_join_item(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


class _JsOutputNode(OutputNode):
    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        return buffer.write(js_output(self.expression.evaluate(context)))


class _JsEchoNode(EchoNode):
    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        return buffer.write(js_output(self.expression.evaluate(context)))


class _JsOutput(Output):
    node_class = _JsOutputNode


class _JsEcho(EchoTag):
    node_class = _JsEchoNode


def _json(value: Any, *_args: Any) -> str:
    """liquidjs ``json``/``jsonify``: ``JSON.stringify``, compact."""
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _number(value: Any) -> float:
    """JavaScript ``Number(x)`` for what filters receive (NaN when it is not a number)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | decimal.Decimal):
        return float(value)
    try:
        return float(js_output(value).strip() or 0)
    except (ValueError, OverflowError):
        return math.nan


def _divided_by(value: Any, divisor: Any, integer_arithmetic: Any = False) -> float:
    """liquidjs ``divided_by``: JavaScript division (``10 / 4`` is ``2.5``, ``/ 0`` is
    ``Infinity``), floored only when asked."""
    a, b = _number(value), _number(divisor)
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
    quotient = a / b
    return float(math.floor(quotient)) if integer_arithmetic and math.isfinite(quotient) else quotient


def _sha256(value: Any) -> str:
    return hashlib.sha256(js_output(value).encode()).hexdigest()


def _to_integer(value: Any) -> float:
    """liquidjs ``to_integer`` is JavaScript ``Number(x)``: ``"12.7"`` stays ``12.7``."""
    return _number(value)


class _Sandbox(Environment):
    output_stream_limit: ClassVar[int | None] = MAX_OUTPUT
    context_depth_limit: ClassVar[int] = 30
    local_namespace_limit: ClassVar[int | None] = MAX_OUTPUT

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        self.add_tag(_JsOutput)
        self.add_tag(_JsEcho)
        filters: dict[str, Callable[..., Any]] = {
            "json": _json, "jsonify": _json, "sha256": _sha256, "to_integer": _to_integer,
            "divided_by": _divided_by,
        }
        for name, function in filters.items():
            self.add_filter(name, function)


_ENV: Final = _Sandbox(strict_filters=False)


_DISABLED_TAG: Final = re.compile(r"\{%-?\s*(" + "|".join(DISABLED_TAGS) + r")\b")


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _position(source: str, start: int, openers: Iterable[str]) -> str:
    """liquidjs' ``line:L, col:C`` of the ``{{`` or ``{%`` that holds offset ``start`` (inside
    a ``{% liquid %}`` block, of the line that holds it)."""
    at = max(max((source.rfind(o, 0, start + 1) for o in openers), default=-1), 0)
    if "\n" in source[at:start]:
        line_start = source.rfind("\n", 0, start) + 1
        at = line_start + len(source[line_start:start]) - len(source[line_start:start].lstrip())
    line = source.count("\n", 0, at) + 1
    col = at - (source.rfind("\n", 0, at) + 1) + 1
    return f"line:{line}, col:{col}"


def compile_liquid(source: str) -> Callable[[Any], str]:
    """A template's render function ``(event) -> str``, or :class:`LiquidTemplateError`."""
    if not source:
        return lambda _event: ""
    if _utf16_length(source) > MAX_TEMPLATE_LENGTH:
        raise LiquidTemplateError(
            f"liquid template values are limited to {MAX_TEMPLATE_LENGTH} characters"
        )
    if found := _DISABLED_TAG.search(source):  # before parsing: python-liquid has no `layout`
        where = _position(source, found.start(), ("{%",))
        raise LiquidTemplateError(f'tag "{found[1]}" is disabled, {where}')
    try:
        template = _ENV.from_string(source)
        analysis = template.analyze()
    except LiquidError as exc:
        raise LiquidTemplateError(str(exc).splitlines()[0]) from exc
    for name, spans in analysis.tags.items():
        if name in DISABLED_TAGS:
            where = _position(source, spans[0].index, ("{%",))
            raise LiquidTemplateError(f'tag "{name}" is disabled, {where}')
    for name, spans in analysis.filters.items():
        if name in DISABLED_FILTERS or name in UNSUPPORTED_FILTERS:
            why = "disabled" if name in DISABLED_FILTERS else "not supported"
            where = _position(source, spans[0].index, ("{{", "{%"))
            raise LiquidTemplateError(f'filter "{name}" is {why}, {where}')

    def render(event: Any) -> str:
        try:
            return template.render(**event) if isinstance(event, dict) else template.render()
        except (LiquidError, ArithmeticError, RecursionError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise IntegrationError(f"@liquid: {message}", code="LIQUID_ERROR") from exc

    return render


__all__ = [
    "DISABLED_FILTERS",
    "DISABLED_TAGS",
    "MAX_OUTPUT",
    "MAX_TEMPLATE_LENGTH",
    "LiquidTemplateError",
    "compile_liquid",
    "js_output",
]
