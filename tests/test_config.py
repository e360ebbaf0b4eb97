"""Loading a YAML config: what it becomes, ${VAR} expansion, presets, locations, the schema.

The error kinds a user meets are driven through the CLI in ``test_cli_config_errors.py``;
this file covers the library surface (``load_config`` / ``load_instance``).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import actions_launchdarkly_audiences as launchdarkly
import pytest
from jsonschema import Draft202012Validator

from actions_core.config.loader import load_config, load_instance, schema_path
from actions_core.config.yaml import load_yaml
from actions_core.definitions import Action, Destination, Field
from actions_core.errors import ConfigError, ConfigErrors, SourceLocation
from actions_core.hookspecs import hookimpl
from actions_core.registry import DestinationRegistry

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "launchdarkly.yaml"
PRESET = "Sync Engage Audience to LaunchDarkly"

WriteConfig = Callable[[str], Path]


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    def write(text: str) -> Path:
        path = tmp_path / "config.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def registry() -> DestinationRegistry:
    return DestinationRegistry.from_plugins({"actions-core": launchdarkly})


def test_a_config_gives_the_destination_settings_and_mappings(write_config: WriteConfig) -> None:
    path = write_config(f"""
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: token
          clientId: env-1
        mappings:
          - name: Sync
            preset: {PRESET}
          - name: Email-keyed
            action: syncAudience
            mapping:
              context_key: email_only
            enabled: false
    """)
    config = load_config(path, env={})
    assert config.destination == "actions-launchdarkly-audiences"
    assert config.settings == {"apiKey": "token", "clientId": "env-1"}
    assert [(m.name, m.preset, m.action, m.enabled) for m in config.mappings] == [
        ("Sync", PRESET, None, True),
        ("Email-keyed", None, "syncAudience", False),
    ]


def test_env_variables_are_read_where_they_are_written(write_config: WriteConfig) -> None:
    path = write_config("""
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: ${LD_TOKEN}
          clientId: env-${STAGE}-1
    """)
    config = load_config(path, env={"LD_TOKEN": "t0ken", "STAGE": "prod"})
    assert config.settings == {"apiKey": "t0ken", "clientId": "env-prod-1"}


def test_a_default_is_used_when_the_variable_is_unset_or_empty(write_config: WriteConfig) -> None:
    path = write_config("""
        destination: actions-launchdarkly-audiences
        settings:
          apiKey: ${LD_TOKEN:-dry-run-token}
          clientId: ${LD_CLIENT:-dry-run-client}
    """)
    config = load_config(path, env={"LD_CLIENT": ""})
    assert config.settings == {"apiKey": "dry-run-token", "clientId": "dry-run-client"}


def test_a_doubled_dollar_keeps_a_literal_reference(write_config: WriteConfig) -> None:
    path = write_config("""
        destination: actions-launchdarkly-audiences
        settings:
          clientId: $${NOT_A_VARIABLE}
    """)
    assert load_config(path, env={}).settings == {"clientId": "${NOT_A_VARIABLE}"}


def test_a_preset_mapping_takes_the_presets_trigger_action_and_mapping(
    write_config: WriteConfig, registry: DestinationRegistry
) -> None:
    path = write_config(f"""
        destination: actions-launchdarkly-audiences
        mappings:
          - name: Sync
            preset: {PRESET}
    """)
    [spec] = load_config(path, env={}).subscription_specs(registry.get("actions-launchdarkly-audiences"))
    preset = launchdarkly.destination.presets[0]
    assert (spec.action, spec.trigger, dict(spec.mapping)) == (
        "syncAudience", preset.trigger, dict(preset.mapping)
    )


def test_a_preset_mapping_can_override_the_trigger_and_some_fields(
    write_config: WriteConfig, registry: DestinationRegistry
) -> None:
    path = write_config(f"""
        destination: actions-launchdarkly-audiences
        mappings:
          - name: Sync identifies by email
            preset: {PRESET}
            trigger: type = "identify"
            mapping:
              context_key: email_only
    """)
    [spec] = load_config(path, env={}).subscription_specs(registry.get("actions-launchdarkly-audiences"))
    assert spec.trigger == 'type = "identify"'
    assert spec.mapping["context_key"] == "email_only"
    assert spec.mapping["segment_audience_id"] == {"@path": "context.personas.computation_id"}


def test_an_action_mapping_without_a_trigger_uses_the_actions_default_trigger(
    write_config: WriteConfig, registry: DestinationRegistry
) -> None:
    path = write_config("""
        destination: actions-launchdarkly-audiences
        mappings:
          - name: Sync
            action: syncAudience
    """)
    [spec] = load_config(path, env={}).subscription_specs(registry.get("actions-launchdarkly-audiences"))
    assert spec.trigger == 'type = "identify" or type = "track"'
    assert spec.mapping == {}


def _no_op(ctx: Any, payload: Any) -> None:
    return None


class _NoTriggerPlugin:
    """A destination whose only action has no default trigger."""

    @hookimpl
    def actions_core_register_destinations(self, register: Callable[[Destination], None]) -> None:
        action = Action("post", "Post", (Field("id", "ID", "string"),), _no_op)
        register(Destination("Bare", "actions-bare", (), (action,)))


def test_an_action_without_a_default_trigger_needs_one(write_config: WriteConfig) -> None:
    path = write_config("""
        destination: actions-bare
        mappings:
          - name: Post everything
            action: post
    """)
    registry = DestinationRegistry.from_plugins({"bare": _NoTriggerPlugin()})
    with pytest.raises(ConfigError) as caught:
        load_instance(path, registry=registry, env={})
    assert caught.value.location == SourceLocation(str(path), 3, 5)
    assert "action 'post' has no default trigger; expected a `trigger`" in str(caught.value)


def test_load_instance_compiles_the_example_config(registry: DestinationRegistry) -> None:
    instance = load_instance(EXAMPLE, registry=registry, env={})
    assert [(s.name, s.enabled) for s in instance.subscriptions] == [
        (PRESET, True),
        ("Email-keyed sync", False),
    ]
    assert instance.settings["apiKey"] == "dry-run-token"


def test_every_value_can_be_located_by_its_document_path(write_config: WriteConfig) -> None:
    path = write_config("""
        destination: actions-launchdarkly-audiences
        mappings:
          - name: Sync
            action: syncAudience
            trigger: type = "track"
    """)
    config = load_config(path, env={})
    assert config.location("mappings[0].trigger") == SourceLocation(str(path), 5, 14)
    assert config.location("mappings[0].trigger", key=True) == SourceLocation(str(path), 5, 5)
    # A key that was not written points at its nearest written parent.
    assert config.location("mappings[0].mapping") == SourceLocation(str(path), 3, 5)


def test_yes_no_and_dates_stay_strings_as_in_yaml_1_2() -> None:
    doc = load_yaml("a: yes\nb: off\nc: 2024-05-01\nd: true\n", "x.yaml")
    assert doc.data == {"a": "yes", "b": "off", "c": "2024-05-01", "d": True}


def test_merge_keys_are_not_duplicates() -> None:
    doc = load_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n", "x.yaml")
    assert doc.data["other"] == {"x": 3, "y": 2}


def test_every_schema_problem_is_reported_at_once(write_config: WriteConfig) -> None:
    path = write_config("""
        destination: actions-launchdarkly-audiences
        setings: {}
        mappings:
          - name: Sync
            action: syncAudience
            enabled: "no"
    """)
    with pytest.raises(ConfigErrors) as caught:
        load_config(path, env={})
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:2:1: setings: unknown key 'setings'; expected one of: destination, settings, "
        "mappings (did you mean 'settings'?)",
        f"{path}:6:14: mappings[0].enabled: expected true or false, found a string",
    ]


def test_the_schema_in_use_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(json.loads(schema_path().read_text(encoding="utf-8")))


def test_the_schema_in_use_is_the_one_in_schemas() -> None:
    # From a source checkout it is that file; from a wheel, the copy shipped in the package.
    shipped = (REPO / "schemas" / "instance-config.schema.json").read_text(encoding="utf-8")
    assert schema_path().read_text(encoding="utf-8") == shipped


def test_the_example_config_names_the_schema_for_editors() -> None:
    first_line = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schemas/instance-config.schema.json"
    assert (EXAMPLE.parent / "../schemas/instance-config.schema.json").is_file()
