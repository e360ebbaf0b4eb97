"""Generate ``engage-events.jsonl``: Segment Engage audience events for the example config.

Seeded, so the committed file is reproducible: ``python examples/make_events.py``. The mix:
identify and track (Audience Entered / Exited) adds and removes over several audiences,
journey steps, and on purpose a few lines that do not go through: lines that are not JSON or
not a JSON object (``invalid``), page events no mapping matches (``filtered``), and events
whose payload fails validation or has no context key (``rejected``).
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20240501
COUNT = 300
OUT = Path(__file__).with_name("engage-events.jsonl")

AUDIENCES = [  # (computation_key, computation_id, computation_class)
    ("trial_users", "aud_trial_001", "audience"),
    ("power_users", "aud_power_002", "audience"),
    ("newsletter_readers", "aud_news_004", "audience"),
    ("VIP_big_Spenders", "aud_vip_005", "audience"),
    ("onboarding_step_1", "jny_step_003", "journey_step"),
    ("onboarding_step_2", "jny_step_006", "journey_step"),
]
SPACE_ID = "spa_example"
START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def personas(key: str, audience_id: str, computation_class: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"computation_key": key, "computation_id": audience_id, "space_id": SPACE_ID}
    if computation_class is not None:
        out["computation_class"] = computation_class
    return out


def engage_event(rng: random.Random, n: int) -> dict[str, Any]:
    """An identify or track audience event for a random user and audience."""
    key, audience_id, computation_class = rng.choice(AUDIENCES)
    user = rng.randint(1, 120)
    member = rng.random() < 0.65
    email = f"user{user:03d}@example.com"
    common: dict[str, Any] = {
        "messageId": f"msg-{n:04d}",
        "timestamp": (START + timedelta(seconds=n)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "userId": f"user-{user:03d}",
        "anonymousId": f"anon-{user:03d}",
    }
    if rng.random() < 0.5:
        return {
            "type": "identify",
            **common,
            "traits": {key: member, "email": email},
            "context": {"personas": personas(key, audience_id, computation_class)},
        }
    return {
        "type": "track",
        "event": "Audience Entered" if member else "Audience Exited",
        **common,
        "properties": {"audience_key": key, key: member},
        "context": {
            "personas": personas(key, audience_id, computation_class),
            "traits": {"email": email},
        },
    }


def odd_line(rng: random.Random, n: int, kind: int) -> str:
    """A line that does not make it: invalid, filtered or rejected, each kind in turn."""
    if kind == 0:
        return '{"type": "identify", "userId": "user-999", "traits": {'  # cut off: not JSON
    if kind == 1:
        return _dumps([{"type": "identify", "userId": "user-998"}])  # an array, not an object
    if kind == 2:
        return _dumps({"type": "page", "name": "Pricing", "userId": f"user-{n % 120 + 1:03d}"})
    event = engage_event(rng, n)
    if kind == 3:  # not an audience computation: fails the choices of the computation class
        event["context"]["personas"]["computation_class"] = "computed_trait"
    elif kind == 4:  # anonymous: no userId, so no context key under user_id_only
        del event["userId"]
    else:  # missing computation class: a required field is missing
        del event["context"]["personas"]["computation_class"]
    return _dumps(event)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def generate(count: int = COUNT, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    lines = []
    odd = 0
    for n in range(count):
        if n % 12 == 11:
            lines.append(odd_line(rng, n, odd % 6))
            odd += 1
        else:
            lines.append(_dumps(engage_event(rng, n)))
    return lines


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.write_text("\n".join(generate()) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
