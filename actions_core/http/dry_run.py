"""``actions-core run --dry-run``: show every request instead of sending it.

:class:`DryRunTransport` is an httpx transport, so the whole real path (request defaults,
JSON encoding, the retry loop) runs unchanged and only the network is replaced. Each request
becomes ONE compact JSON line::

    {"method":"POST","url":"https://...","headers":{"authorization":"***",...},"json":{...}}

Header names are lower-case and only the request's own headers are shown (not the ones httpx
adds for the transport: host, accept, accept-encoding, connection, content-length). Secrets
are masked through the :class:`~actions_core.redaction.Redactor`. Every request is answered
``204 No Content``, so destinations treat it as delivered.

Lines are UTF-8 bytes. Bodies can hold 1000 members (90 KB): a body the request client
encoded (compact JSON, marked with :data:`~actions_core.http.client.JSON_BODY_EXTENSION`) is copied
into the line as it is, never decoded and re-encoded; any other body is parsed once. The
redacted copy is built only when the line contains a secret.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx

from actions_core.http.client import JSON_BODY_EXTENSION
from actions_core.redaction import NO_SECRETS, Redactor

TRANSPORT_HEADERS = frozenset({"host", "accept", "accept-encoding", "connection", "content-length"})
"""Headers httpx adds to carry a request; they say nothing about what the destination sent."""


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class DryRunTransport(httpx.BaseTransport):
    """Writes each request as a JSON line (UTF-8 bytes, no trailing newline) through
    ``write`` and answers 204. Thread-safe: lines never interleave and ``count`` is exact."""

    def __init__(
        self, write: Callable[[bytes], None], *, redactor: Redactor | None = None
    ) -> None:
        self._write = write
        self._redactor = redactor or NO_SECRETS
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        """How many requests were written."""
        with self._lock:
            return self._count

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        line = self.render(request)
        with self._lock:
            self._write(line)
            self._count += 1
        return httpx.Response(204, request=request)

    def render(self, request: httpx.Request) -> bytes:
        """The line for ``request``, secrets masked."""
        redactor = self._redactor
        headers = redactor.redact_headers(
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in TRANSPORT_HEADERS
        )
        record: dict[str, Any] = {
            "method": request.method,
            "url": redactor.redact(str(request.url)),
            "headers": headers,
            "json": None,
        }
        content = request.read()
        # Compact JSON already: splice it in rather than parse and dump it again.
        spliceable = content and request.extensions.get(JSON_BODY_EXTENSION)
        if spliceable and not redactor.contains_bytes(content):
            head = _dumps(record)[: -len("null}")]
            if not redactor.contains(head):
                return b"".join((head.encode("utf-8", "backslashreplace"), content, b"}"))
        body: Any = None
        if content:
            try:
                body = json.loads(content)
            except ValueError:
                # Not JSON (a form or plain body): shown as text rather than dropped silently.
                record["body"] = redactor.redact(content.decode("utf-8", "replace"))
        record["json"] = body
        line = _dumps(record)
        if body is not None and redactor.contains(line):
            record["json"] = redactor.redact_obj(body)
            line = _dumps(record)
            if redactor.contains(line):  # a secret outside any string (a number): mask the text
                line = redactor.redact(line)
        return line.encode("utf-8", "backslashreplace")  # a lone surrogate as a JSON escape


__all__ = ["TRANSPORT_HEADERS", "DryRunTransport"]
