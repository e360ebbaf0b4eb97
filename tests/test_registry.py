"""The plugin registry: entry points, duplicate slugs, broken plugins, definition checks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import pytest

import actions_core
from actions_core.definition_checks import check_destination
from actions_core.definitions import Action, Destination, Field, Preset
from actions_core.errors import DefinitionError, PluginError, UnknownDestinationError
from actions_core.registry import DestinationRegistry


def _perform(ctx: Any, payload: Any) -> None:
    return None


ACTION = Action(
    key="send",
    title="Send",
    fields=(
        Field("user_id", "User ID", "string", required=True, default={"@path": "userId"}),
        Field("name", "Name", "string", default={"@path": "traits.name"}),
    ),
    perform=_perform,
    default_trigger='type = "identify"',
)
TOY = Destination(
    name="Toy",
    slug="actions-toy",
    settings=(Field("token", "Token", "password", required=True),),
    actions=(ACTION,),
    presets=(Preset("Send identifies", "send", 'type = "identify"', {"user_id": {"@path": "userId"}}),),
)


def plugin_registering(*destinations: Destination) -> Any:
    """A plugin object as a package would provide it: a namespace with one hookimpl."""

    @actions_core.hookimpl
    def actions_core_register_destinations(register: Any) -> None:
        for destination in destinations:
            register(destination)

    return SimpleNamespace(actions_core_register_destinations=actions_core_register_destinations)


@dataclass
class FakeDist:
    name: str
    version: str = "1.0"


@dataclass
class FakeEntryPoint:
    """Stands in for an installed package's entry point, without installing anything."""

    name: str
    dist: FakeDist
    plugin: Any = None
    error: Exception | None = None
    module: str = "fake"

    def load(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.plugin


def test_a_registered_destination_can_be_looked_up_by_slug() -> None:
    registry = DestinationRegistry.from_plugins({"toy-package": plugin_registering(TOY)})
    assert registry.get("actions-toy") is TOY


def test_installed_lists_the_package_that_provides_each_destination() -> None:
    eps = [FakeEntryPoint("toy", FakeDist("toy-package", "2.1"), plugin_registering(TOY))]
    registry = DestinationRegistry.from_entry_points(eps)  # type: ignore[arg-type]
    [installed] = registry.installed()
    assert (installed.destination.slug, installed.package, installed.version) == (
        "actions-toy",
        "toy-package",
        "2.1",
    )


def test_unknown_slug_names_what_is_installed() -> None:
    registry = DestinationRegistry.from_plugins({"toy-package": plugin_registering(TOY)})
    with pytest.raises(UnknownDestinationError, match=r"'actions-nope'.*installed: actions-toy"):
        registry.get("actions-nope")


def test_two_packages_registering_one_slug_is_an_error_naming_both() -> None:
    registry = DestinationRegistry.from_plugins(
        {"first-package": plugin_registering(TOY), "second-package": plugin_registering(TOY)}
    )
    assert registry.conflicts() == {"actions-toy": ["first-package", "second-package"]}
    with pytest.raises(PluginError, match=r"'first-package' and 'second-package'"):
        registry.get("actions-toy")


def test_a_plugin_that_fails_to_import_is_reported_and_does_not_take_others_down() -> None:
    eps = [
        FakeEntryPoint("broken", FakeDist("broken-package"), error=ImportError("no module x")),
        FakeEntryPoint("toy", FakeDist("toy-package"), plugin_registering(TOY)),
    ]
    registry = DestinationRegistry.from_entry_points(eps)  # type: ignore[arg-type]
    assert registry.get("actions-toy") is TOY
    [failure] = registry.failures
    assert failure.package == "broken-package"
    assert "no module x" in str(failure)


def test_a_plugin_can_be_disabled_by_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIONS_CORE_DISABLE_PLUGINS", "toy-package")
    eps = [FakeEntryPoint("toy", FakeDist("toy-package"), plugin_registering(TOY))]
    registry = DestinationRegistry.from_entry_points(eps)  # type: ignore[arg-type]
    assert registry.installed() == []


def test_a_preset_naming_a_missing_action_is_a_definition_error() -> None:
    bad = replace(TOY, presets=(Preset("Broken", "nope", 'type = "track"', {}),))
    registry = DestinationRegistry.from_plugins({"bad-package": plugin_registering(bad)})
    [failure] = registry.failures
    assert "Destination 'actions-toy'" in failure.error
    assert "preset 'Broken' names action 'nope'" in failure.error


def test_a_preset_mapping_an_unknown_field_is_a_definition_error() -> None:
    bad = replace(TOY, presets=(Preset("Broken", "send", 'type = "track"', {"nope": "x"}),))
    with pytest.raises(DefinitionError, match=r"preset 'Broken' maps 'nope'"):
        check_destination(bad)


def test_a_default_trigger_that_does_not_parse_is_a_definition_error() -> None:
    bad = replace(TOY, actions=(replace(ACTION, default_trigger="type = "),))
    with pytest.raises(DefinitionError, match=r"action 'send' default trigger"):
        check_destination(bad)


def test_a_field_default_that_is_not_a_valid_mapping_is_a_definition_error() -> None:
    fields = (Field("user_id", "User ID", "string", default={"@oops": "userId"}),)
    bad = replace(TOY, actions=(replace(ACTION, fields=fields),), presets=())
    with pytest.raises(DefinitionError, match=r"field 'user_id' default"):
        check_destination(bad)


def test_batch_keys_must_name_fields() -> None:
    bad = replace(TOY, actions=(replace(ACTION, batch_keys=("audience",)),))
    with pytest.raises(DefinitionError, match=r"batches by 'audience', which is not a field"):
        check_destination(bad)


def test_an_authentication_note_without_an_authentication_test_is_a_definition_error() -> None:
    bad = replace(TOY, authentication_note="A pass does not check permissions.")
    with pytest.raises(DefinitionError, match=r"has an authentication_note but no authentication_test"):
        check_destination(bad)
