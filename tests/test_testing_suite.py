"""The standard destination suite, run in real pytest sessions (pytester)."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

INNER_PLUGINS = ("-p", "actions_core.testing.pytest_plugin", "-p", "syrupy")

DESTINATION = '''
import logging

from actions_core import Action, Destination, Field, Preset, RequestDefaults
from actions_core.errors import IntegrationError

API = "https://api.example.com/v1"


def perform(ctx, payload):
    return ctx.request("POST", API + "/track", json=payload)


def check_key(ctx):
    ctx.request("GET", API + "/me")


TRACK = Action(
    "track",
    "Track",
    (
        Field("user_id", "User ID", "string", required=True, default={"@path": "userId"}),
        Field("count", "Count", "integer", required=True, default={"@path": "properties.count"}),
        Field("note", "Note", "string", default={"@path": "properties.note"}),
    ),
    perform,
    default_trigger='type = "track"',
)


def make(*, perform=perform, auth=check_key, presets=None):
    action = Action(TRACK.key, TRACK.title, TRACK.fields, perform, default_trigger=TRACK.default_trigger)
    return Destination(
        name="Example",
        slug="actions-example",
        settings=(Field("apiKey", "API key", "password", required=True),),
        actions=(action,),
        presets=presets if presets is not None else (
            Preset("Track", "track", 'type = "track"', {"user_id": {"@path": "userId"}}),
        ),
        authentication_test=auth,
        request_defaults=lambda s: RequestDefaults(headers={"Authorization": "Bearer " + s["apiKey"]}),
    )


def logs_the_key(ctx, payload):
    logging.getLogger("example").warning("key is %s", ctx.settings["apiKey"])
    return perform(ctx, payload)


def wants_small_counts(ctx, payload):
    if payload["count"] > 100:
        raise IntegrationError("count too large")
    return perform(ctx, payload)
'''

SUITE = """
from actions_core.testing.suite import DestinationTestSuite
from example_destination import {imports}

class TestExample(DestinationTestSuite):
    destination = make({options})
    {extra}
"""


def suite_source(options: str = "", extra: str = "", imports: str = "") -> str:
    """A test module subclassing the suite with ``make(<options>)`` as its destination."""
    names = ", ".join(["make", *imports.split()])
    return SUITE.format(options=options, extra=extra, imports=names)


def suite(pytester: pytest.Pytester, options: str = "", extra: str = "", imports: str = "") -> None:
    pytester.makepyfile(example_destination=DESTINATION)
    pytester.makepyfile(test_example=suite_source(options, extra, imports))


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*INNER_PLUGINS, *args)


@pytest.fixture(autouse=True)
def sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner sessions load only the plugins named (faster, and never the plugin twice)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def test_a_one_line_subclass_gets_the_standard_tests(pytester: pytest.Pytester) -> None:
    suite(pytester)

    result = run(pytester, "--snapshot-update", "-v")

    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines_random(
        [
            "*TestExample::test_definition_registers PASSED*",
            "*TestExample::test_preset_names_existing_action_and_fields[[]Track[]] PASSED*",
            "*TestExample::test_trigger_parses[[]preset:Track[]] PASSED*",
            "*TestExample::test_trigger_parses[[]default:track[]] PASSED*",
            "*TestExample::test_default_mapping_compiles[[]track[]] PASSED*",
            "*TestExample::test_required_fields_request_snapshot[[]track[]] PASSED*",
            "*TestExample::test_authentication_passes_on_success PASSED*",
            "*TestExample::test_authentication_raises_on_401 PASSED*",
        ]
    )


def test_the_snapshot_holds_the_generated_required_fields(pytester: pytest.Pytester) -> None:
    suite(pytester)
    run(pytester, "--snapshot-update")

    name = "TestExample.test_required_fields_request_snapshot[track].json"
    [request] = json.loads((pytester.path / "__snapshots__" / "test_example" / name).read_text())

    assert request["headers"]["authorization"] == "Bearer <secret:apiKey>"
    assert sorted(request["json"]) == ["count", "user_id"]  # required fields only


def test_the_generated_data_is_stable_between_runs(pytester: pytest.Pytester) -> None:
    suite(pytester)
    run(pytester, "--snapshot-update")

    run(pytester).assert_outcomes(passed=8)


def test_the_snapshot_test_fails_when_the_request_changes(pytester: pytest.Pytester) -> None:
    suite(pytester)
    run(pytester, "--snapshot-update")
    (pytester.path / "test_example.py").write_text(
        suite_source("perform=lambda ctx, p: ctx.request('POST', 'https://api.example.com/v2/track', json=p)")
    )

    result = run(pytester)

    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["FAILED *test_required_fields_request_snapshot[[]track[]]*"])


def test_a_broken_preset_fails_the_definition_and_preset_tests(pytester: pytest.Pytester) -> None:
    suite(pytester, "presets=(Preset('Bad', 'track', 'type = \"track\"', {'nope': 'x'}),)", imports="Preset")

    result = run(pytester, "--snapshot-update")

    result.assert_outcomes(passed=6, failed=2)
    result.stdout.fnmatch_lines_random(
        [
            "FAILED *test_definition_registers*",
            "FAILED *test_preset_names_existing_action_and_fields[[]Bad[]]*",
        ]
    )


def test_a_trigger_that_does_not_parse_fails_its_test(pytester: pytest.Pytester) -> None:
    suite(pytester, "presets=(Preset('Odd', 'track', 'type = ', {}),)", imports="Preset")

    result = run(pytester, "--snapshot-update")

    result.stdout.fnmatch_lines_random(
        ["FAILED *test_trigger_parses[[]preset:Odd[]]*", "FAILED *test_definition_registers*"]
    )
    result.assert_outcomes(passed=6, failed=2)


def test_authentication_tests_are_skipped_without_an_authentication_test(pytester: pytest.Pytester) -> None:
    suite(pytester, "auth=None")

    result = run(pytester, "--snapshot-update", "-rs")

    result.assert_outcomes(passed=6, skipped=2)
    result.stdout.fnmatch_lines(["*actions-example has no authentication test*"])


def test_a_secret_leaked_into_logs_fails_the_snapshot_test(pytester: pytest.Pytester) -> None:
    suite(pytester, "perform=logs_the_key", imports="logs_the_key")

    result = run(pytester, "--snapshot-update")

    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["*SecretLeakError: Secret leak: captured log record 1 of * 'apiKey' (as is)*"])


def test_an_action_refusing_generated_data_points_to_snapshot_payload(pytester: pytest.Pytester) -> None:
    suite(pytester, "perform=wants_small_counts", imports="wants_small_counts")

    result = run(pytester, "--snapshot-update")

    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["*count too large*override snapshot_payload()*"])


def test_overriding_snapshot_payload_pins_values(pytester: pytest.Pytester) -> None:
    suite(
        pytester,
        "perform=wants_small_counts",
        extra="def snapshot_payload(self, action):\n"
        "        return {**super().snapshot_payload(action), 'count': 3}",
        imports="wants_small_counts",
    )

    run(pytester, "--snapshot-update").assert_outcomes(passed=8)


def test_the_base_class_and_bases_without_a_destination_are_not_collected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bases="""
        from actions_core.testing.suite import DestinationTestSuite

        class TestCommonChecks(DestinationTestSuite):
            '''A shared base for several destinations: no destination, so no tests.'''

        def test_something_else():
            pass
        """
    )

    result = run(pytester, "-W", "error::pytest.PytestCollectionWarning")

    result.assert_outcomes(passed=1)
