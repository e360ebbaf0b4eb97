"""The pytest plugin opts out of assertion rewriting (``PYTEST_DONT_REWRITE``): it has no
``assert`` statements, and users who import its fixtures in a conftest get no warning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

PLUGIN = "actions_core.testing.pytest_plugin"
REPO = str(Path(__file__).resolve().parent.parent)


def test_a_conftest_importing_the_plugin_s_fixtures_gets_no_rewrite_warning(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fresh interpreter without entry points: the conftest imports the module first, then
    # registers it by name, which is when pytest would warn "Module already imported so
    # cannot be rewritten" (an error under -W error).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, (REPO, os.environ.get("PYTHONPATH")))))
    pytester.makeconftest(
        f"""
        from {PLUGIN} import http_mock

        pytest_plugins = ["{PLUGIN}"]
        """
    )
    pytester.makepyfile(
        """
        def test_uses_the_fixture(http_mock):
            assert http_mock is not None
        """
    )

    result = pytester.runpytest_subprocess("-W", "error::pytest.PytestAssertRewriteWarning")

    result.assert_outcomes(passed=1)
    assert "cannot be rewritten" not in result.stdout.str() + result.stderr.str()
