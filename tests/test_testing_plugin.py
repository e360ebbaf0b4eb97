"""The pytest plugin's fixtures, exercised in real pytest sessions (pytester)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

PLUGIN = "actions_core.testing.pytest_plugin"
REPO = str(Path(__file__).resolve().parent.parent)
SECRET = "sk-live-plugin-0123456789"

EXAMPLE_DESTINATION = f'''
import base64
import logging

from actions_core import Action, Destination, Field, RequestDefaults

API = "https://api.example.com/v1"
SECRET = "{SECRET}"
SETTINGS = {{"apiKey": SECRET}}


def perform(ctx, payload):
    return ctx.request("POST", API + "/track", json=payload)


def perform_packing_the_key(ctx, payload):
    packed = base64.b64encode(ctx.settings["apiKey"].encode()).decode()
    return ctx.request("POST", API + "/track", json={{**payload, "sig": packed}})


def make(perform=perform):
    return Destination(
        name="Example",
        slug="actions-example",
        settings=(Field("apiKey", "API key", "password", required=True),),
        actions=(
            Action(
                "track",
                "Track",
                (Field("user_id", "User ID", "string", required=True, default={{"@path": "userId"}}),),
                perform,
            ),
        ),
        request_defaults=lambda s: RequestDefaults(headers={{"Authorization": "Bearer " + s["apiKey"]}}),
    )


destination = make()
'''


def plugin_args() -> list[str]:
    """The plugins of the inner sessions, loaded by name: the same whether or not
    actions_core's entry point is installed (autoloading is off, see ``sessions``)."""
    return ["-p", PLUGIN, "-p", "syrupy"]


@pytest.fixture(autouse=True)
def sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner sessions load only the plugins named (faster, and never the plugin twice)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture
def example(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(example_destination=EXAMPLE_DESTINATION)
    return pytester


def test_http_mock_fails_at_teardown_when_a_response_was_never_requested(example: pytest.Pytester) -> None:
    example.makepyfile(
        """
        def test_forgets_to_send(http_mock):
            http_mock.add("POST", "https://api.example.com/v1/track", status=204)
        """
    )

    result = example.runpytest(*plugin_args())

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*Queued responses were never requested: POST https://api.example.com/v1/track -> 204*"])


def test_an_unexpected_request_fails_the_test_naming_it(example: pytest.Pytester) -> None:
    example.makepyfile(
        """
        from actions_core.testing import create_test_event
        from example_destination import SETTINGS, destination

        def test_sends_unannounced(make_test_integration):
            integration = make_test_integration(destination)
            integration.test_action("track", event=create_test_event(), settings=SETTINGS, use_default_mappings=True)
        """
    )

    result = example.runpytest(*plugin_args())

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*UnexpectedRequestError: Unexpected request POST https://api.example.com/v1/track*"])


SNAPSHOT_TEST = """
from actions_core.testing import create_test_event
from example_destination import SETTINGS, destination

def test_track_request(make_test_integration, http_mock, request_snapshot):
    http_mock.add("POST", "https://api.example.com/v1/track", status=204)
    result = make_test_integration(destination).test_action(
        "track", event=create_test_event(), settings=SETTINGS, use_default_mappings=True
    )
    assert request_snapshot == result
"""


def test_request_snapshot_writes_one_readable_json_file(example: pytest.Pytester) -> None:
    example.makepyfile(test_example=SNAPSHOT_TEST)

    example.runpytest(*plugin_args(), "--snapshot-update").assert_outcomes(passed=1)

    written = example.path / "__snapshots__" / "test_example" / "test_track_request.json"
    assert json.loads(written.read_text()) == [
        {
            "method": "POST",
            "url": "https://api.example.com/v1/track",
            "headers": {
                "authorization": "Bearer <secret:apiKey>",
                "content-type": "application/json",
                "user-agent": "actions-core",
            },
            "json": {"user_id": "user1234"},
        }
    ]
    assert SECRET not in written.read_text()


def test_request_snapshot_passes_on_the_same_requests(example: pytest.Pytester) -> None:
    example.makepyfile(test_example=SNAPSHOT_TEST)
    example.runpytest(*plugin_args(), "--snapshot-update")

    example.runpytest(*plugin_args()).assert_outcomes(passed=1)


def test_request_snapshot_fails_when_the_requests_change(example: pytest.Pytester) -> None:
    example.makepyfile(test_example=SNAPSHOT_TEST)
    example.runpytest(*plugin_args(), "--snapshot-update")
    written = example.path / "__snapshots__" / "test_example" / "test_track_request.json"
    written.write_text(written.read_text().replace("user1234", "someone-else"))

    result = example.runpytest(*plugin_args())

    result.assert_outcomes(failed=1)


def test_request_snapshot_fails_without_a_stored_snapshot(example: pytest.Pytester) -> None:
    example.makepyfile(test_example=SNAPSHOT_TEST)

    example.runpytest(*plugin_args()).assert_outcomes(failed=1)


def test_request_snapshot_refuses_to_store_a_leaked_secret(example: pytest.Pytester) -> None:
    example.makepyfile(
        test_example=SNAPSHOT_TEST.replace(
            "from example_destination import SETTINGS, destination",
            "from example_destination import SETTINGS, make, perform_packing_the_key\n"
            "destination = make(perform_packing_the_key)",
        )
    )

    result = example.runpytest(*plugin_args(), "--snapshot-update")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*SecretLeakError*request 1 of the snapshot contains the value of password setting 'apiKey' (base64-encoded)*"])
    assert not (example.path / "__snapshots__" / "test_example" / "test_track_request.json").exists()


def test_a_secret_in_captured_logs_fails_the_test_at_teardown(example: pytest.Pytester) -> None:
    example.makepyfile(
        """
        import logging
        from actions_core.testing import create_test_event
        from example_destination import SECRET, SETTINGS, destination

        def test_logs_the_key(make_test_integration, http_mock):
            http_mock.add("POST", "https://api.example.com/v1/track", status=204)
            make_test_integration(destination).test_action(
                "track", event=create_test_event(), settings=SETTINGS, use_default_mappings=True
            )
            logging.getLogger("my_destination").warning("retrying with %s", SECRET)
        """
    )

    result = example.runpytest(*plugin_args())

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*SecretLeakError: Secret leak: captured log record 1 (my_destination, WARNING) contains the value of password setting 'apiKey' (as is)*"]
    )


def test_test_integration_uses_your_destination_fixture(example: pytest.Pytester) -> None:
    example.makeconftest(
        """
        import pytest
        from example_destination import destination as example_destination

        @pytest.fixture
        def destination():
            return example_destination
        """
    )
    example.makepyfile(
        """
        from actions_core.testing import create_test_event
        from example_destination import SETTINGS

        def test_track(test_integration, http_mock):
            http_mock.add("POST", "https://api.example.com/v1/track", status=204)
            result = test_integration.test_action(
                "track", event=create_test_event(), settings=SETTINGS, use_default_mappings=True
            )
            assert result.outcome.outcome == "delivered"
        """
    )

    example.runpytest(*plugin_args()).assert_outcomes(passed=1)


def test_test_integration_without_a_destination_fixture_says_what_is_missing(example: pytest.Pytester) -> None:
    example.makepyfile(
        """
        def test_track(test_integration):
            pass
        """
    )

    result = example.runpytest(*plugin_args())

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_integration fixture needs a `destination` fixture*"])


def test_the_plugin_leaves_unrelated_tests_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a fresh interpreter: in this one, the plugin module (and syrupy) may already have
    # been imported without assertion rewriting (tests/launchdarkly/conftest.py imports the
    # plugin's fixtures; when the plugin is not loaded through its entry point, that import
    # comes first), and an in-process session given `-p <module>` would then warn "Module
    # already imported so cannot be rewritten", an error under -W error: a failure that
    # depended on how the outer session started and which files it collected.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, (REPO, os.environ.get("PYTHONPATH")))))
    pytester.makepyfile(
        """
        def test_plain():
            assert 1 + 1 == 2
        """
    )

    pytester.runpytest_subprocess(*plugin_args(), "-W", "error").assert_outcomes(passed=1)


def test_importing_the_plugin_loads_neither_syrupy_nor_the_harness() -> None:
    heavy = ("syrupy", "actions_core.testing.integration", "actions_core.testing.suite")
    code = f"import sys, {PLUGIN}; print(sorted(m for m in {heavy!r} if m in sys.modules))"


    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"
