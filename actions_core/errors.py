"""The error hierarchy.

Every error the framework raises derives from :class:`ActionsCoreError`. The branches map to
what a user must do about it, and the engine maps them to outcomes:

* :class:`ConfigError` (fix the config / definition; nothing is sent): ``TriggerSyntaxError``,
  ``MappingError``, ``SettingsValidationError``, ``DefinitionError``.
* :class:`PluginError`: an installed destination plugin is broken or ambiguous.
* :class:`PayloadValidationError`: one event's mapped payload is invalid -> ``rejected``.
* :class:`IntegrationError`: the destination refused the event for a reason of its own
  -> ``rejected``, never retried.
* :class:`RetryableError`: transient; the request client retries it -> ``failed`` when the
  retries run out.
* :class:`HTTPError`: a non-2xx response; ``retryable`` says which side of the line it is on.
* :class:`DeliveryInterrupted` (wait or fix the cause, then resume): sending stopped for a
  reason that is not the events' fault (a signal, refused credentials, a long rate limit);
  unsent events stay ``pending``, never ``failed``. ``RequestAbortedError`` is one.
* :class:`OutputWriteError` and :class:`RunFailed`: a run's own file failed (a full disk).

Messages never contain secrets: the engine redacts every message it records, and the classes
here never format request bodies or headers into their text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from actions_core.runtime.engine import RunSummary


class ActionsCoreError(Exception):
    """Base class of every error raised by actions_core."""


# --------------------------------------------------------------------------- config side


@dataclass(frozen=True)
class SourceLocation:
    """Where in a file something was written (1-based line and column)."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file or "<config>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class ConfigError(ActionsCoreError):
    """A config, definition or mapping is wrong; fix it before anything is sent.

    ``location`` (file, line, column) is filled in by the YAML loader when it knows where the
    offending value was written; ``path`` names the value inside the document
    (``mappings[1].trigger``).
    """

    def __init__(
        self, message: str, *, location: SourceLocation | None = None, path: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.path = path

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location is not None else ""
        where = f"{self.path}: " if self.path else ""
        return f"{prefix}{where}{self.message}"


class TriggerSyntaxError(ConfigError, ValueError):
    """An FQL trigger does not parse. ``column`` is 1-based."""

    def __init__(self, message: str, *, text: str, column: int, expected: str = "") -> None:
        super().__init__(message)
        self.text = text
        self.column = column
        self.expected = expected


@dataclass(frozen=True)
class MappingProblem:
    """One problem in a mapping: a JSON-pointer-like location and what is wrong there."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location} {self.message}" if self.location else self.message


class MappingError(ConfigError):
    """A mapping does not compile. ``problems`` lists every problem, not just the first."""

    def __init__(self, problems: Sequence[MappingProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(str(p) for p in self.problems))


class ConfigErrors(ConfigError):
    """Several problems found in one pass (schema checks report all of them at once): fix
    each line. ``location`` and ``path`` are those of the first; ``str()`` gives one line per
    problem.
    """

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(first.message, location=first.location, path=first.path)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    @staticmethod
    def raise_if_any(errors: Sequence[ConfigError]) -> None:
        """Raise nothing, the one error, or all of them (each once, in the order given)."""
        unique = list(dict.fromkeys(errors))
        if len(unique) == 1:
            raise unique[0]
        if unique:
            raise ConfigErrors(unique)

    @staticmethod
    def flatten(error: ConfigError) -> list[ConfigError]:
        """The single problems an error stands for."""
        return [e for inner in error.errors for e in ConfigErrors.flatten(inner)] if isinstance(
            error, ConfigErrors
        ) else [error]


class ExpressionError(ConfigError, ValueError):
    """A ``@path`` expression is not valid JMESPath; ``messages`` says why, in jmespath's
    words (the mapping compiler adds which field and expression)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class DefinitionError(ConfigError):
    """A destination definition is inconsistent (names the destination and the item)."""


class SettingsValidationError(ConfigError):
    """Destination settings fail their schema. Password values are never echoed."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = tuple(messages)
        super().__init__(" ".join(self.messages))

    @classmethod
    def at(cls, key: str, message: str) -> SettingsValidationError:
        """A problem of one setting, with its path (``settings.apiKey``)."""
        error = cls([message])
        error.path = f"settings.{key}"
        return error


class PluginError(ActionsCoreError):
    """A destination plugin could not be loaded, or two plugins claim the same slug."""


class UnknownDestinationError(PluginError, LookupError):
    """No installed plugin provides the requested destination slug."""


# ------------------------------------------------------------------------- event side


class PayloadValidationError(ActionsCoreError):
    """A mapped payload fails the action's schema (reference error type
    ``PAYLOAD_VALIDATION_FAILED``)."""

    error_type = "PAYLOAD_VALIDATION_FAILED"

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = tuple(messages)
        super().__init__(" ".join(self.messages))


class IntegrationError(ActionsCoreError):
    """The destination refuses this event for a reason of its own; retrying will not help."""

    def __init__(self, message: str, *, code: str = "INTEGRATION_ERROR", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class RetryableError(ActionsCoreError):
    """A transient failure: the request client retries it within its bounds."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RequestTimeoutError(RetryableError):
    """No response within the request timeout."""


class NetworkError(RetryableError):
    """The connection failed (refused, reset, DNS, ...)."""


class HTTPError(ActionsCoreError):
    """A non-2xx response. The message is the status and reason phrase, like the reference's
    (``429 Too Many Requests``), then the destination's own reason when its body gives one
    (``400 Bad Request: cohort refused``, kept in ``detail``); the response body is kept,
    redacted, in ``body``."""

    def __init__(
        self, status: int, reason: str, *, body: str = "", url: str = "", detail: str = ""
    ) -> None:
        head = f"{status} {reason}".strip()
        super().__init__(f"{head}: {detail}" if detail else head)
        self.status = status
        self.reason = reason
        self.body = body
        self.url = url
        self.detail = detail

    @property
    def retryable(self) -> bool:
        """The retry loop's own rule (:func:`actions_core.http.retry.is_retryable`)."""
        from actions_core.http.retry import is_retryable  # the rule lives with the retry loop

        return is_retryable(self)


class AuthenticationError(HTTPError):
    """401/403: the credentials are wrong or lack a permission. Stops a run early."""


# ------------------------------------------------------------------ interruptions


class DeliveryInterrupted(ActionsCoreError):
    """Sending stopped for a reason that is not the events' fault: a signal, credentials the
    destination refused (401/403), a rate limit longer than the retry budget.

    The engine stops sending and records every event not yet delivered as ``pending``, never
    ``failed``: a checkpoint stays before it, so the same command sends it once the cause is
    gone (``resume_after``, when known, says from when). ``reason`` says what stopped the run.
    """

    def __init__(self, reason: str, *, resume_after: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.resume_after = resume_after


class RateLimitInterrupted(DeliveryInterrupted):
    """The destination asked for a wait longer than the retry budget (a 429's ``Retry-After``,
    or a spent rate-limit window): nothing more is sent to it, and the run ends like an
    interruption. ``resume_after`` is the reset time; ``run --wait-rate-limits`` waits instead."""


class RequestAbortedError(DeliveryInterrupted):
    """The run was stopped before this request was sent, or while its response was still
    coming in; resuming the run sends it again."""


# ------------------------------------------------------------------- the run's own files


class OutputWriteError(ActionsCoreError, OSError):
    """Writing an output (a report, dead-letter file, dry-run output, checkpoint) failed;
    unlike the ``OSError`` of a write or flush, the message says which output and file:
    ``cannot write the report out/report.jsonl: No space left on device``. Free the space or
    fix the folder, then resume."""

    @classmethod
    def wrap(cls, error: OSError, what: str, file: object) -> OutputWriteError:
        """``error`` (raised writing ``what`` to ``file``) with the file named."""
        if isinstance(error, OutputWriteError):
            return error
        name = getattr(file, "name", None)
        if name in ("<stdout>", "<stderr>"):
            where = f"{what} to {name[1:-1]}"
        elif isinstance(name, str):
            where = f"{what} {name}"
        else:
            where = what
        return cls(error.errno, f"cannot write the {where}: {error.strerror or error}")


def describe_os_error(error: OSError) -> str:
    """``error`` as one line naming its file: ``cannot write the report r.jsonl: No space
    left on device``, ``missing/r.jsonl: No such file or directory``."""
    if error.strerror is None:
        return str(error)
    if error.filename is not None:
        return f"{error.filename}: {error.strerror}"
    return error.strerror


class RunFailed(ActionsCoreError):
    """The run started, then a file could not be written (or read): ``error`` says which
    and what happened, ``summary`` holds the figures up to then (``None`` if the engine
    could not give them) and ``checkpoint`` the file to resume from (``None`` without one).
    Fix the file's problem, then run the same command again."""

    def __init__(
        self, error: OSError, summary: RunSummary | None, checkpoint: str | None
    ) -> None:
        super().__init__(describe_os_error(error))
        self.error = error
        self.summary = summary
        self.checkpoint = checkpoint


# --------------------------------------------------------------------------- serve side


class QueueError(ActionsCoreError):
    """The event queue cannot be used: an unsupported ``--queue`` URL, or a store that cannot
    be opened or written (the message names the URL or file)."""


class IntakeError(ActionsCoreError):
    """An HTTP intake request is refused: ``status`` is the HTTP status to answer with and the
    message says what is wrong and where (``batch[3]: not an object``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class BrokerUnavailableError(QueueError):
    """The Kafka broker did not acknowledge in time (unreachable, no leader, out of disk):
    nothing is known to be stored, so the caller should send again after ``retry_after``
    seconds (the intake answers 503 with ``Retry-After``)."""

    def __init__(self, message: str, *, retry_after: float = 5.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


__all__ = [
    "ActionsCoreError",
    "AuthenticationError",
    "BrokerUnavailableError",
    "ConfigError",
    "ConfigErrors",
    "DefinitionError",
    "DeliveryInterrupted",
    "ExpressionError",
    "HTTPError",
    "IntakeError",
    "IntegrationError",
    "MappingError",
    "MappingProblem",
    "NetworkError",
    "OutputWriteError",
    "PayloadValidationError",
    "PluginError",
    "QueueError",
    "RateLimitInterrupted",
    "RequestAbortedError",
    "RequestTimeoutError",
    "RetryableError",
    "RunFailed",
    "SettingsValidationError",
    "SourceLocation",
    "TriggerSyntaxError",
    "UnknownDestinationError",
    "describe_os_error",
]
