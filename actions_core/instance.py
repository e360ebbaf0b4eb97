"""A destination instance compiled for the per-event path.

Everything that can be decided once is decided here, when an instance loads: settings are
validated, triggers parsed, mappings merged over the action's defaults and compiled, payload
validators built (once per action). The engine then only runs what was compiled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actions_core.definitions import Action, Destination, default_values
from actions_core.errors import ConfigError, MappingError, TriggerSyntaxError
from actions_core.mapping.mapping import CompiledMapping, compile_mapping
from actions_core.triggers import Trigger, parse_trigger
from actions_core.validation.extended import ExtendedValidator
from actions_core.validation.validator import (
    PayloadValidator,
    compile_payload_builder,
    compile_validator,
    validate_settings,
)

MAX_SUBSCRIPTIONS = 50


@dataclass(frozen=True)
class SubscriptionSpec:
    """A mapping as a user writes it (YAML or code), before compilation.

    ``mapping`` holds field mappings; with ``use_defaults`` (the default) fields it does not
    name keep the action's default mapping. ``trigger=None`` means every event (the test
    harness's ``test_action``, like the reference's).
    """

    name: str
    action: str
    trigger: str | None
    mapping: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True
    use_defaults: bool = True


@dataclass(frozen=True)
class Subscription:
    """A compiled subscription: the trigger, mapping and validator the engine runs.

    ``build`` maps and validates in one generated function (the mapping's value code written
    into the validator's checks); it equals ``validator.validate(mapping.resolve(event))``.
    """

    name: str
    action: Action
    trigger: Trigger | None
    mapping: CompiledMapping
    validator: PayloadValidator
    enabled: bool = True
    build: Callable[[Mapping[str, Any]], dict[str, Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        builder: Callable[[Mapping[str, Any]], dict[str, Any]]
        if isinstance(self.validator, ExtendedValidator):  # not generated: see its module
            validate, resolve = self.validator.validate, self.mapping.resolve

            def builder(event: Mapping[str, Any]) -> dict[str, Any]:
                return validate(resolve(event))
        else:
            builder = compile_payload_builder(
                self.validator.fields, self.mapping.plans, label=f"mapping {self.name!r}"
            )
        object.__setattr__(self, "build", builder)

    def payload(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Map and validate one event; raises PayloadValidationError."""
        return self.build(event)


@dataclass(frozen=True)
class Instance:
    """A destination with validated settings and its compiled subscriptions."""

    destination: Destination
    settings: Mapping[str, Any]
    subscriptions: tuple[Subscription, ...]

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values of ``password`` settings, which must never be shown."""
        return tuple(
            str(self.settings[key])
            for key in self.destination.secret_settings
            if self.settings.get(key) not in (None, "")
        )


def compile_subscription(
    destination: Destination,
    spec: SubscriptionSpec,
    *,
    path: str = "",
    validators: dict[str, PayloadValidator] | None = None,
) -> Subscription:
    """Compile one subscription; errors name ``path`` (``mappings[2].mapping``)."""
    prefix = f"{path}." if path else ""
    action = destination.action(spec.action)
    if action is None:
        known = ", ".join(a.key for a in destination.actions)
        raise ConfigError(
            f"destination {destination.slug!r} has no action {spec.action!r} (actions: {known})",
            path=f"{prefix}action",
        )
    field_keys = [f.key for f in action.fields]
    unknown = [k for k in spec.mapping if k not in field_keys]
    if unknown:
        raise ConfigError(
            f"action {action.key!r} has no field {', '.join(map(repr, unknown))} "
            f"(fields: {', '.join(field_keys)})",
            path=f"{prefix}mapping",
        )
    trigger: Trigger | None = None
    if spec.trigger is not None:
        try:
            trigger = parse_trigger(spec.trigger)
        except TriggerSyntaxError as exc:
            raise ConfigError(str(exc), path=f"{prefix}trigger") from exc
    full = {**default_values(action.fields), **spec.mapping} if spec.use_defaults else dict(spec.mapping)
    try:
        mapping = compile_mapping(full)
    except MappingError as exc:
        raise ConfigError(str(exc), path=f"{prefix}mapping") from exc
    cache = validators if validators is not None else {}
    validator = cache.get(action.key)
    if validator is None:
        validator = cache[action.key] = compile_validator(action.fields)
    return Subscription(spec.name, action, trigger, mapping, validator, spec.enabled)


def compile_instance(
    destination: Destination,
    settings: Mapping[str, Any],
    specs: Sequence[SubscriptionSpec],
) -> Instance:
    """Validate settings and compile every subscription (at most 50, names unique)."""
    if len(specs) > MAX_SUBSCRIPTIONS:
        raise ConfigError(
            f"an instance has at most {MAX_SUBSCRIPTIONS} mappings, this one has {len(specs)}",
            path="mappings",
        )
    clean_settings = validate_settings(destination.settings, settings)
    validators: dict[str, PayloadValidator] = {}
    seen: set[str] = set()
    compiled = []
    for i, spec in enumerate(specs):
        if spec.name in seen:
            raise ConfigError(f"mapping name {spec.name!r} is used twice", path=f"mappings[{i}].name")
        seen.add(spec.name)
        compiled.append(
            compile_subscription(destination, spec, path=f"mappings[{i}]", validators=validators)
        )
    return Instance(destination, clean_settings, tuple(compiled))


__all__ = [
    "MAX_SUBSCRIPTIONS",
    "Instance",
    "Subscription",
    "SubscriptionSpec",
    "compile_instance",
    "compile_subscription",
]
