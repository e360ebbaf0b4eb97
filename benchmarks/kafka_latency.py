"""Delay from ``serve`` to LaunchDarkly through Kafka at a steady rate: p50/p99/max.

    python benchmarks/kafka_latency.py                         # 1,000 events/s for 30 s
    python benchmarks/kafka_latency.py --rate 500 --seconds 10 --max-wait 1.0

Everything runs on this machine: a Kafka-protocol broker (Tansu), ``actions-core serve
--queue kafka://...``, one ``actions-core consume`` worker and the LaunchDarkly stand-in of
the tests. A sender posts a batch of events every ``--tick`` (50 ms) (each event a new user, so each
membership is written once); the delay of an event is the time from just before its POST to
the stand-in applying its membership, so it covers the intake, the broker's acknowledgement,
the consumer's fetch, batching (``--max-wait``), the request and the stand-in.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.kafka_broker import KafkaBroker  # noqa: E402
from tests.ld_server import LaunchDarklyServer, MembershipKey  # noqa: E402
from tests.serve_process import (  # noqa: E402
    CLIENT_ID,
    TOKEN,
    ServeProcess,
    actions_core,
    serve_env,
    write_config,
)

AUDIENCES = [(f"aud_{n:03d}", f"audience_{n}") for n in range(10)]


class TimedStandIn(LaunchDarklyServer):
    """The stand-in, noting when each membership was first applied."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.applied_at: dict[MembershipKey, float] = {}

    def _answer(self, method: str, path: str, authorization: str | None, body: Any) -> tuple[int, Any]:
        status, answer = super()._answer(method, path, authorization, body)
        if status == 204:
            now = time.monotonic()
            for item in body["batch"]:
                self.applied_at.setdefault((item["cohortId"], item["userId"]), now)
        return status, answer


def event(n: int, rng: random.Random) -> dict[str, Any]:
    audience_id, key = rng.choice(AUDIENCES)
    return {
        "type": "track", "event": "Audience Entered", "messageId": f"m-{n}", "userId": f"u-{n}",
        "properties": {"audience_key": key, key: True},
        "context": {"personas": {"computation_class": "audience", "computation_key": key,
                                 "computation_id": audience_id}},
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=1000, help="events per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--tick", type=float, default=0.05, help="seconds between two POSTs")
    parser.add_argument("--max-wait", type=float, default=0.1,
                        help="consume --max-wait: how long a partial batch waits")
    args = parser.parse_args()
    per_tick = max(1, round(args.rate * args.tick))
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp, KafkaBroker() as broker, \
            TimedStandIn(token=TOKEN, client_id=CLIENT_ID) as ld:
        folder = Path(tmp)
        config = write_config(folder / "config.yaml", ld.url)
        queue = f"kafka://{broker.bootstrap}/latency"
        with ServeProcess(folder, config, "--queue", queue, queue_default=True) as serve:
            log = folder / "consume.log"
            with open(log, "wb") as out:
                worker = subprocess.Popen(
                    [*actions_core(), "consume", str(config), "--queue", queue, "--group", "lat",
                     "--session-timeout", "6", "--max-wait", str(args.max_wait)],
                    stdout=out, stderr=out, cwd=folder, env=serve_env(),
                )
            try:
                while "assigned partitions [" not in log.read_text():
                    time.sleep(0.05)
                sent_at: dict[MembershipKey, float] = {}
                n = 0
                start = time.monotonic()
                ticks = int(args.seconds / args.tick)
                for tick in range(ticks):
                    time.sleep(max(0.0, start + tick * args.tick - time.monotonic()))
                    batch = [event(n + i, rng) for i in range(per_tick)]
                    n += per_tick
                    now = time.monotonic()
                    for e in batch:
                        sent_at[(e["context"]["personas"]["computation_id"], e["userId"])] = now
                    answer = serve.post("/v1/batch", {"batch": batch})
                    if answer.status != 200:
                        raise SystemExit(f"serve answered {answer.status}: {answer.body!r}")
                achieved = n / (time.monotonic() - start)
                if not ld.wait_until(lambda s: len(s.applied_at) >= n, timeout=120):
                    raise SystemExit(f"only {len(ld.applied_at)} of {n} applied; see {log}")
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
            serve.terminate()
    delays = [ld.applied_at[key] - sent for key, sent in sent_at.items()]
    print(
        f"{n:,} events at {achieved:,.0f}/s (asked {args.rate:,}), consume --max-wait "
        f"{args.max_wait:g}: delay p50 {percentile(delays, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(delays, 0.99) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
