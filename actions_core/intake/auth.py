"""Write keys: who may send events to ``serve``.

Keys come from ``ACTIONS_CORE_WRITE_KEY`` (comma-separated for several). A request presents
one as HTTP Basic user name with an empty password (Segment's libraries do) or as
``writeKey`` in the body. Keys are compared in constant time against every configured key, and
never logged. Without any key, ``serve`` accepts every request, so it only binds to a loopback
address (:func:`check_bind`).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import os
from collections.abc import Mapping

WRITE_KEY_ENV = "ACTIONS_CORE_WRITE_KEY"


class WriteKeys:
    """The configured keys (possibly none: open, loopback only)."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self._keys = tuple(key.encode() for key in keys)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> WriteKeys:
        raw = env.get(WRITE_KEY_ENV, "")
        return cls(tuple(k.strip() for k in raw.split(",") if k.strip()))

    @property
    def required(self) -> bool:
        return bool(self._keys)

    def secrets(self) -> tuple[str, ...]:
        return tuple(key.decode() for key in self._keys)

    def valid(self, key: str | None) -> bool:
        """Whether ``key`` is one of the keys (always true without keys)."""
        if not self._keys:
            return True
        if key is None:
            return False
        candidate = key.encode()
        found = False
        for known in self._keys:  # no early exit: the time does not say which key matched
            found |= hmac.compare_digest(candidate, known)
        return found


def basic_user(header: str | None) -> str | None:
    """The user name of an ``Authorization: Basic`` header, or ``None``."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[0]


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` only reaches this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, keys: WriteKeys) -> str | None:
    """Why binding ``host`` is refused (no key, not loopback), or ``None``."""
    if keys.required or is_loopback(host):
        return None
    return (
        f"refusing to listen on {host} without a write key: set {WRITE_KEY_ENV} "
        "(comma-separated for several) or bind to a loopback address such as 127.0.0.1"
    )


__all__ = ["WRITE_KEY_ENV", "WriteKeys", "basic_user", "check_bind", "is_loopback"]
