"""A stand-in for ``ctx.request`` so perform/perform_batch can be tested without the engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from actions_core import ExecutionContext

SETTINGS: dict[str, Any] = {"apiKey": "api-key-123", "clientId": "env-client-id"}
SYNC_URL = "https://app.launchdarkly.com/api/v2/segment-targets/segment-audiences"

Responder = Callable[[str, str, Any], "int | BaseException"]


@dataclass
class FakeRequest:
    """Records every call; answers 204 unless ``responder`` says otherwise (a status, or an
    exception to raise as the real client would after its retries)."""

    responder: Responder | None = None
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    def __call__(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        self.calls.append((method, url, json))
        answer = self.responder(method, url, json) if self.responder else 204
        if isinstance(answer, BaseException):
            raise answer
        return httpx.Response(answer)

    @property
    def bodies(self) -> list[Any]:
        return [body for _, _, body in self.calls]


def make_ctx(
    responder: Responder | None = None, settings: Mapping[str, Any] | None = None
) -> tuple[ExecutionContext, FakeRequest]:
    fake = FakeRequest(responder)
    return ExecutionContext(settings=dict(settings or SETTINGS), request=fake), fake


def payload(**overrides: Any) -> dict[str, Any]:
    """A validated payload as the default mapping makes it from an identify add."""
    base: dict[str, Any] = {
        "segment_audience_id": "aud_trial_001",
        "segment_audience_key": "trial_users",
        "segment_computation_action": "audience",
        "context_kind": "user",
        "segment_user_id": "user-001",
        "segment_anonymous_id": "anon-001",
        "user_email": "one@example.com",
        "context_key": "user_id_only",
        "traits_or_props": {"trial_users": True},
        "enable_batching": True,
    }
    for key, value in overrides.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def member(user_id: str, value: bool, *, name: str = "Trial users", cid: str = "aud_trial_001") -> dict[str, Any]:
    return {"userId": user_id, "cohortName": name, "cohortId": cid, "value": value}


def identify(
    user_id: str | None = "user-001",
    *,
    key: str = "trial_users",
    audience_id: str = "aud_trial_001",
    member: Any = True,
    computation_class: str = "audience",
    **extra: Any,
) -> dict[str, Any]:
    """An Engage identify event as the contract describes it (no test-event defaults)."""
    event: dict[str, Any] = {
        "type": "identify",
        "traits": {key: member},
        "context": {"personas": _personas(key, audience_id, computation_class)},
    }
    if user_id is not None:
        event["userId"] = user_id
    event.update(extra)
    return event


def track(
    user_id: str | None = "user-003",
    *,
    key: str = "power_users",
    audience_id: str = "aud_power_002",
    member: Any = True,
    computation_class: str = "audience",
    **extra: Any,
) -> dict[str, Any]:
    """An Engage track event ("Audience Entered" / "Audience Exited")."""
    event: dict[str, Any] = {
        "type": "track",
        "event": "Audience Entered" if member is True else "Audience Exited",
        "properties": {"audience_key": key, key: member},
        "context": {"personas": _personas(key, audience_id, computation_class)},
    }
    if user_id is not None:
        event["userId"] = user_id
    event.update(extra)
    return event


def _personas(key: str, audience_id: str, computation_class: str) -> dict[str, Any]:
    """``context.personas`` as Engage sends it for an audience or a journey step."""
    return {
        "computation_class": computation_class,
        "computation_key": key,
        "computation_id": audience_id,
        "space_id": "spa_1",
    }
