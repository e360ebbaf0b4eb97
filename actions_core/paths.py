"""Walking a path of keys through an event: the one place that knows how.

Two walks exist because the reference has two:

* :func:`key_getter`, JMESPath's ``a.b.c`` (``@path`` in mappings, the JMESPath compiler):
  only objects have members; anything else on the way, a missing key or ``null`` give the
  ``absent`` value. The mapping compiler also writes this walk inline into generated code
  (:class:`actions_core.mapping.plan.ValueWriter`), with the same semantics.
* :func:`walk` over :func:`steps`, Segment's dotted paths (FQL triggers, ``@template``
  placeholders): objects by key and arrays by decimal index (``a.b.0``, ``a.b[0]``).

Neither ever raises on a JSON value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["Step", "key_getter", "split_dotted_path", "step", "steps", "walk"]

Step = tuple[str, int | None]
"""One step of a dotted path: the key, and its value as an array index when it is one."""


def key_getter(keys: tuple[str, ...], absent: Any = None) -> Callable[[Any], Any]:
    """JMESPath's ``a.b.c`` as direct ``dict.get`` calls (specialised for short paths, the
    hot case): the value, or ``absent`` for a non-object on the way, a missing key or null."""
    if not keys:
        return lambda value: absent if value is None else value
    if len(keys) == 1:
        (k0,) = keys

        def get1(value: Any) -> Any:
            try:
                value = value.get(k0)
            except AttributeError:
                return absent
            return absent if value is None else value

        return get1
    if len(keys) == 2:
        k0, k1 = keys

        def get2(value: Any) -> Any:
            try:
                value = value.get(k0).get(k1)
            except AttributeError:
                return absent
            return absent if value is None else value

        return get2
    if len(keys) == 3:
        k0, k1, k2 = keys

        def get3(value: Any) -> Any:
            try:
                value = value.get(k0).get(k1).get(k2)
            except AttributeError:
                return absent
            return absent if value is None else value

        return get3

    def get_n(value: Any) -> Any:
        try:
            for key in keys:
                value = value.get(key)
        except AttributeError:
            return absent
        return absent if value is None else value

    return get_n


# The reference's path splitter: "." or "[" before a quote or digit, or "]" after one.
_PATH_SEPARATOR = re.compile(r"""\[(?=["'\d])|\.|(?<=["'\d])\]+""")


def split_dotted_path(path: str) -> tuple[str, ...]:
    """``a.b[0]["c d"]`` -> ``("a", "b", "0", "c d")``; a leading ``$.`` is the root."""
    if path == "$":
        return ()
    path = path.removeprefix("$.")
    parts = (part.replace('"', "").replace("'", "") for part in _PATH_SEPARATOR.split(path))
    return tuple(part for part in parts if part)


def steps(keys: Iterable[str]) -> tuple[Step, ...]:
    """A dotted path's keys, each with its array index decided once (ASCII digits only)."""
    return tuple(
        (key, int(key) if key.isascii() and key.isdigit() and len(key) < 19 else None)
        for key in keys
    )


def step(value: Any, key: str, index: int | None) -> Any:
    """One step of a dotted path: an object's member, an array's item, else ``None``."""
    if value is None:
        return None
    if index is not None and isinstance(value, list | tuple):
        return value[index] if index < len(value) else None
    return value.get(key) if isinstance(value, Mapping) else None


def walk(value: Any, path: tuple[Step, ...]) -> Any:
    """Follow a dotted path (:func:`steps`); ``None`` when it leads nowhere."""
    for key, index in path:
        value = value.get(key) if type(value) is dict else step(value, key, index)
    return value
