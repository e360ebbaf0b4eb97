"""Outcomes that are not a verdict on the event: the consumer pauses instead of moving on.

The engine records every event, and after an interruption (a 401/403, a rate limit longer
than the retry budget, :meth:`~actions_core.runtime.engine.Engine.abort`) it records what it
did not send as ``pending``; a 429 whose retries ran out within the budget is ``failed``. For a
file the dead-letter file keeps them for a replay. A consumer can do better, since the events
are still in the topic: it commits nothing past them, does not dead-letter them, pauses, and
reads them again from the committed offset once the cause is gone (docs/kafka.md, "Failure
modes"). A rate limit therefore makes work wait, never fail.
"""

from __future__ import annotations

import enum

from actions_core.runtime.outcomes import Outcome, OutcomeRecord

NOT_SENT = "RUN_INTERRUPTED"
"""The engine's error type for an event it did not send after an interruption."""


class Interruption(enum.StrEnum):
    CREDENTIALS = "credentials"
    """A 401/403: wait until the credentials work again."""
    RATE_LIMIT = "rate-limit"
    """A 429 whose retries ran out: wait, then read again."""
    NOT_SENT = "not-sent"
    """Not sent because of an earlier interruption or a drain that ran out of time."""


def interruption_of(record: OutcomeRecord) -> Interruption | None:
    """Why ``record`` is an interruption rather than the event's outcome, or ``None``."""
    if record.outcome is Outcome.PENDING:  # the engine was interrupted
        if record.status in (401, 403):
            return Interruption.CREDENTIALS
        if record.status == 429:
            return Interruption.RATE_LIMIT
        return Interruption.NOT_SENT
    if record.outcome is Outcome.FAILED and record.status == 429:
        return Interruption.RATE_LIMIT
    return None


__all__ = ["NOT_SENT", "Interruption", "interruption_of"]
