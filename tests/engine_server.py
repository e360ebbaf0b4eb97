"""An audience server on 127.0.0.1 for the engine's tests (the toy destination's other end).

Built on :class:`tests.http_server.LocalServer` (real HTTP/1.1, delays, connection resets); it
adds what the engine tests need: the membership state per (audience, key) after every
successful request, applied in the order the server received them, a token check (a wrong
``Authorization`` gets 401), and a failure *plan* that decides per request, deterministically,
whether to fail it and how.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from tests.http_server import LocalServer, Recorded, Reply
from tests.toy_destination import TOKEN

Plan = Callable[[int, dict[str, Any]], Reply | None]
"""(1-based request number, parsed body) -> a failure reply, or None to accept."""

OK = Reply(status=204, body=b"")


class AudienceServer(LocalServer):
    """``with AudienceServer(plan=...) as server: ... server.members ...``"""

    def __init__(self, *, plan: Plan | None = None, token: str = TOKEN) -> None:
        super().__init__()
        self.plan = plan
        self.token = token
        self.members: dict[tuple[str, str], bool] = {}
        self.accepted: list[dict[str, Any]] = []  # bodies of the successful requests, in order
        self.changed = threading.Condition()

    def __enter__(self) -> AudienceServer:
        super().__enter__()
        return self

    def _next(self, recorded: Recorded) -> Reply:
        body = json.loads(recorded.body) if recorded.body else {}
        with self._lock:
            self.requests.append(recorded)
            if recorded.header("Authorization") != self.token:
                reply = Reply(status=401, body={"code": "unauthorized", "message": "bad token"})
            else:
                reply = (self.plan(len(self.requests), body) if self.plan else None) or OK
            if reply.status < 300 and not (reply.close or reply.reset):
                self.accepted.append(body)
                for item in body.get("batch", []):
                    self.members[(body["audience"], item["key"])] = item["value"]
        with self.changed:
            self.changed.notify_all()
        self.received.set()
        return reply

    def items(self) -> int:
        """Members carried by the successful requests so far."""
        with self._lock:
            return sum(len(b.get("batch", [])) for b in self.accepted)

    def wait_for_items(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until the server accepted ``count`` members (generous bound; not a timing
        assertion: a pass never depends on how fast it was)."""
        with self.changed:
            return self.changed.wait_for(lambda: self.items() >= count, timeout)


# ---------------------------------------------------------------------- failure plans


def fail_first(count: int, reply: Reply) -> Plan:
    """The first ``count`` requests get ``reply``."""
    return lambda number, body: reply if number <= count else None


def fail_every_third_once(reply: Reply) -> Plan:
    """The first attempt of every third distinct request body fails; its retry succeeds.
    Deterministic whatever order concurrent requests arrive in."""
    seen: dict[str, int] = {}

    def plan(number: int, body: dict[str, Any]) -> Reply | None:
        text = json.dumps(body, sort_keys=True)
        if text in seen:
            return None
        seen[text] = len(seen)
        return reply if seen[text] % 3 == 0 else None

    return plan


def fail_audience(audience: str, reply: Reply) -> Plan:
    """Every request for ``audience`` gets ``reply``."""
    return lambda number, body: reply if body.get("audience") == audience else None
