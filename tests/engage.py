"""Engage audience events for tests (one, or many seeded for whole runs), and the LaunchDarkly
state they must leave (:class:`tests.ld_server.LaunchDarklyServer` applies changes in the
order it gets them)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from tests.ld_server import MembershipKey

AUDIENCES = (
    ("aud_trial_001", "trial_users"),
    ("aud_power_002", "power_users"),
    ("aud_churn_003", "churn_risk"),
    ("aud_vip_004", "VIP_big_Spenders"),
)


def engage_event(user: str, member: bool = True, **extra: Any) -> dict[str, Any]:
    """An Engage identify event for the preset's trigger (audience ``aud_trial_001``)."""
    return {
        "type": "identify",
        "userId": user,
        "traits": {"trial_users": member},
        "context": {"personas": {
            "computation_class": "audience", "computation_key": "trial_users",
            "computation_id": "aud_trial_001",
        }},
        **extra,
    }


def engage_events(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Identify and track events of Engage audiences; 300 users enter and leave audiences
    again and again, so the last event per user and audience decides its membership."""
    rng = random.Random(seed)
    events = []
    for n in range(count):
        audience_id, audience_key = rng.choice(AUDIENCES)
        user = f"user-{rng.randrange(300):03d}"
        member = rng.random() < 0.6
        personas = {
            "computation_class": "audience",
            "computation_key": audience_key,
            "computation_id": audience_id,
        }
        event: dict[str, Any] = {"messageId": f"msg-{n:05d}", "userId": user}
        if rng.random() < 0.5:
            event |= {"type": "identify", "traits": {audience_key: member}}
        else:
            event |= {
                "type": "track",
                "event": "Audience Entered" if member else "Audience Exited",
                "properties": {"audience_key": audience_key, audience_key: member},
            }
        event["context"] = {"personas": personas}
        events.append(event)
    return events


def last_membership(events: list[dict[str, Any]]) -> dict[MembershipKey, bool]:
    """What LaunchDarkly must hold: the last value per (audience id, context key), in input
    order."""
    state: dict[MembershipKey, bool] = {}
    for event in events:
        personas = event["context"]["personas"]
        values = event.get("properties") or event["traits"]
        state[(personas["computation_id"], event["userId"])] = values[personas["computation_key"]]
    return state


def write_engage_events(path: Path, count: int) -> list[dict[str, Any]]:
    """``engage_events(count)`` written to ``path``, one JSON line each."""
    events = engage_events(count)
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return events


__all__ = ["AUDIENCES", "engage_event", "engage_events", "last_membership", "write_engage_events"]
