"""Testing tools for destination authors: the reference's harness, and more.

* :func:`create_test_event`: a track event with the reference's defaults; :data:`ABSENT`
  removes a default key.
* :func:`create_test_integration`: a harness that runs actions through the real engine on
  mocked HTTP (:class:`MockHTTP`) and returns the exchanges and outcomes.
* :class:`DestinationTestSuite` (``actions_core.testing.suite``): generic tests for a
  destination from one line; the pytest fixtures live in ``actions_core.testing.pytest_plugin``.
* :class:`SecretLeakError`: what the secret-leak guard raises.

Names are loaded on first use: the pytest plugin imports this package in every pytest
session where actions_core is installed, and that must stay cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from actions_core.testing.events import ABSENT, create_test_event
    from actions_core.testing.fake_data import fake_payload, fake_settings
    from actions_core.testing.integration import (
        NO_RETRIES,
        ActionResult,
        AuthResult,
        TestIntegration,
        create_test_integration,
    )
    from actions_core.testing.leak_guard import SecretLeakError
    from actions_core.testing.mock_http import Exchange, MockHTTP, UnexpectedRequestError
    from actions_core.testing.suite import DestinationTestSuite

_WHERE = {
    "ABSENT": "events",
    "create_test_event": "events",
    "fake_payload": "fake_data",
    "fake_settings": "fake_data",
    "NO_RETRIES": "integration",
    "ActionResult": "integration",
    "AuthResult": "integration",
    "TestIntegration": "integration",
    "create_test_integration": "integration",
    "SecretLeakError": "leak_guard",
    "Exchange": "mock_http",
    "MockHTTP": "mock_http",
    "UnexpectedRequestError": "mock_http",
    "DestinationTestSuite": "suite",
}

__all__ = [
    "ABSENT",
    "NO_RETRIES",
    "ActionResult",
    "AuthResult",
    "DestinationTestSuite",
    "Exchange",
    "MockHTTP",
    "SecretLeakError",
    "TestIntegration",
    "UnexpectedRequestError",
    "create_test_event",
    "create_test_integration",
    "fake_payload",
    "fake_settings",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
