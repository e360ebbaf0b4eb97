"""JavaScript emulation: where this project must compute what the TypeScript reference's
JavaScript computes, it does so here.

``String(number)`` (:func:`js_number_to_string`) and ``String(value)`` (:func:`js_string`):
a number coerced to a string field (validation), a value interpolated by ``@template``
(mappings). ``+text`` (:func:`js_to_number`) and JavaScript's white space: ajv's coercion of
strings to numbers. ``JSON.stringify`` of a scalar (:func:`json_stringify`) and deep
equality of JSON values (:func:`js_equal`): ajv's ``enum`` and ``const`` checks and their
messages. (liquidjs's printing stays with the ``@liquid`` directive, whose module it is.)
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

_MAX_SAFE = 2**53


def js_number_to_string(x: float) -> str:
    """``String(x)`` in JavaScript (ECMAScript Number::toString), so a coerced ``1e21`` reads
    ``1e+21`` and ``1.5e-7`` reads ``1.5e-7`` exactly as the reference would write them."""
    if isinstance(x, int) and not isinstance(x, bool):
        if -_MAX_SAFE < x < _MAX_SAFE:
            return str(x)
        try:
            x = float(x)  # a JavaScript number is a double: big integers lose precision there too
        except OverflowError:
            return "Infinity" if x > 0 else "-Infinity"
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    if x < 0:
        return "-" + js_number_to_string(-x)
    # repr() is the shortest round-tripping decimal, the same digits JavaScript chooses.
    mantissa, _, exp = repr(x).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    stripped = digits.lstrip("0")
    point = len(whole) - (len(digits) - len(stripped)) + (int(exp) if exp else 0)
    s = stripped.rstrip("0")
    k = len(s)
    if k <= point <= 21:
        return s + "0" * (point - k)
    if 0 < point <= 21:
        return f"{s[:point]}.{s[point:]}"
    if -6 < point <= 0:
        return "0." + "0" * -point + s
    e = point - 1
    sign = "+" if e >= 0 else "-"
    head = s if k == 1 else f"{s[0]}.{s[1:]}"
    return f"{head}e{sign}{abs(e)}"


def js_string(value: Any) -> str:
    """``String(value)`` as JavaScript computes it, with ``null`` (or absent) as ``""``."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number_to_string(value)
    if isinstance(value, list):
        try:
            return ",".join([js_string(item) for item in value])
        except RecursionError:  # absurdly nested arrays: never raise per event
            return ""
    return "[object Object]"


JS_WHITESPACE: Final = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
"""What JavaScript's ``trim()`` and ``\\s`` take for white space."""
_JS_DECIMAL: Final = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_JS_RADIX: Final = {"x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2}
_JS_NONDECIMAL: Final = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")


def js_to_number(text: str) -> float | int | None:
    """``+text`` in JavaScript, as an int when integral and exact; ``None`` for NaN and for
    infinities (ajv would store ``Infinity``, which JSON cannot carry, so we refuse it)."""
    text = text.strip(JS_WHITESPACE)
    try:
        if not text:
            value = 0.0
        elif _JS_DECIMAL.fullmatch(text):
            value = float(text)
        elif _JS_NONDECIMAL.fullmatch(text):
            value = float(int(text[2:], _JS_RADIX[text[1]]))
        else:
            return None
    except OverflowError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def json_stringify(value: Any) -> str:
    """``JSON.stringify`` of a choice value, as listed in ``must be one of: ...``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return js_number_to_string(value) if math.isfinite(value) else "null"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def js_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values as ajv's ``enum`` and ``const`` see it (fast-deep-equal):
    ``1 == 1.0`` but ``true != 1``, arrays and objects compared member by member."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(js_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(js_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


__all__ = [
    "JS_WHITESPACE",
    "js_equal",
    "js_number_to_string",
    "js_string",
    "js_to_number",
    "json_stringify",
]
