"""Performing: one batch's ``perform``/``perform_batch`` call, and its events' results.

The :class:`Performer` runs on the dispatcher's worker threads and hands each call's results
forward to the :class:`~actions_core.runtime.recorder.OutcomeRecorder` (which the reader and
the router feed too):

* ``perform_batch`` returns one :class:`ItemResult` per payload, or ``None`` when all were
  delivered; ``perform`` returns an ItemResult, a response or ``None`` (delivered). A
  delivered record without a status takes the call's last HTTP status.
* An exception applies to that call's events only (failure isolation: other batches, for
  other audiences or later ones, are unaffected), classified by
  :func:`~actions_core.runtime.outcomes.outcome_for_exception`.
* An interruption (:class:`~actions_core.errors.DeliveryInterrupted`: a signal through
  :meth:`Performer.interrupt`, a 401/403, a rate limit longer than the retry budget) stops
  sending: the client stops (waiting retries give up at once) and the call that met it, and
  every batch not yet sent, is recorded ``pending``, never ``failed``: a resume or a replay
  sends it (docs/framework.md, "Delivery guarantees").
* The recorder redacts every error message before it is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import httpx

from actions_core.definitions import ExecutionContext, Settings
from actions_core.errors import AuthenticationError, DeliveryInterrupted
from actions_core.http.client import RequestClient
from actions_core.http.retry import is_retryable
from actions_core.runtime.batching import Batch
from actions_core.runtime.outcomes import ItemResult, Outcome
from actions_core.runtime.outcomes import outcome_for_exception as _outcome_for
from actions_core.runtime.recorder import OutcomeRecorder


class Performer:
    """Performs batches through ONE shared request client; hands their results to the
    :class:`~actions_core.runtime.recorder.OutcomeRecorder`."""

    def __init__(self, settings: Settings, client: RequestClient, recorder: OutcomeRecorder) -> None:
        self._settings = settings
        self._client = client
        self._redact = client.redactor.redact  # also masks credential header values
        self._recorder = recorder
        self._lock = threading.Lock()
        self._pending: ItemResult | None = None  # every unsent event's result once interrupted
        self.interrupted: DeliveryInterrupted | None = None
        """What stopped the run's sending (the first interruption), or ``None``."""
        self.reason: str | None = None
        """Why, in words (redacted)."""

    def perform(self, batch: Batch) -> None:
        """One perform or perform_batch call (on a worker thread); records every event."""
        n = len(batch.lines)
        if self._pending is not None:
            self._recorder.record_batch(batch, [self._pending] * n)
            return
        session = self._client.session()
        ctx = ExecutionContext(self._settings, session, batch.subscription.name)
        action = batch.subscription.action
        results: Sequence[ItemResult] | None
        try:
            if batch.single:
                results = _single_results(action.perform(ctx, batch.payloads[0]))
            else:
                assert action.perform_batch is not None
                results = action.perform_batch(ctx, batch.payloads)
                if results is not None:
                    results = _checked(results, n)
        except AuthenticationError as exc:  # every later request would be refused too
            self.interrupt(DeliveryInterrupted(str(exc)))
            results = [ItemResult(Outcome.PENDING, exc.status, str(exc), "AUTHENTICATION_FAILED")] * n
        except DeliveryInterrupted as exc:  # a long rate limit, or the run was stopped
            self.interrupt(exc)
            results = [self._not_sent()] * n
        except Exception as exc:  # failure isolation: this call's events only
            result = _outcome_for(exc)
            if self.interrupted is not None and is_retryable(exc):
                result = self._not_sent()  # its retries were cut short by the interruption
            results = [result] * n
        self._recorder.record_batch(batch, results, session.attempts, session.last_status)

    def record_pending(self, batch: Batch) -> None:
        """Record ``batch`` as not sent (once interrupted)."""
        self._recorder.record_batch(batch, [self._not_sent()] * len(batch.lines))

    def _not_sent(self) -> ItemResult:
        pending = self._pending
        assert pending is not None, "only once interrupted"
        return pending

    def interrupt(self, cause: DeliveryInterrupted) -> bool:
        """Stop sending (thread-safe; the first cause wins, and ``True`` says this was it):
        waiting retries give up, and every batch not yet sent is recorded ``pending``."""
        with self._lock:
            if self.interrupted is not None:
                return False
            self.reason = self._redact(cause.reason)
            message = f"Not sent: the run was interrupted ({self.reason}); a resume or a replay sends it"
            self._pending = ItemResult(Outcome.PENDING, None, message, "RUN_INTERRUPTED")
            self.interrupted = cause
        self._client.abort(cause.reason)
        return True


def _unexpected(message: str) -> ItemResult:
    return ItemResult(Outcome.FAILED, None, message, "UNEXPECTED_ERROR")


def _single_results(result: object) -> list[ItemResult] | None:
    """What ``perform`` returned, as the results of a one-event call (``None``: delivered)."""
    if result is None:
        return None
    if isinstance(result, ItemResult):
        return [result]
    if isinstance(result, httpx.Response):
        return [ItemResult.delivered(result.status_code)]
    return [_unexpected(f"perform returned {type(result).__name__}")]


def _checked(results: Sequence[object], n: int) -> list[ItemResult]:
    """``perform_batch``'s results, one ItemResult per payload, whatever it returned."""
    if len(results) != n:
        return [_unexpected(f"perform_batch returned {len(results)} results for {n} payloads")] * n
    return [
        r if isinstance(r, ItemResult) else _unexpected(f"perform_batch returned {type(r).__name__}")
        for r in results
    ]


__all__ = ["Performer"]
