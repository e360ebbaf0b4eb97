"""The destination's requests, counted and timed for ``/metrics``.

An httpx transport around the real one (or the dry run's), so the engine's whole request path
runs unchanged and every attempt (retries included) is seen once.
"""

from __future__ import annotations

import time

import httpx

from actions_core.serve.metrics import Metrics


class MeteredTransport(httpx.BaseTransport):
    """Counts per status (``error`` when no answer came) and times every attempt."""

    def __init__(self, inner: httpx.BaseTransport, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = self._inner.handle_request(request)
        except Exception:
            self._metrics.destination_requests.labels("error").inc()
            raise
        finally:
            self._metrics.request_latency.observe(time.perf_counter() - started)
        self._metrics.destination_requests.labels(str(response.status_code)).inc()
        return response

    def close(self) -> None:
        """Kept open: each delivery cycle's engine closes its client, and the next one
        reuses this transport (and its connection pool)."""

    def shutdown(self) -> None:
        self._inner.close()


__all__ = ["MeteredTransport"]
