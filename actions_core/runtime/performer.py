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
* A 401/403 (:class:`~actions_core.errors.AuthenticationError`), or an interruption
  (:class:`~actions_core.errors.DeliveryInterrupted`: a rate limit longer than the retry
  budget, the run stopped under a request) aborts the run: the client
  stops (retries waiting give up at once) and every batch not yet sent is recorded ``failed``
  with a plain "Not sent" message, so nothing disappears.
* The recorder redacts every error message before it is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import httpx

from actions_core.definitions import ExecutionContext, Settings
from actions_core.errors import AuthenticationError, DeliveryInterrupted
from actions_core.http.client import RequestClient
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
        self._abort_lock = threading.Lock()
        self._not_sent: ItemResult | None = None  # every unsent event's result after an abort
        self.aborted: str | None = None
        """Why the run stopped sending (redacted), or ``None``."""

    def perform(self, batch: Batch) -> None:
        """One perform or perform_batch call (on a worker thread); records every event."""
        n = len(batch.lines)
        if self._not_sent is not None:
            self._recorder.record_batch(batch, [self._not_sent] * n)
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
        except AuthenticationError as exc:
            self.abort(str(exc))
            results = [_outcome_for(exc)] * n
        except DeliveryInterrupted as exc:  # a long rate limit, or the run was stopped
            self.abort(exc.reason)
            results = [self._unsent()] * n
        except Exception as exc:  # failure isolation: this call's events only
            results = [_outcome_for(exc)] * n
        self._recorder.record_batch(batch, results, session.attempts, session.last_status)

    def record_not_sent(self, batch: Batch) -> bool:
        """After an abort, record ``batch`` as not sent and say so; else ``False``."""
        if self._not_sent is None:
            return False
        self._recorder.record_batch(batch, [self._not_sent] * len(batch.lines))
        return True

    def _unsent(self) -> ItemResult:
        assert self._not_sent is not None  # set by abort()
        return self._not_sent

    def abort(self, reason: str) -> None:
        """Stop sending; the first reason wins. Later batches are recorded as not sent."""
        with self._abort_lock:
            if self.aborted is not None:
                return
            self.aborted = self._redact(reason)
            message = f"Not sent: the run stopped after {self.aborted}"
            self._not_sent = ItemResult(Outcome.FAILED, None, message, "RUN_ABORTED")
        self._client.abort(reason)


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
