"""The standard destination test suite: generic tests for a destination from one line.

In the destination's test module::

    from actions_core.testing.suite import DestinationTestSuite
    from my_destination import destination

    class TestMyDestination(DestinationTestSuite):
        destination = destination
        settings = {"apiKey": "test-api-key-123"}   # optional: generated when left out

gives tests that the definition registers, presets name real actions and fields, every
trigger parses, every default mapping compiles, each action's required fields (generated,
seeded test data, :mod:`.fake_data`) produce the snapshotted requests, and the authentication
test passes on a success response and raises on a 401. Override a ``test_*`` method to
change or skip one test, and :meth:`DestinationTestSuite.snapshot_payload` to fix values the
destination cannot take from generated data.

The base class is not collected itself; a subclass is collected as soon as it sets
``destination`` (an intermediate base without one is not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from actions_core.definitions import Action, Destination
from actions_core.errors import ActionsCoreError
from actions_core.hookspecs import hookimpl
from actions_core.instance import SubscriptionSpec, compile_subscription
from actions_core.registry import DestinationRegistry
from actions_core.runtime.outcomes import Outcome
from actions_core.testing.events import create_test_event
from actions_core.testing.fake_data import fake_payload, fake_settings
from actions_core.testing.integration import ActionResult, TestIntegration
from actions_core.testing.mock_http import MockHTTP
from actions_core.triggers import parse_trigger

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion


class DestinationTestSuite:
    """Subclass with ``destination = ...`` (and optionally ``settings = {...}``).

    Test methods taking ``action_key``, ``preset_name`` or ``trigger`` are parametrized over
    the destination's actions, presets and triggers (yours too, if you add such methods).
    """

    __test__ = False
    destination: ClassVar[Destination | None] = None
    settings: ClassVar[Mapping[str, Any] | None] = None
    """Valid settings; ``None`` generates them from the setting fields."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__test__" not in cls.__dict__:
            cls.__test__ = cls.destination is not None

    # ------------------------------------------------------------------ helpers

    @classmethod
    def definition(cls) -> Destination:
        if cls.destination is None:
            raise TypeError(f"{cls.__name__} must set `destination = <your Destination>`")
        return cls.destination

    def suite_settings(self, action: Action | None = None) -> Mapping[str, Any]:
        """The class's ``settings``, or settings generated for ``action``'s seed."""
        if self.settings is not None:
            return self.settings
        return fake_settings(self.definition(), action)


    def snapshot_payload(self, action: Action) -> dict[str, Any]:
        """The payload the snapshot test maps (as literals): required fields from seeded
        test data. Override to pin values the destination insists on."""
        return fake_payload(self.definition(), action)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize by the subclass's destination: one test per action, preset, trigger."""
        destination = self.definition()
        params: dict[str, tuple[list[Any], list[str]]] = {
            "action_key": ([a.key for a in destination.actions], [a.key for a in destination.actions]),
            "preset_name": ([p.name for p in destination.presets], [p.name for p in destination.presets]),
            "trigger": _triggers(destination),
        }
        for name, (values, ids) in params.items():
            if name in metafunc.fixturenames:
                metafunc.parametrize(name, values, ids=ids)

    # ------------------------------------------------------------------ the tests

    def test_definition_registers(self) -> None:
        destination = self.definition()

        class Plugin:
            @hookimpl
            def actions_core_register_destinations(
                self, register: Callable[[Destination], None]
            ) -> None:
                register(destination)

        registry = DestinationRegistry.from_plugins({"package-under-test": Plugin()})
        assert [str(f) for f in registry.failures] == []
        assert registry.get(destination.slug) is destination

    def test_preset_names_existing_action_and_fields(self, preset_name: str) -> None:
        destination = self.definition()
        preset = destination.preset(preset_name)
        assert preset is not None
        action = destination.action(preset.action_key)
        assert action is not None, f"preset {preset_name!r} names unknown action {preset.action_key!r}"
        unknown = sorted(set(preset.mapping) - {f.key for f in action.fields})
        assert unknown == [], f"preset {preset_name!r} maps fields {action.key!r} does not have"

    def test_trigger_parses(self, trigger: str) -> None:
        parse_trigger(trigger)

    def test_default_mapping_compiles(self, action_key: str) -> None:
        spec = SubscriptionSpec(name=action_key, action=action_key, trigger=None)
        subscription = compile_subscription(self.definition(), spec)
        assert subscription.action.key == action_key

    def test_required_fields_request_snapshot(
        self, action_key: str, snapshot: SnapshotAssertion
    ) -> None:
        from actions_core.testing.snapshot_extension import RequestSnapshotExtension

        destination = self.definition()
        action = destination.action(action_key)
        assert action is not None
        result = required_fields_result(
            destination, action, self.snapshot_payload(action), self.suite_settings(action)
        )
        assert result.outcome.outcome is Outcome.DELIVERED, (
            f"the generated payload was not delivered ({result.outcome.error}); override "
            "snapshot_payload() to pin the values this action needs"
        )
        assert snapshot.use_extension(RequestSnapshotExtension) == result

    def test_authentication_passes_on_success(self) -> None:
        integration = self._auth_integration(200)
        result = integration.test_authentication(self.suite_settings())
        assert result.exchanges, "the authentication test sent no request"

    def test_authentication_raises_on_401(self) -> None:
        integration = self._auth_integration(401)
        with pytest.raises(ActionsCoreError):
            integration.test_authentication(self.suite_settings())

    def _auth_integration(self, status: int) -> TestIntegration:
        destination = self.definition()
        if destination.authentication_test is None:
            pytest.skip(f"{destination.slug} has no authentication test")
        return TestIntegration(destination, http=MockHTTP(strict=False, default_status=status))


def required_fields_result(
    destination: Destination,
    action: Action,
    payload: Mapping[str, Any],
    settings: Mapping[str, Any],
) -> ActionResult:
    """What the snapshot test snapshots (the reference's snapshot test, step for step): the
    payload as a literal mapping over a test event carrying it in ``properties``, sent to a
    permissive mock answering 200."""
    integration = TestIntegration(destination, http=MockHTTP(strict=False))
    return integration.test_action(
        action.key,
        event=create_test_event(properties=dict(payload)),
        mapping=payload,
        settings=settings,
    )


def _triggers(destination: Destination) -> tuple[list[str], list[str]]:
    """Every trigger of the definition with a readable id (``preset:Sync``)."""
    values: list[str] = []
    ids: list[str] = []
    for preset in destination.presets:
        values.append(preset.trigger)
        ids.append(f"preset:{preset.name}")
    for action in destination.actions:
        if action.default_trigger is not None:
            values.append(action.default_trigger)
            ids.append(f"default:{action.key}")
    return values, ids


__all__ = ["DestinationTestSuite", "required_fields_result"]
