"""The destination test harness: the reference's ``createTestIntegration``, on the real engine.

:meth:`TestIntegration.test_action` and :meth:`~TestIntegration.test_batch_action` compile a
subscription with no trigger (every event matches, as in the reference) and run it through
:class:`~actions_core.runtime.engine.Engine`, so validation, batching, requests and outcome records are
the production ones. HTTP goes to the integration's :class:`~actions_core.testing.MockHTTP`;
with one worker the requests go out in a deterministic order.

Differences from the reference, on purpose:

* events are used as given. The reference wraps each one in ``createTestEvent``, so an
  identify event silently gains ``properties: {}`` and an anonymous one ``userId:
  "user1234"`` (a known trap). Call :func:`~actions_core.testing.create_test_event` yourself
  when you want those defaults;
* settings are validated, like in production (the reference skips that under ``testAction``);
* an event that fails is an outcome record, not an exception: assert on
  ``result.outcomes`` (an unexpected request still raises, so does a failing
  :meth:`~TestIntegration.test_authentication`, as in the reference);
* secrets are guarded: an outcome or a captured log line that contains a ``password``
  setting's value raises :class:`~actions_core.testing.SecretLeakError`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import httpx

from actions_core.definitions import Destination, ExecutionContext, RequestDefaults
from actions_core.http.retry import RetryPolicy
from actions_core.instance import SubscriptionSpec, compile_instance
from actions_core.runtime.outcomes import OutcomeRecord
from actions_core.testing.leak_guard import (
    Secret,
    SecretLeakError,
    check_outcomes,
    check_texts,
    secrets_of,
)
from actions_core.testing.mock_http import Exchange, MockHTTP
from actions_core.testing.snapshots import request_snapshot_data

if TYPE_CHECKING:
    from actions_core.runtime.engine import RunSummary

NO_RETRIES = RetryPolicy(max_attempts=1, base_delay=0.0, max_delay=0.0, jitter=False)
"""The harness default: one attempt, so a mocked error status is seen once and at once."""


@dataclass(frozen=True)
class _Recorded:
    """What a harness call recorded; the base of the result types."""

    exchanges: tuple[Exchange, ...]
    logs: tuple[str, ...]
    secrets: tuple[Secret, ...] = field(repr=False)
    snapshot_headers: frozenset[str] = field(repr=False)

    @property
    def requests(self) -> list[httpx.Request]:
        """The requests sent, in send order."""
        return [e.request for e in self.exchanges]

    @property
    def responses(self) -> list[httpx.Response]:
        return [e.response for e in self.exchanges]

    def snapshot_data(self) -> list[dict[str, Any]]:
        """The request snapshot (what ``request_snapshot`` stores), secrets replaced."""
        return request_snapshot_data(
            self.exchanges, self.secrets, extra_headers=self.snapshot_headers
        )


@dataclass(frozen=True)
class ActionResult(_Recorded):
    """The exchanges of one ``test_action``/``test_batch_action`` call and the outcome of
    every event (sorted by input line)."""

    outcomes: tuple[OutcomeRecord, ...] = ()
    summary: RunSummary | None = None

    @property
    def outcome(self) -> OutcomeRecord:
        """The one outcome of a ``test_action`` call."""
        if len(self.outcomes) != 1:
            raise AssertionError(f"expected exactly one outcome, got {len(self.outcomes)}")
        return self.outcomes[0]


@dataclass(frozen=True)
class AuthResult(_Recorded):
    """The exchanges of a successful ``test_authentication`` call."""


class TestIntegration:
    """A destination under test with mocked HTTP (the reference's ``TestDestination``).

    ``retry`` defaults to :data:`NO_RETRIES`; pass a policy with zero delays to test retries.
    ``snapshot_headers`` adds header names to the snapshot allow-list.
    """

    __test__ = False  # a harness, not a pytest test class

    def __init__(
        self,
        destination: Destination,
        *,
        http: MockHTTP | None = None,
        retry: RetryPolicy = NO_RETRIES,
        snapshot_headers: Iterable[str] = (),
    ) -> None:
        self.destination = destination
        self.http = http if http is not None else MockHTTP()
        self.retry = retry
        self.snapshot_headers = frozenset(h.lower() for h in snapshot_headers)
        self.secrets_seen: set[Secret] = set()
        """Secrets of every settings this harness was given (for guards outside a call)."""

    def test_action(
        self,
        action_key: str,
        *,
        event: Mapping[str, Any] | None = None,
        mapping: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        use_default_mappings: bool = False,
    ) -> ActionResult:
        """Map ``event`` (default ``{}``), validate and ``perform`` it once."""
        return self._run(
            action_key, [dict(event or {})], mapping, settings, use_default_mappings, "single"
        )

    def test_batch_action(
        self,
        action_key: str,
        *,
        events: Sequence[Mapping[str, Any]],
        mapping: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        use_default_mappings: bool = False,
    ) -> ActionResult:
        """Map every event and send the valid payloads through ``perform_batch`` (split only
        by the action's ``batch_keys`` and ``max_batch_size``).

        Unlike the reference, no events is an error (it sends ``[{"type": "track"}]``), and so
        is an action without ``perform_batch`` (the engine would perform them one by one).
        """
        if not events:
            raise ValueError("test_batch_action needs at least one event")
        action = self.destination.action(action_key)
        if action is not None and action.perform_batch is None:
            raise ValueError(f"action {action_key!r} has no perform_batch; use test_action")
        return self._run(
            action_key, [dict(e) for e in events], mapping, settings, use_default_mappings, "batch"
        )

    def test_authentication(self, settings: Mapping[str, Any]) -> AuthResult:
        """Validate ``settings`` and run the destination's authentication test on the mock.

        Raises the test's error when it fails (an :class:`~actions_core.errors.
        AuthenticationError` on a 401, say); a destination without a test only validates.
        """
        from actions_core.http.client import RequestClient
        from actions_core.redaction import Redactor
        from actions_core.validation.validator import validate_settings

        clean = validate_settings(self.destination.settings, settings)
        secrets = secrets_of(self.destination, clean)
        self.secrets_seen.update(secrets)
        start = len(self.http.exchanges)
        auth_test = self.destination.authentication_test
        with _capture_logs() as logs:
            if auth_test is not None:
                defaults = self._defaults(clean)
                redactor = Redactor(
                    str(clean[k]) for k in self.destination.secret_settings if clean.get(k)
                )
                with RequestClient(
                    transport=self.http.transport,
                    defaults=defaults,
                    policy=self.retry,
                    redactor=redactor,
                ) as client:
                    try:
                        auth_test(ExecutionContext(settings=clean, request=client.session()))
                    except Exception as exc:
                        self.http.assert_no_unexpected()
                        try:
                            check_texts([("the authentication error", str(exc))], secrets)
                        except SecretLeakError as leak:
                            raise leak from None  # the original message holds the secret
                        raise
        self.http.assert_no_unexpected()
        check_texts(_log_items(logs), secrets)
        return AuthResult(
            tuple(self.http.exchanges[start:]),
            tuple(logs),
            secrets,
            self._snapshot_headers(clean),
        )

    # ------------------------------------------------------------------ internals

    def _run(
        self,
        action_key: str,
        events: list[dict[str, Any]],
        mapping: Mapping[str, Any] | None,
        settings: Mapping[str, Any] | None,
        use_default_mappings: bool,
        mode: Literal["single", "batch"],
    ) -> ActionResult:
        from actions_core.runtime.engine import Engine, RunOptions
        from actions_core.runtime.sinks import CollectingSink

        spec = SubscriptionSpec(
            name=action_key,
            action=action_key,
            trigger=None,
            mapping=dict(mapping or {}),
            use_defaults=use_default_mappings,
        )
        instance = compile_instance(self.destination, settings or {}, [spec])
        secrets = secrets_of(self.destination, instance.settings)
        self.secrets_seen.update(secrets)
        options = RunOptions(
            batch_size=max(1, len(events)),
            max_wait=3600.0,
            concurrency=1,
            retry=self.retry,
            mode=mode,
        )
        sink = CollectingSink()
        start = len(self.http.exchanges)
        with _capture_logs() as logs, Engine(
            instance, options=options, transport=self.http.transport, sinks=[sink]
        ) as engine:
            summary = engine.run_events(events)
        self.http.assert_no_unexpected()
        outcomes = tuple(sorted(sink.records, key=lambda r: r.line))
        check_outcomes(outcomes, secrets)
        check_texts(_log_items(logs), secrets)
        return ActionResult(
            tuple(self.http.exchanges[start:]),
            tuple(logs),
            secrets,
            self._snapshot_headers(instance.settings),
            outcomes,
            summary,
        )

    def _defaults(self, settings: Mapping[str, Any]) -> RequestDefaults:
        factory = self.destination.request_defaults
        return factory(settings) if factory is not None else RequestDefaults()

    def _snapshot_headers(self, settings: Mapping[str, Any]) -> frozenset[str]:
        """The allow-list extension: the destination's default headers and the extra ones."""
        try:
            names = {name.lower() for name in self._defaults(settings).headers}
        except Exception:  # a defaults factory that needs settings the test did not give
            names = set()
        return frozenset(names | self.snapshot_headers)


def create_test_integration(
    destination: Destination,
    *,
    http: MockHTTP | None = None,
    retry: RetryPolicy = NO_RETRIES,
    snapshot_headers: Iterable[str] = (),
) -> TestIntegration:
    """A harness for ``destination`` (the reference's ``createTestIntegration``); HTTP goes to
    ``http``, a strict :class:`MockHTTP` of its own by default (``integration.http``)."""
    return TestIntegration(
        destination, http=http, retry=retry, snapshot_headers=snapshot_headers
    )


def _log_items(logs: Sequence[str]) -> list[tuple[str, str]]:
    """Log lines to guard, each named by its position (never by its text)."""
    return [(f"captured log record {i + 1} of {len(logs)}", line) for i, line in enumerate(logs)]


class _ListHandler(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.NOTSET)
        self.lines = lines
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a broken log call must not break the test run
            self.handleError(record)


@contextmanager
def _capture_logs() -> Iterator[list[str]]:
    """Collect the log records that reach the root logger meanwhile (the same records pytest
    captures: levels are left as the session configured them), tracebacks included."""
    lines: list[str] = []
    handler = _ListHandler(lines)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lines
    finally:
        root.removeHandler(handler)


__all__ = [
    "NO_RETRIES",
    "ActionResult",
    "AuthResult",
    "TestIntegration",
    "create_test_integration",
]
