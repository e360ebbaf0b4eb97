"""The names of JSON types, as users read them in messages: events are written in JSON, so a
message says ``an array`` or ``a string``, never ``list`` or ``str``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["json_type", "json_type_name", "with_article"]


def json_type(value: Any) -> str:
    """``null``, ``boolean``, ``number``, ``string``, ``array`` or ``object`` (JSON Schema's
    words; a tuple is an array); for anything else, its Python type name in lower case."""
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__.lower()


def with_article(word: str) -> str:
    """``a string``, ``an array``."""
    return f"{'an' if word[:1] in ('a', 'e', 'i', 'o', 'u') else 'a'} {word}"


def json_type_name(value: Any) -> str:
    """A value's JSON type as a message names it: ``a string``, ``an array``, ``null``."""
    return "null" if value is None else with_article(json_type(value))
