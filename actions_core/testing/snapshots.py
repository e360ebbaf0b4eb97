"""What a request snapshot holds, and how it is written: readable JSON, no secrets.

Per request, in send order: method, URL, the request's own headers and the parsed JSON body.
"Own" headers are those a destination or the framework chose, by an allow-list: the usual
ones (``authorization``, ``content-type``, ``user-agent``), any ``x-*`` header, and every
header the destination's request defaults name (``ld-api-version``). Transport headers (host,
content-length, accept-encoding, connection) are dropped: they say nothing about the
destination and change with the HTTP library.

A secret is replaced by a placeholder naming its setting (``<secret:apiKey>``), so a review
still sees where each credential goes; inside ``Basic`` credentials the decoded text is shown
with the placeholder. The result then passes the leak guard, which catches the encodings
this redaction does not undo.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from actions_core.testing.leak_guard import Secret, as_text, check_texts
from actions_core.testing.mock_http import Exchange, parse_json_body

SNAPSHOT_HEADERS: Final = frozenset({"authorization", "content-type", "user-agent"})
SNAPSHOT_HEADER_PREFIXES: Final = ("x-",)
_BASIC = re.compile(r"(?i)(basic)\s+([A-Za-z0-9+/=_-]+)")


def placeholder(setting: str) -> str:
    return f"<secret:{setting}>"


class _Masker:
    """Replaces every spelling of every secret with its placeholder."""

    def __init__(self, secrets: Sequence[Secret]) -> None:
        table: dict[str, str] = {}
        for secret in secrets:
            for how, spelling in secret.spellings():
                if how != "base64-encoded":
                    table.setdefault(spelling, placeholder(secret.setting))
        self._table = table
        ordered = sorted(table, key=lambda s: (-len(s), s))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def text(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._table[m.group(0)], text)

    def obj(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, Mapping):
            return {self.text(str(k)): self.obj(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [self.obj(v) for v in obj]
        return obj

    def header(self, value: str) -> str:
        match = _BASIC.fullmatch(value.strip())
        if match is not None and self._pattern is not None:
            try:
                decoded = base64.b64decode(match.group(2), validate=False).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = None
            if decoded is not None and self._pattern.search(decoded):
                return f"{match.group(1)} base64({self.text(decoded)})"
        return self.text(value)


def is_own_header(name: str, extra: Iterable[str] = ()) -> bool:
    """Whether a (lower-case) header belongs in a snapshot."""
    return (
        name in SNAPSHOT_HEADERS
        or name.startswith(SNAPSHOT_HEADER_PREFIXES)
        or name in {e.lower() for e in extra}
    )


def request_snapshot_data(
    exchanges: Sequence[Exchange],
    secrets: Sequence[Secret],
    *,
    extra_headers: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """The snapshot of ``exchanges``: one entry per request, secrets replaced, then guarded.

    Raises :class:`~actions_core.testing.SecretLeakError` when a secret survives redaction.
    """
    masker = _Masker(secrets)
    extra = {e.lower() for e in extra_headers}
    entries: list[dict[str, Any]] = []
    for exchange in exchanges:
        request = exchange.request
        headers = {
            name.lower(): masker.header(value)
            for name, value in sorted(request.headers.items())
            if is_own_header(name.lower(), extra)
        }
        entry: dict[str, Any] = {
            "method": request.method,
            "url": masker.text(str(request.url)),
            "headers": headers,
        }
        body = parse_json_body(request.content)
        if body is not None:
            entry["json"] = masker.obj(body)
        elif request.content:
            entry["body"] = masker.text(request.content.decode("utf-8", "replace"))
        entries.append(entry)
    placeholders = [placeholder(s.setting) for s in secrets]
    check_texts(
        (
            (f"request {i + 1} of the snapshot", _without(as_text(e), placeholders))
            for i, e in enumerate(entries)
        ),
        secrets,
    )
    return entries


def _without(text: str, placeholders: Sequence[str]) -> str:
    """``text`` minus the placeholders, which may spell a secret themselves (``"secret"``)."""
    for p in placeholders:
        text = text.replace(p, " ")
    return text


def render_snapshot(data: Any) -> str:
    """The snapshot file's text: indented JSON, keys in the order sent, a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


__all__ = [
    "SNAPSHOT_HEADERS",
    "SNAPSHOT_HEADER_PREFIXES",
    "is_own_header",
    "placeholder",
    "render_snapshot",
    "request_snapshot_data",
]
