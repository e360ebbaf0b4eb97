"""Setting values checked where the payload rules are too lenient for a config.

Payload rules follow the reference, which coerces a value to a field's type (``true`` becomes
``"true"`` for a string) and treats ``""`` as missing. A setting is written by a person, once,
so it is held to what it says (docs/operations.md, "Secrets"):

* a ``string``/``text``/``password`` setting must be a string, as written (a YAML ``true`` or
  ``123`` is a type error, not silently a string: quote it when it is meant as text; lists
  and mappings the payload rules refuse already);
* a required one must not be empty (``""`` is not "missing": it was written);
* a ``password`` (an API token) is sent in an HTTP header, so it must be printable ASCII with
  no white space at either end. Otherwise it fails only at the first request, as a traceback
  or a network error retried five times.

Messages name the setting and never its value: it may be a secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from actions_core.definitions import Field

_STRING_TYPES = frozenset({"string", "text", "password"})


def _kind(value: bool | float) -> str:
    return "a boolean" if isinstance(value, bool) else "a number"


def setting_problems(fields: Sequence[Field], settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(setting key, message)`` for each setting value that a config must not hold."""
    problems: list[tuple[str, str]] = []
    for field in fields:
        if field.key not in settings or field.type not in _STRING_TYPES:
            continue
        value = settings[field.key]
        if value is None:
            continue  # unset: the payload rules say whether it is required
        if isinstance(value, bool | int | float):  # what the payload rules would coerce
            problems.append((
                field.key,
                f"expected a string, found {_kind(value)}; quote it if it is meant as text",
            ))
        elif value == "":
            if field.required:
                problems.append((field.key, "must not be empty"))
        elif field.is_secret and isinstance(value, str):
            message = _secret_problem(value)
            if message:
                problems.append((field.key, message))
    return problems


def _secret_problem(value: str) -> str | None:
    """Why a secret cannot go into an HTTP header as it is; never quotes it."""
    if value != value.strip():
        return (
            "has white space at its start or end; remove it (the value is sent in an HTTP "
            "header exactly as written)"
        )
    for position, char in enumerate(value, 1):
        if not " " <= char <= "~":
            what = "a control character" if char.isascii() else "a character that is not ASCII"
            return (
                f"holds {what} at position {position}; expected printable ASCII only (the value "
                "is sent in an HTTP header), which a copied token is: check what was pasted"
            )
    return None


__all__ = ["setting_problems"]
