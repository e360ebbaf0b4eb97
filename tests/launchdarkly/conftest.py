"""Fixtures for the LaunchDarkly Audiences tests: the destination under test (which the
``test_integration`` fixture picks up) and the harness fixtures of actions_core's pytest plugin.

The plugin is normally loaded through its ``pytest11`` entry point once actions_core is
installed; importing its fixtures here as well makes these tests run from a plain checkout
(``PYTHONPATH=.``). A conftest fixture shadows the plugin's same-named one, so both ways work.
"""

from __future__ import annotations

import pytest
from actions_launchdarkly_audiences import destination as ld_destination

from actions_core import Destination
from actions_core.testing.pytest_plugin import (
    http_mock,
    make_test_integration,
    request_snapshot,
    test_integration,
)

__all__ = ["destination", "http_mock", "make_test_integration", "request_snapshot", "test_integration"]


@pytest.fixture
def destination() -> Destination:
    return ld_destination
