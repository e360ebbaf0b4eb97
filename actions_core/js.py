"""JavaScript's ``String(number)``: the reference's outputs format numbers this way.

Used wherever this project must write a number exactly as the TypeScript reference would: a
number coerced to a string field (validation), a number interpolated by ``@template``
(mappings).
"""

from __future__ import annotations

import math

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


__all__ = ["js_number_to_string"]
