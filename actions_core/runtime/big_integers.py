"""Integers longer than Python's int/str conversion limit, read and written as JSON.

Python refuses to convert a string of more than 4,300 digits to an ``int`` and back
(``sys.get_int_max_str_digits``, a guard against quadratic-time conversions), so
``json.loads`` rejects a valid event holding a 5,000-digit number in some trait, and
``json.dumps`` cannot write it back. Changing the limit is process-wide, so instead the
standard parser gets a ``parse_int`` hook that converts long digit strings through
:class:`decimal.Decimal` (which has no such limit), up to :data:`MAX_DIGITS`, and the writer
spells such integers the same way. Only lines the fast parser refused come here, so the
per-event path is unchanged.
"""

from __future__ import annotations

import decimal
import json
import sys
from collections.abc import Callable
from typing import Any

MAX_DIGITS = 20_000
"""The longest integer a line may hold (converting it costs about 20 ms). Longer is refused:
the conversion time grows with the square of the length."""

_LIMIT = sys.get_int_max_str_digits() or sys.maxsize
_BIG_BITS = int(_LIMIT * 3.32)  # an int this many bits long may exceed the limit in digits


def parse_int(text: str) -> int:
    """``int(text)`` for a JSON integer of any length up to :data:`MAX_DIGITS` digits."""
    if len(text) <= _LIMIT:
        return int(text)
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(
            f"an integer of {len(text.lstrip('-')):,} digits; at most {MAX_DIGITS:,} are read"
        )
    return int(decimal.Decimal(text))


def loads(raw: bytes | str) -> Any:
    """``json.loads`` that also reads integers beyond Python's conversion limit."""
    return json.loads(raw, parse_int=parse_int)


def dumps(obj: Any, dump: Callable[[Any], str]) -> str:
    """``dump(obj)``; when ``obj`` holds an integer too long for ``dump`` to spell, each such
    integer is written through a placeholder, so the text reads back as the same number."""
    try:
        return dump(obj)
    except ValueError:
        spelled: dict[str, str] = {}
        text = dump(_swap(obj, spelled))
        for token, digits in spelled.items():
            text = text.replace(json.dumps(token), digits)
        return text


def _swap(obj: Any, spelled: dict[str, str]) -> Any:
    """A copy of ``obj`` with every long integer replaced by a unique placeholder string."""
    if isinstance(obj, int) and not isinstance(obj, bool) and obj.bit_length() > _BIG_BITS:
        token = f"\x00big-integer-{len(spelled)}\x00"
        spelled[token] = str(decimal.Decimal(obj))
        return token
    if isinstance(obj, dict):
        return {k: _swap(v, spelled) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_swap(v, spelled) for v in obj]
    return obj


__all__ = ["MAX_DIGITS", "dumps", "loads", "parse_int"]
