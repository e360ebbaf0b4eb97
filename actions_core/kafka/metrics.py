"""Prometheus metrics of a consume worker, served on ``--metrics-port``.

Its own registry (not the process-wide default), so that several workers in one process
(tests) do not clash. What is exported (docs/kafka.md, "Metrics"):

* ``actions_core_outcomes_total{outcome}``: outcome records (interruptions are not outcomes);
* ``actions_core_requests_total``: requests to the destination (retries not counted);
* ``actions_core_commits_total`` and ``actions_core_committed_offset{partition}``;
* ``actions_core_consumer_lag{partition}``: high watermark minus position, where the broker
  reports a high watermark;
* ``actions_core_paused``: 1 while the worker waits for credentials or a rate limit.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

from actions_core.kafka.interruptions import interruption_of
from actions_core.runtime.outcomes import OutcomeRecord


class WorkerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.outcomes = Counter(
            "actions_core_outcomes", "Outcome records.", ["outcome"], registry=r
        )
        self.requests = Counter(
            "actions_core_requests", "Requests to the destination.", registry=r
        )
        self.commits = Counter("actions_core_commits", "Offset commits.", registry=r)
        self.committed = Gauge(
            "actions_core_committed_offset", "Last committed offset.", ["partition"], registry=r
        )
        self.lag = Gauge(
            "actions_core_consumer_lag", "High watermark minus position.", ["partition"],
            registry=r,
        )
        self.paused = Gauge("actions_core_paused", "1 while delivery is paused.", registry=r)

    def serve(self, port: int, host: str = "0.0.0.0") -> None:
        """Serve ``/metrics`` on ``port`` (a daemon thread)."""
        start_http_server(port, addr=host, registry=self.registry)

    def record(self, records: Sequence[OutcomeRecord]) -> None:
        """An outcome sink: counts per outcome."""
        tally = Tally(r.outcome.value for r in records if interruption_of(r) is None)
        for outcome, count in tally.items():
            self.outcomes.labels(outcome).inc(count)


__all__ = ["WorkerMetrics"]
