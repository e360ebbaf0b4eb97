"""A destination instance compiled for the per-event path.

Everything that can be decided once is decided here, when an instance loads: settings are
validated, triggers parsed, mappings merged over the action's defaults and compiled, payload
validators built (once per action). The engine then only runs what was compiled.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actions_core.definitions import Action, Destination, RequestDefaults, default_values
from actions_core.errors import (
    ConfigError,
    ConfigErrors,
    MappingError,
    SettingsValidationError,
    TriggerSyntaxError,
)
from actions_core.mapping.mapping import CompiledMapping, compile_mapping
from actions_core.triggers import Trigger, parse_trigger
from actions_core.validation.extended import ExtendedValidator
from actions_core.validation.settings import setting_problems
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

    @property
    def request_defaults(self) -> RequestDefaults:
        """The destination's request defaults for these settings (empty when it has none)."""
        defaults_for = self.destination.request_defaults
        return defaults_for(self.settings) if defaults_for else RequestDefaults()


def compile_subscription(
    destination: Destination,
    spec: SubscriptionSpec,
    *,
    path: str = "",
    validators: dict[str, PayloadValidator] | None = None,
) -> Subscription:
    """Compile one subscription; errors name ``path`` (``mappings[2].mapping``). Every problem
    is reported at once (:class:`ConfigErrors` when there are several)."""
    prefix = f"{path}." if path else ""
    action = destination.action(spec.action)
    if action is None:
        known = ", ".join(a.key for a in destination.actions)
        raise ConfigError(
            f"destination {destination.slug!r} has no action {spec.action!r} (actions: {known})",
            path=f"{prefix}action",
        )
    errors: list[ConfigError] = []
    field_keys = [f.key for f in action.fields]
    unknown = [k for k in spec.mapping if k not in field_keys]
    if unknown:
        errors.append(ConfigError(
            f"action {action.key!r} has no field {', '.join(map(repr, unknown))} "
            f"(fields: {', '.join(field_keys)})",
            path=f"{prefix}mapping",
        ))
    trigger: Trigger | None = None
    if spec.trigger is not None:
        try:
            trigger = parse_trigger(spec.trigger)
        except TriggerSyntaxError as exc:
            error = ConfigError(str(exc), path=f"{prefix}trigger")
            error.__cause__ = exc
            errors.append(error)
    full = {**default_values(action.fields), **spec.mapping} if spec.use_defaults else dict(spec.mapping)
    try:
        mapping = compile_mapping(full)
    except MappingError as exc:
        error = ConfigError(str(exc), path=f"{prefix}mapping")
        error.__cause__ = exc
        errors.append(error)
    ConfigErrors.raise_if_any(errors)
    cache = validators if validators is not None else {}
    validator = cache.get(action.key)
    if validator is None:
        validator = cache[action.key] = compile_validator(action.fields)
    return Subscription(spec.name, action, trigger, mapping, validator, spec.enabled)


def literal_choice_errors(action: Action, mapping: Mapping[str, Any], path: str) -> list[ConfigError]:
    """A literal mapped to a field with choices must be one of them: decided when a config
    loads, not by rejecting every event at run time. Checked by the field's own payload rule.
    (Instances built in code may hold such a constant: its events are rejected, as the
    reference does.)"""
    errors = []
    for f in action.fields:
        value = mapping.get(f.key)
        if not f.choices or f.key not in mapping or _is_directive(value):
            continue
        _, problems = PayloadValidator((f,)).clean({f.key: value})
        if problems:
            allowed = [c.value for c in f.choices]
            close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close and isinstance(value, str) else ""
            errors.append(ConfigError(
                f"{value!r} is not a choice of field {f.key!r}; expected one of: "
                f"{', '.join(repr(a) for a in allowed)}{hint}",
                path=f"{path}.{f.key}",
            ))
    return errors


def _is_directive(value: Any) -> bool:
    """A directive (``{"@path": ...}``) or a structure that may hold one: not a literal."""
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and any(isinstance(v, Mapping | list) for v in value)


def compile_settings(destination: Destination, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Validated settings, with every problem at once: the framework's own checks of what a
    config holds (:mod:`actions_core.validation.settings`), each located at its setting, then
    the payload rules for the rest."""
    errors: list[ConfigError] = [
        SettingsValidationError.at(key, message)
        for key, message in setting_problems(destination.settings, settings)
    ]
    bad = {e.path for e in errors}
    rest = {k: v for k, v in settings.items() if f"settings.{k}" not in bad}
    try:
        clean = validate_settings(destination.settings, rest)
    except SettingsValidationError as exc:
        named = tuple(f"'{p.removeprefix('settings.')}'" for p in bad if p)
        messages = [m for m in exc.messages if not any(key in m for key in named)]
        if messages:
            errors.append(SettingsValidationError(messages))
        clean = {}
    ConfigErrors.raise_if_any(errors)
    return clean


def compile_instance(
    destination: Destination,
    settings: Mapping[str, Any],
    specs: Sequence[SubscriptionSpec],
) -> Instance:
    """Validate settings and compile every subscription (at most 50, names unique); every
    problem at once."""
    if len(specs) > MAX_SUBSCRIPTIONS:
        raise ConfigError(
            f"an instance has at most {MAX_SUBSCRIPTIONS} mappings, this one has {len(specs)}",
            path="mappings",
        )
    errors: list[ConfigError] = []
    clean_settings: dict[str, Any] = {}
    try:
        clean_settings = compile_settings(destination, settings)
    except ConfigError as exc:
        errors += ConfigErrors.flatten(exc)
    validators: dict[str, PayloadValidator] = {}
    seen: set[str] = set()
    compiled = []
    for i, spec in enumerate(specs):
        if spec.name in seen:
            errors.append(
                ConfigError(f"mapping name {spec.name!r} is used twice", path=f"mappings[{i}].name")
            )
        seen.add(spec.name)
        try:
            compiled.append(
                compile_subscription(destination, spec, path=f"mappings[{i}]", validators=validators)
            )
        except ConfigError as exc:
            errors += ConfigErrors.flatten(exc)
    ConfigErrors.raise_if_any(errors)
    return Instance(destination, clean_settings, tuple(compiled))


__all__ = [
    "MAX_SUBSCRIPTIONS",
    "Instance",
    "Subscription",
    "SubscriptionSpec",
    "compile_instance",
    "compile_settings",
    "compile_subscription",
    "literal_choice_errors",
]
