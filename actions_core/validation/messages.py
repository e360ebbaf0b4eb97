"""The English of payload and settings validation errors.

The texts reproduce Segment's ``@segment/ajv-human-errors`` (``fieldLabels: 'title'``), the
formatter behind the reference's ``AggregateAjvError``, so users see the messages they already
know: the subject is the field's label (its schema ``title``), else ``the value at /json/pointer``,
else ``the root value``; the first letter is capitalised and a full stop ends each message.
No message ever contains the offending value, only its JSON type, so a secret cannot leak here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from actions_core.js import js_number_to_string, json_stringify
from actions_core.json_types import json_type_name, with_article


def humanize_list(items: Sequence[str], conjunction: str) -> str:
    """``a``, ``a or b``, ``a, b, or c`` (Oxford comma), ``nothing`` for an empty list."""
    if not items:
        return "nothing"
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} {conjunction} {items[1]}"
    return f"{', '.join(items[:-1])}, {conjunction} {items[-1]}"




def _subject(title: str | None, path: str) -> str:
    """Who the message is about; capitalised like ajv-human-errors' ``capitalize``."""
    if title:
        text = title
    elif path:
        text = f"the value at {path}"
    else:
        text = "the root value"
    return text[:1].upper() + text[1:]


def required_message(title: str | None, path: str, key: str) -> str:
    return f"{_subject(title, path)} is missing the required field '{key}'."


def type_message(title: str | None, path: str, types: Sequence[str], value: Any) -> str:
    expected = humanize_list(types, "or")
    return f"{_subject(title, path)} must be {with_article(expected)} but it was {json_type_name(value)}."


def enum_message(title: str | None, path: str, allowed: str) -> str:
    """``allowed`` is :func:`allowed_list` of the choices, computed once per field."""
    return f"{_subject(title, path)} must be one of: {allowed}."


def allowed_list(values: Sequence[Any]) -> str:
    return humanize_list([json_stringify(v) for v in values], "or")


def format_message(title: str | None, path: str, label: str) -> str:
    return f"{_subject(title, path)} must be a valid {label} string but it was not."


def _characters(count: int) -> str:
    return f"{count} character" + ("" if count == 1 else "s")


def length_message(title: str | None, path: str, limit: int, actual: int, *, most: bool) -> str:
    """A string longer (``most``) or shorter than its limit; ``actual`` counts UTF-16 code
    units, as JavaScript's ``length`` does."""
    bound = "or fewer" if most else "or more"
    return (
        f"{_subject(title, path)} must be {_characters(limit)} {bound} "
        f"but it was {_characters(actual)}."
    )


def limit_message(title: str | None, path: str, limit: float, *, most: bool) -> str:
    relation = "less" if most else "greater"
    return f"{_subject(title, path)} must be equal to or {relation} than {js_number_to_string(limit)}."


def then_message(path: str) -> str:
    """The companion of the required-field messages of a conditional requirement that holds."""
    return f'{_subject(None, path)} must match "then" schema.'


__all__ = [
    "allowed_list",
    "enum_message",
    "format_message",
    "humanize_list",
    "length_message",
    "limit_message",
    "required_message",
    "then_message",
    "type_message",
]
