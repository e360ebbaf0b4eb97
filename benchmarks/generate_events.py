"""Seeded synthetic Engage audience events, the same ones the reference's bench generates.

This is a line-for-line port of ``generateEvents`` in ``../shared/oracle/bench.js`` (mulberry32
seeded with 42): with the same seed and count, the file written here holds exactly the events
the reference benchmarks, so both sides measure the same work.

    python benchmarks/generate_events.py --n 100000 --out benchmarks/data/events-100k.jsonl
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_MASK = 0xFFFFFFFF

AUDIENCE_KEYS = [
    "high_value_customers",
    "trial_users",
    "churn_risk",
    "power_users",
    "newsletter_subscribers",
    "cart_abandoners",
    "mobile_app_users",
    "enterprise_accounts",
    "recent_signups",
    "dormant_users",
]
AUDIENCES = [(key, f"aud_{i:03d}_{key[:4]}") for i, key in enumerate(AUDIENCE_KEYS)]


def mulberry32(seed: int) -> Callable[[], float]:
    """JavaScript's mulberry32 PRNG with 32-bit wrap-around, as the reference bench uses it."""
    state = seed & _MASK

    def imul(a: int, b: int) -> int:
        return (a * b) & _MASK

    def next_float() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & _MASK
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & _MASK
        return ((t ^ (t >> 14)) & _MASK) / 4294967296

    return next_float


def generate_events(n: int, seed: int = 42) -> Iterator[dict[str, Any]]:
    rnd = mulberry32(seed)
    base = datetime(2024, 5, 1, tzinfo=UTC)
    for i in range(n):
        key, audience_id = AUDIENCES[int(rnd() * len(AUDIENCES))]
        member = rnd() < 0.6
        user_no = int(rnd() * 50000)
        user_id = f"user-{user_no}"
        email = f"user{user_no}@example.com"
        ts = (base + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        context = {
            "library": {"name": "unknown", "version": "unknown"},
            "personas": {
                "computation_class": "audience",
                "computation_key": key,
                "computation_id": audience_id,
                "space_id": "spa_bench",
            },
            "traits": {"email": email},
        }
        if rnd() < 0.5:
            yield {
                "type": "identify",
                "messageId": f"personas_{i}",
                "timestamp": ts,
                "userId": user_id,
                "anonymousId": f"anon-{user_no}",
                "traits": {"email": email, key: member},
                "context": context,
            }
        else:
            yield {
                "type": "track",
                "event": "Audience Entered" if member else "Audience Exited",
                "messageId": f"personas_{i}",
                "timestamp": ts,
                "userId": user_id,
                "anonymousId": f"anon-{user_no}",
                "properties": {"audience_key": key, key: member},
                "context": context,
            }


def write_events(path: Path, n: int, seed: int = 42) -> Path:
    """Write ``n`` events as compact JSON lines (the bytes JSON.stringify would produce)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for event in generate_events(n, seed):
            out.write(json.dumps(event, separators=(",", ":")))
            out.write("\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    write_events(args.out, args.n, args.seed)


if __name__ == "__main__":
    main()
