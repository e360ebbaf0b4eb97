"""Per-event outcomes: what happened to every input event, for every mapping it matched.

Nothing is dropped without a record (docs/framework.md#outcomes): each input line ends with one
:class:`OutcomeRecord` per matching mapping, ``filtered`` when none matched, ``invalid`` when the
line is not a JSON object. Destinations speak :class:`ItemResult` (per payload in a batch); the
engine turns those into records and hands them to every :class:`OutcomeSink`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    REJECTED = "rejected"
    FAILED = "failed"
    FILTERED = "filtered"
    INVALID = "invalid"
    PENDING = "pending"
    """Not sent because the run was interrupted (a signal, refused credentials, a long rate
    limit); a resume or a replay sends it. Never resolved: a checkpoint stays before it."""


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What a destination says about one payload of a batch (the reference's multistatus entry).

    Return a list of these from ``perform_batch``, one per payload and in the same order, when
    the payloads did not all share one fate; return ``None`` when every payload was delivered.
    """

    outcome: Outcome
    status: int | None = None
    error: str | None = None
    error_type: str | None = None

    @classmethod
    def delivered(cls, status: int | None = None) -> ItemResult:
        return cls(Outcome.DELIVERED, status)

    @classmethod
    def rejected(
        cls,
        message: str,
        *,
        error_type: str = "PAYLOAD_VALIDATION_FAILED",
        status: int | None = None,
    ) -> ItemResult:
        """The destination refuses this payload for a reason of its own; never retried.
        ``status`` stays ``None`` unless a response said it: nothing was sent."""
        return cls(Outcome.REJECTED, status, message, error_type)

    @classmethod
    def failed(cls, error: BaseException) -> ItemResult:
        """The request carrying this payload failed for good (after any retries)."""
        return outcome_for_exception(error)


def outcome_for_exception(error: BaseException) -> ItemResult:
    """Classify an exception raised while performing (the one place this mapping lives)."""
    from actions_core.errors import (
        HTTPError,
        IntegrationError,
        PayloadValidationError,
        RetryableError,
    )

    if isinstance(error, PayloadValidationError):
        return ItemResult(Outcome.REJECTED, None, str(error), error.error_type)  # not sent
    if isinstance(error, IntegrationError):
        return ItemResult(Outcome.REJECTED, error.status, str(error), error.code)
    if isinstance(error, HTTPError):
        return ItemResult(Outcome.FAILED, error.status, str(error), "HTTP_ERROR")
    if isinstance(error, RetryableError):
        return ItemResult(Outcome.FAILED, error.status, str(error), "RETRYABLE_ERROR")
    return ItemResult(Outcome.FAILED, None, f"{type(error).__name__}: {error}", "UNEXPECTED_ERROR")


class OutcomeRecord(NamedTuple):
    """One recorded outcome. ``event`` is the original event (or the raw text of an invalid
    line: its bytes when they are not UTF-8) so that a dead-letter line can be replayed.

    A named tuple rather than a frozen dataclass: one is built per event and per mapping when
    a report or dead letter is written, and a tuple is about four times cheaper to make."""

    line: int
    mapping: str | None
    outcome: Outcome
    status: int | None = None
    error: str | None = None
    event: Mapping[str, Any] | str | bytes | None = None
    attempts: int = 0
    error_type: str | None = None


class OutcomeSink(Protocol):
    """Receives outcomes as they are decided (report writer, dead letter, counters, tests)."""

    def record(self, records: Sequence[OutcomeRecord]) -> None: ...


__all__ = [
    "ItemResult",
    "Outcome",
    "OutcomeRecord",
    "OutcomeSink",
    "outcome_for_exception",
]
