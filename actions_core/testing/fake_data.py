"""Generated, seeded test data for a destination's fields (the reference's ``test-data.ts``).

Values depend only on the seed ``"<destination slug>#<action key>"`` and the field's type, so
a snapshot built from them is stable. The generator is a port of Chance.js (its Mersenne
Twister, string seeding and the ``string``/``integer``/``floating``/``bool``/``sentence``/
``pickone`` draws), so for these types the values are the ones Segment's snapshot tests get (a string drawn
with the seed ``actions-launchdarkly-audiences#syncAudience`` is ``"uKRBKG"`` in both). Like
the reference, every field starts from a fresh generator with the same seed, so the string
fields of one action share a value; ``password`` settings are the exception (see
:func:`fake_settings`). Fields named ``email`` or ``currency`` get plausible
values that do not reproduce Chance's (its word lists are not ported).

Which fields: required ones and, like the reference, any field whose key contains ``"id"``;
an ``object`` field with nested fields gets its required nested fields; ``multiple`` wraps
the value in a list; a field with ``choices`` gets one of them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from actions_core.definitions import Action, Destination, Field

_MAX_INT: Final = 9007199254740992  # 2**53, Chance's MAX_INT
_POOL: Final = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()[]"
)
_CONSONANTS: Final = "bcdfghjklmnprstvwz"
_VOWELS: Final = "aeiou"
_CURRENCIES: Final = ("USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK")
DATETIME_VALUE: Final = "2021-02-01T00:00:00.000Z"


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def chance_seed(text: str) -> int:
    """Chance's numeric seed for a string (its hash, with JavaScript's 32-bit shifts)."""
    raw = text.encode("utf-16-le")
    units = [int.from_bytes(raw[i : i + 2], "little") for i in range(0, len(raw), 2)]
    h = 0
    for unit in units:
        h = unit + _int32(_int32(h) << 6) + _int32(_int32(h) << 16) - h
    return len(units) * h


class Chance:
    """The subset of Chance.js the test data needs, draw for draw."""

    def __init__(self, seed: str) -> None:
        state = [chance_seed(seed) & 0xFFFFFFFF]
        for i in range(1, 624):  # MT19937 init_genrand
            prev = state[-1]
            state.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF)
        self._mt = random.Random()
        self._mt.setstate((3, (*state, 624), None))

    def random(self) -> float:
        return self._mt.getrandbits(32) * (1.0 / 4294967296.0)

    def integer(self, low: float = -_MAX_INT, high: float = _MAX_INT) -> int:
        return math.floor(self.random() * (float(high) - float(low) + 1) + float(low))

    def natural(self, low: int = 0, high: int = _MAX_INT) -> int:
        return self.integer(low, high)

    def bool(self) -> bool:
        return self.random() * 100 < 50

    def floating(self, fixed: int = 4) -> float | int:
        scale = float(10**fixed)
        high = _MAX_INT / scale
        number = self.integer(-high * scale, high * scale)
        # JavaScript's toFixed rounds half away from zero on the exact binary value.
        text = Decimal(number / scale).quantize(Decimal(1).scaleb(-fixed), ROUND_HALF_UP)
        value = float(text)
        return int(value) if value.is_integer() else value

    def character(self, pool: str = _POOL) -> str:
        return pool[self.natural(0, len(pool) - 1)]

    def string(self) -> str:
        return "".join(self.character() for _ in range(self.natural(5, 20)))

    def syllable(self) -> str:
        text = ""
        for i in range(self.natural(2, 3)):
            if i == 0:
                text += self.character(_CONSONANTS + _VOWELS)
            elif text[-1] not in _CONSONANTS:
                text += self.character(_CONSONANTS)
            else:
                text += self.character(_VOWELS)
        return text

    def word(self) -> str:
        return "".join(self.syllable() for _ in range(self.natural(1, 3)))

    def sentence(self) -> str:
        text = " ".join(self.word() for _ in range(self.natural(12, 18)))
        return text[:1].upper() + text[1:] + "."

    def pickone(self, items: Sequence[Any]) -> Any:
        return items[self.natural(0, len(items) - 1)]


def fake_value(seed: str, field: Field, *, key: str | None = None) -> Any:
    """One generated value for ``field`` (the reference's ``setTestData``); ``key`` is the
    field name that selects the ``email``/``currency`` special cases (none for settings)."""
    chance = Chance(seed)
    if field.choices:
        return chance.pickone(field.choices).value
    value: Any
    if field.type == "boolean":
        value = chance.bool()
    elif field.type == "datetime":
        value = DATETIME_VALUE
    elif field.type == "integer":
        value = chance.integer()
    elif field.type == "number":
        value = chance.floating(fixed=2)
    elif field.type == "text":
        value = chance.sentence()
    elif field.type == "object":
        value = {"testType": chance.string()}
    else:
        value = chance.string()
    if key == "email":
        value = f"{chance.word()}@{chance.word()}.com"
    elif key == "currency":
        value = chance.pickone(_CURRENCIES)
    return value


def _wanted(field: Field, required_only: bool) -> bool:
    return not required_only or field.required or "id" in field.key


def fake_payload(
    destination: Destination, action: Action, *, required_only: bool = True
) -> dict[str, Any]:
    """A payload for ``action`` from seeded data (the reference's ``generateTestData``)."""
    seed = f"{destination.slug}#{action.key}"
    payload: dict[str, Any] = {}
    for f in action.fields:
        if not _wanted(f, required_only):
            continue
        value: Any
        if f.properties:
            value = {
                p.key: _multiple(p, fake_value(seed, p, key=p.key))
                for p in f.properties
                if p.required or not required_only
            }
        else:
            value = fake_value(seed, f, key=f.key)
        payload[f.key] = _multiple(f, value)
    return payload


def fake_settings(destination: Destination, action: Action | None = None) -> dict[str, Any]:
    """Settings for every setting field, seeded like ``action``'s payload (the first action
    by default). A ``password`` setting is seeded with its key appended: under the shared seed
    it would equal every generated string of the payload, and redaction would then hide those
    in the snapshot."""
    if action is None and destination.actions:
        action = destination.actions[0]
    seed = f"{destination.slug}#{action.key if action is not None else ''}"
    return {
        f.key: _multiple(f, fake_value(f"{seed}#{f.key}" if f.is_secret else seed, f))
        for f in destination.settings
    }


def _multiple(field: Field, value: Any) -> Any:
    return [value] if field.multiple else value


__all__ = [
    "DATETIME_VALUE",
    "Chance",
    "chance_seed",
    "fake_payload",
    "fake_settings",
    "fake_value",
]
