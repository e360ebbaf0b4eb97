"""``GET /metrics``: the service's figures in Prometheus text format (prometheus-client).

One registry per service (never the global one, so tests can run several). Gauges that
describe the queue are read when scraped.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.received = Counter(
            "actions_core_events_received", "Events acknowledged by the intake (queued).",
            registry=r,
        )
        self.duplicates = Counter(
            "actions_core_events_duplicate",
            "Events acknowledged but not queued again (messageId seen within the window).",
            registry=r,
        )
        self.refused = Counter(
            "actions_core_requests_refused", "Intake requests refused, per HTTP status.",
            ["status"], registry=r,
        )
        self.outcomes = Counter(
            "actions_core_outcomes", "Recorded outcomes per mapping and outcome.",
            ["mapping", "outcome"], registry=r,
        )
        self.destination_requests = Counter(
            "actions_core_destination_requests",
            "Requests to the destination (LaunchDarkly) per HTTP status ('error': no answer).",
            ["status"], registry=r,
        )
        self.retries = Counter(
            "actions_core_destination_retries", "Destination requests attempted again.",
            registry=r,
        )
        self.request_latency = Histogram(
            "actions_core_destination_request_seconds", "Destination request latency.",
            registry=r,
        )
        self.intake_latency = Histogram(
            "actions_core_intake_request_seconds",
            "Intake request latency, including the durable commit.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=r,
        )
        self.paused = Gauge(
            "actions_core_delivery_paused", "1 while delivery is paused (see /ready).", registry=r
        )
        self.depth = Gauge("actions_core_queue_depth", "Events pending in the queue.", registry=r)
        self.oldest_age = Gauge(
            "actions_core_queue_oldest_pending_age_seconds",
            "Age of the oldest pending event (0 when none).", registry=r,
        )

    def watch_queue(self, depth: Callable[[], float], oldest_age: Callable[[], float]) -> None:
        self.depth.set_function(depth)
        self.oldest_age.set_function(oldest_age)

    def render(self) -> bytes:
        return generate_latest(self.registry)


__all__ = ["CONTENT_TYPE", "Metrics"]
