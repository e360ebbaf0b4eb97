"""Each kind of config mistake, as a user meets it: ``actions-core validate`` exits 3 and
prints ``file:line:column: path: message`` saying what was expected."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import actions_launchdarkly_audiences as launchdarkly
import pytest
from click.testing import CliRunner, Result

from actions_core.cli.main import CliState, cli
from actions_core.registry import DestinationRegistry

PRESET = "Sync Engage Audience to LaunchDarkly"
HEADER = """\
destination: actions-launchdarkly-audiences
settings:
  apiKey: s3cret-token
  clientId: env-1
"""

Validate = Callable[[str], Result]


@pytest.fixture
def validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Validate:
    """Writes ``config.yaml`` in a fresh directory and runs ``actions-core validate`` on it."""
    monkeypatch.chdir(tmp_path)

    def run(text: str) -> Result:
        Path("config.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        registry = DestinationRegistry.from_plugins({"actions-core": launchdarkly})
        return CliRunner().invoke(
            cli, ["validate", "config.yaml"], obj=CliState(registry=registry), env={"LD_TOKEN": None}
        )

    return run


def assert_config_error(result: Result, expected: str) -> None:
    assert (result.exit_code, result.stderr) == (3, expected + "\n")
    assert "s3cret-token" not in result.output


def test_a_yaml_syntax_error_names_where_the_parser_stopped(validate: Validate) -> None:
    result = validate(HEADER + "mappings: [\n")
    assert_config_error(
        result,
        "config.yaml:6:1: invalid YAML: expected the node content, but found '<stream end>' "
        "(while parsing a flow node at line 6, column 1)",
    )


def test_a_duplicate_key_is_an_error_naming_both_places(validate: Validate) -> None:
    result = validate(HEADER + "  clientId: env-2\n")
    assert_config_error(
        result,
        "config.yaml:5:3: settings.clientId: duplicate key 'clientId': it is already set at "
        "line 4, column 3; expected each key once per mapping",
    )


def test_an_unknown_top_level_key_lists_the_known_ones(validate: Validate) -> None:
    result = validate(HEADER + "mapings: []\n")
    assert_config_error(
        result,
        "config.yaml:5:1: mapings: unknown key 'mapings'; expected one of: destination, "
        "settings, mappings (did you mean 'mappings'?)",
    )


def test_a_value_of_the_wrong_type_says_what_was_expected(validate: Validate) -> None:
    result = validate(HEADER + "mappings:\n  name: Sync\n")
    assert_config_error(result, "config.yaml:6:3: mappings: expected a list, found a mapping")


def test_a_missing_environment_variable_is_named_where_it_is_used(validate: Validate) -> None:
    result = validate("""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: ${LD_TOKEN}
          clientId: env-1
    """)
    assert_config_error(
        result,
        "config.yaml:3:11: settings.apiKey: environment variable LD_TOKEN is not set; set it, "
        "or give a default: ${LD_TOKEN:-default}",
    )


def test_an_unknown_destination_lists_the_installed_ones(validate: Validate) -> None:
    result = validate("destination: actions-launchdarkly\n")
    assert_config_error(
        result,
        "config.yaml:1:14: destination: No installed destination has the slug "
        "'actions-launchdarkly' (installed: actions-launchdarkly-audiences)",
    )


def test_an_unknown_preset_lists_the_destinations_presets(validate: Validate) -> None:
    result = validate(HEADER + "mappings:\n  - name: Sync\n    preset: Sync audiences\n")
    assert_config_error(
        result,
        "config.yaml:7:13: mappings[0].preset: destination 'actions-launchdarkly-audiences' has "
        f"no preset 'Sync audiences'; expected one of: {PRESET}",
    )


def test_an_unknown_action_lists_the_destinations_actions(validate: Validate) -> None:
    result = validate(HEADER + "mappings:\n  - name: Sync\n    action: syncAudiences\n")
    assert_config_error(
        result,
        "config.yaml:7:13: mappings[0].action: destination 'actions-launchdarkly-audiences' has "
        "no action 'syncAudiences' (actions: syncAudience)",
    )


def test_an_unknown_field_in_a_mapping_lists_the_actions_fields(validate: Validate) -> None:
    result = validate(HEADER + """\
mappings:
  - name: Sync
    action: syncAudience
    mapping:
      contextKey: email_only
""")
    assert_config_error(
        result,
        "config.yaml:9:7: mappings[0].mapping: action 'syncAudience' has no field 'contextKey' "
        "(fields: segment_audience_id, segment_audience_key, segment_computation_action, "
        "context_kind, segment_user_id, segment_anonymous_id, user_email, context_key, "
        "traits_or_props, enable_batching, audience_action)",
    )


def test_a_trigger_syntax_error_points_at_the_column_inside_the_trigger(validate: Validate) -> None:
    result = validate(HEADER + """\
mappings:
  - name: Sync
    action: syncAudience
    trigger: type = "identify" andd event = "x"
""")
    # Column 19 of the trigger, which starts at column 14 of line 8.
    assert_config_error(
        result,
        "config.yaml:8:32: mappings[0].trigger: Trigger syntax error at column 19: expected "
        "'and', 'or' or the end of the trigger after '\"identify\"', found 'andd' in: "
        'type = "identify" andd event = "x"',
    )


def test_a_bad_mapping_directive_points_at_the_directive(validate: Validate) -> None:
    result = validate(HEADER + """\
mappings:
  - name: Sync
    action: syncAudience
    mapping:
      user_email:
        "@if":
          exists: {"@path": traits.email}
          then: {"@oops": traits.email}
""")
    assert_config_error(
        result,
        "config.yaml:12:17: mappings[0].mapping: /user_email/@if/then has an invalid "
        "directive: @oops.",
    )


def test_more_than_50_mappings_is_an_error(validate: Validate) -> None:
    mappings = "".join(f"  - name: Sync {i}\n    preset: {PRESET}\n" for i in range(51))
    result = validate(HEADER + "mappings:\n" + mappings)
    assert_config_error(result, "config.yaml:6:3: mappings: has 51 items; expected at most 50")


def test_two_mappings_with_one_name_is_an_error(validate: Validate) -> None:
    result = validate(HEADER + f"""\
mappings:
  - name: Sync
    preset: {PRESET}
  - name: Sync
    action: syncAudience
""")
    assert_config_error(
        result, "config.yaml:8:11: mappings[1].name: mapping name 'Sync' is used twice"
    )


def test_settings_are_validated_with_the_destinations_schema(validate: Validate) -> None:
    result = validate("""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: s3cret-token
    """)
    assert_config_error(
        result,
        "config.yaml:3:3: settings: The root value is missing the required field 'clientId'.",
    )


def test_an_unknown_setting_is_a_typo_not_silently_ignored(validate: Validate) -> None:
    result = validate(HEADER + "  apiBaseURL: http://127.0.0.1:9\n")
    assert_config_error(
        result,
        "config.yaml:5:3: settings.apiBaseURL: destination 'actions-launchdarkly-audiences' has "
        "no setting 'apiBaseURL'; expected one of: apiKey, clientId, apiBaseUrl, "
        "clientSdkBaseUrl (did you mean 'apiBaseUrl'?)",
    )


def test_a_mapping_takes_a_preset_or_an_action_not_both(validate: Validate) -> None:
    result = validate(HEADER + f"mappings:\n  - name: Sync\n    preset: {PRESET}\n    action: x\n")
    assert_config_error(
        result,
        "config.yaml:6:5: mappings[0]: a mapping takes either `preset` or `action`, not both "
        "(a preset already names its action)",
    )


def test_a_secret_of_the_wrong_type_is_not_echoed(validate: Validate) -> None:
    result = validate("""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: {token: s3cret-token}
          clientId: env-1
    """)
    assert_config_error(
        result,
        "config.yaml:3:3: settings: LaunchDarkly Service Token must be a string but it was "
        "an object.",
    )


def test_a_yaml_error_on_a_secrets_line_does_not_quote_the_line(validate: Validate) -> None:
    result = validate("""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: "s3cret-token
          clientId: env-1
    """)
    assert result.exit_code == 3
    assert result.stderr.startswith("config.yaml:5:1: invalid YAML: found unexpected end of stream")
    assert "s3cret-token" not in result.output


def test_a_secret_pasted_into_a_trigger_is_masked_in_the_error(validate: Validate) -> None:
    result = validate(HEADER + """\
mappings:
  - name: Sync
    action: syncAudience
    trigger: userId = s3cret-token
""")
    assert_config_error(
        result,
        "config.yaml:8:23: mappings[0].trigger: Trigger syntax error at column 10: expected a "
        "value (a string, number, true, false or null) after '=', found '***' in: userId = ***",
    )


def test_every_config_error_is_shown_at_once_each_once_in_file_order(validate: Validate) -> None:
    result = validate(f"""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: ${{LD_TOKEN}}
          clientId: env-1
          region: eu
        mappings:
          - name: Sync
            preset: {PRESET}
            trigger: type = "identify" andd x
          - name: Sync
            action: syncAudience
            mapping:
              context_key: emial_only
          - name: Other
            preset: No Such Preset
    """)
    assert_config_error(result, "\n".join([
        "config.yaml:3:11: settings.apiKey: environment variable LD_TOKEN is not set; set it, or "
        "give a default: ${LD_TOKEN:-default}",
        "config.yaml:5:3: settings.region: destination 'actions-launchdarkly-audiences' has no "
        "setting 'region'; expected one of: apiKey, clientId, apiBaseUrl, clientSdkBaseUrl",
        "config.yaml:9:32: mappings[0].trigger: Trigger syntax error at column 19: expected "
        "'and', 'or' or the end of the trigger after '\"identify\"', found 'andd' in: "
        'type = "identify" andd x',
        "config.yaml:10:11: mappings[1].name: mapping name 'Sync' is used twice",
        "config.yaml:13:20: mappings[1].mapping.context_key: 'emial_only' is not a choice of "
        "field 'context_key'; expected one of: 'user_id_then_email', 'user_id_then_anonymousId', "
        "'user_id_then_email_then_anonymousId', 'user_id_only', 'email_only' (did you mean "
        "'email_only'?)",
        "config.yaml:15:13: mappings[2].preset: destination 'actions-launchdarkly-audiences' has "
        f"no preset 'No Such Preset'; expected one of: {PRESET}",
    ]))


def test_every_missing_environment_variable_is_named_at_once(validate: Validate) -> None:
    result = validate("""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: ${LD_TOKEN}
          clientId: ${LD_CLIENT}
    """)
    assert_config_error(result, "\n".join([
        "config.yaml:3:11: settings.apiKey: environment variable LD_TOKEN is not set; set it, or "
        "give a default: ${LD_TOKEN:-default}",
        "config.yaml:4:13: settings.clientId: environment variable LD_CLIENT is not set; set it, "
        "or give a default: ${LD_CLIENT:-default}",
    ]))


def test_a_literal_that_is_not_one_of_the_fields_choices_is_a_config_error(validate: Validate) -> None:
    result = validate(HEADER + """\
mappings:
  - name: Email-keyed sync
    action: syncAudience
    trigger: type = "identify"
    mapping:
      context_key: emial_only
""")
    assert_config_error(
        result,
        "config.yaml:10:20: mappings[0].mapping.context_key: 'emial_only' is not a choice of "
        "field 'context_key'; expected one of: 'user_id_then_email', 'user_id_then_anonymousId', "
        "'user_id_then_email_then_anonymousId', 'user_id_only', 'email_only' (did you mean "
        "'email_only'?)",
    )


def test_an_empty_required_setting_must_not_be_empty_rather_than_missing(validate: Validate) -> None:
    result = validate("""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: ""
          clientId: env-1
    """)
    assert_config_error(result, "config.yaml:3:11: settings.apiKey: must not be empty")


def test_a_yaml_boolean_for_a_string_setting_is_a_type_error(validate: Validate) -> None:
    result = validate("""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: true
          clientId: 12345
    """)
    assert_config_error(result, "\n".join([
        "config.yaml:3:11: settings.apiKey: expected a string, found a boolean; quote it if it is "
        "meant as text",
        "config.yaml:4:13: settings.clientId: expected a string, found a number; quote it if it "
        "is meant as text",
    ]))


def test_a_token_with_surrounding_white_space_is_a_config_error_that_does_not_echo_it(
    validate: Validate,
) -> None:
    result = validate("""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: " s3cret-token"
          clientId: env-1
    """)
    assert_config_error(
        result,
        "config.yaml:3:11: settings.apiKey: has white space at its start or end; remove it (the "
        "value is sent in an HTTP header exactly as written)",
    )


def test_a_token_with_a_character_that_is_not_ascii_is_a_config_error(validate: Validate) -> None:
    result = validate("""\
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: "s3cret-token\u2013"
          clientId: env-1
    """)
    assert_config_error(
        result,
        "config.yaml:3:11: settings.apiKey: holds a character that is not ASCII at position 13; "
        "expected printable ASCII only (the value is sent in an HTTP header), which a copied "
        "token is: check what was pasted",
    )
