"""pytest fixtures for destination tests (entry point ``pytest11: actions_core``).

* ``http_mock``: a strict :class:`~actions_core.testing.MockHTTP`; at teardown every queued
  response must have been used and no unexpected request made.
* ``make_test_integration``: ``make_test_integration(destination, **options)`` gives a
  :class:`~actions_core.testing.TestIntegration` sending to ``http_mock``.
* ``test_integration``: the same for the destination your ``destination`` fixture returns.
* ``request_snapshot``: a syrupy snapshot of a harness result's requests, one JSON file each
  (``assert request_snapshot == result``).

Every integration made here also guards pytest's captured logs (``caplog``, setup and call)
against the secrets of the settings it was given.

pytest loads this module in every session where actions_core is installed, so it imports
nothing heavy at module level and leaves other projects' tests alone.

PYTEST_DONT_REWRITE: the module has no ``assert`` statements to rewrite, and with this marker
pytest does not warn "Module already imported so cannot be rewritten" when a conftest imports
these fixtures before the plugin is registered by name (``pytest_plugins``, ``-p``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion

    from actions_core.definitions import Destination
    from actions_core.testing.integration import TestIntegration
    from actions_core.testing.mock_http import MockHTTP

MakeIntegration = Callable[..., "TestIntegration"]


@pytest.fixture
def http_mock() -> Iterator[MockHTTP]:
    """A strict HTTP mock, checked at teardown (unused responses, unexpected requests)."""
    from actions_core.testing.mock_http import MockHTTP

    mock = MockHTTP()
    yield mock
    mock.assert_all_used()


@pytest.fixture
def make_test_integration(
    http_mock: MockHTTP, caplog: pytest.LogCaptureFixture
) -> Iterator[MakeIntegration]:
    """A factory of harnesses on ``http_mock``; guards captured logs at teardown."""
    from actions_core.testing.integration import create_test_integration
    from actions_core.testing.leak_guard import check_texts

    made: list[TestIntegration] = []

    def make(destination: Destination, **options: Any) -> TestIntegration:
        integration = create_test_integration(destination, http=http_mock, **options)
        made.append(integration)
        return integration

    yield make
    secrets = [s for integration in made for s in integration.secrets_seen]
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]
    check_texts(
        (
            (f"captured log record {i + 1} ({r.name}, {r.levelname})", _log_text(r))
            for i, r in enumerate(records)
        ),
        secrets,
    )


@pytest.fixture
def test_integration(
    request: pytest.FixtureRequest, make_test_integration: MakeIntegration
) -> TestIntegration:
    """A harness for the destination returned by your ``destination`` fixture."""
    try:
        destination = request.getfixturevalue("destination")
    except pytest.FixtureLookupError:
        pytest.fail(
            "the test_integration fixture needs a `destination` fixture that returns your "
            "Destination (or use make_test_integration(destination))",
            pytrace=False,
        )
    return make_test_integration(destination)


@pytest.fixture
def request_snapshot(request: pytest.FixtureRequest) -> SnapshotAssertion:
    """syrupy's ``snapshot`` storing a result's requests as readable JSON, secrets replaced."""
    try:
        snapshot: SnapshotAssertion = request.getfixturevalue("snapshot")
    except pytest.FixtureLookupError:
        pytest.fail(
            "request_snapshot needs syrupy: install it (pip install syrupy) or your "
            "package's test extra",
            pytrace=False,
        )
    from actions_core.testing.snapshot_extension import RequestSnapshotExtension

    return snapshot.use_extension(RequestSnapshotExtension)


def _log_text(record: logging.LogRecord) -> str:
    """A record's message and traceback text (where a secret could hide)."""
    text = record.getMessage()
    if record.exc_info:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        text += "\n" + record.exc_text
    return text
