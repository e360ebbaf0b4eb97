"""The secret-leak guard: fails a test when a ``password`` setting's value shows up where
people read (request snapshots, captured logs, outcome records).

The framework redacts secrets where it knows to (the engine's messages, snapshot headers and
bodies). The guard is the net under that: it looks for each secret as written, in the encoded
spellings a request gives it (percent- and JSON-escaped) and base64-encoded at any offset
(``Authorization: Basic base64(user:token)``, a token packed into a header or body). It
reports where the leak is and which setting leaked, never the value.

Secrets shorter than :data:`MIN_GUARDED_LENGTH` characters are not guarded: a test key such
as ``"k"`` would match ordinary text. Use realistic test secrets.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from actions_core.definitions import Destination
from actions_core.redaction import Redactor
from actions_core.runtime.outcomes import OutcomeRecord

MIN_GUARDED_LENGTH: Final = 4
_MIN_BASE64_LENGTH: Final = 6


class SecretLeakError(AssertionError):
    """A secret's value appears in something a person reads (the message never holds it)."""


@dataclass(frozen=True)
class Secret:
    """A ``password`` setting's key and value. The value never shows in a repr."""

    setting: str
    value: str = field(repr=False)

    def spellings(self) -> list[tuple[str, str]]:
        """``(how, text)`` pairs to look for: as written and encoded."""
        found: list[tuple[str, str]] = [("as is", self.value)]
        found += [("encoded", s) for s in Redactor([self.value]).secrets if s != self.value]
        if len(self.value) >= _MIN_BASE64_LENGTH:
            found += [("base64-encoded", core) for core in _base64_cores(self.value)]
        return found


def _base64_cores(value: str) -> set[str]:
    """The part of the base64 text that any encoding containing ``value`` must contain, for
    each of the three alignments the value can start at (standard and URL-safe alphabets)."""
    raw = value.encode("utf-8")
    cores: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = (offset * 4 + 2) // 3
        end = (offset + len(raw)) * 8 // 6
        core = encoded[start:end]
        if len(core) >= _MIN_BASE64_LENGTH:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def secrets_of(destination: Destination, settings: Mapping[str, Any]) -> tuple[Secret, ...]:
    """The guarded secrets among ``settings``: every ``password`` setting with a value of at
    least :data:`MIN_GUARDED_LENGTH` characters, whatever the setting is called."""
    secrets = []
    for key in destination.secret_settings:
        value = settings.get(key)
        if value is not None and len(str(value)) >= MIN_GUARDED_LENGTH:
            secrets.append(Secret(key, str(value)))
    return tuple(secrets)


def find_leaks(text: str, secrets: Sequence[Secret]) -> list[str]:
    """How each leaking secret appears in ``text`` (``"'apiKey' (as is)"``); empty when clean."""
    leaks = []
    for secret in secrets:
        for how, spelling in secret.spellings():
            if spelling in text:
                leaks.append(f"{secret.setting!r} ({how})")
                break
    return leaks


def check_texts(items: Iterable[tuple[str, str]], secrets: Sequence[Secret]) -> None:
    """Raise :class:`SecretLeakError` listing every ``(where, text)`` item holding a secret."""
    if not secrets:
        return
    problems = [
        f"{where} contains the value of password setting {leak}"
        for where, text in items
        for leak in find_leaks(text, secrets)
    ]
    if problems:
        raise SecretLeakError(
            "Secret leak: " + "; ".join(problems) + ". Secrets must never appear in output, "
            "logs, errors or snapshots."
        )


def as_text(data: Any) -> str:
    """JSON-like data as one text to search (non-JSON values by ``str``)."""
    if isinstance(data, str):
        return data
    return json.dumps(data, ensure_ascii=False, default=str)


def check_outcomes(records: Sequence[OutcomeRecord], secrets: Sequence[Secret]) -> None:
    """Guard outcome records. The ``event`` they carry is the test's own input, not output
    of the code under test, so it is not searched."""
    items = []
    for record in records:
        data = record._asdict()
        data.pop("event", None)
        items.append((f"the outcome of line {record.line}", as_text(data)))
    check_texts(items, secrets)


__all__ = [
    "MIN_GUARDED_LENGTH",
    "Secret",
    "SecretLeakError",
    "as_text",
    "check_outcomes",
    "check_texts",
    "find_leaks",
    "secrets_of",
]
