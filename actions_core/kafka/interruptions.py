"""Outcomes that are not a verdict on the event: the consumer pauses instead of moving on.

The engine records every event, and after a 401/403 (or once retries of a 429 ran out, or
after :meth:`~actions_core.runtime.engine.Engine.abort`) it records what it did not send as
``failed``. For a file that is right: the dead-letter file keeps them for a replay. A consumer
can do better, since the events are still in the topic: it commits nothing past them, does not
dead-letter them, pauses, and reads them again from the committed offset once the cause is
gone (docs/kafka.md, "Failure modes"). A rate limit therefore makes work wait, never fail.
"""

from __future__ import annotations

import enum

from actions_core.runtime.outcomes import Outcome, OutcomeRecord

NOT_SENT = "RUN_ABORTED"
"""The engine's error type for an event it did not send after an abort."""


class Interruption(enum.StrEnum):
    CREDENTIALS = "credentials"
    """A 401/403: wait until the credentials work again."""
    RATE_LIMIT = "rate-limit"
    """A 429 whose retries ran out: wait, then read again."""
    NOT_SENT = "not-sent"
    """Not sent because of an earlier interruption or a drain that ran out of time."""


def interruption_of(record: OutcomeRecord) -> Interruption | None:
    """Why ``record`` is an interruption rather than the event's outcome, or ``None``."""
    if record.outcome is not Outcome.FAILED:
        return None
    if record.error_type == NOT_SENT:
        return Interruption.NOT_SENT
    if record.status in (401, 403):
        return Interruption.CREDENTIALS
    if record.status == 429:
        return Interruption.RATE_LIMIT
    return None


__all__ = ["NOT_SENT", "Interruption", "interruption_of"]
