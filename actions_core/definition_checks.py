"""Definition checks: a destination's definition is consistent, or a ``DefinitionError`` says
what is not.

The registry runs :func:`check_destination` when a plugin registers a destination, so a
broken definition is reported with its package before any config uses it; a test suite can
call it directly.
"""

from __future__ import annotations

from actions_core.definitions import UNSET, Destination
from actions_core.errors import ConfigError, DefinitionError


def check_destination(destination: Destination) -> None:
    """Reject an inconsistent definition at registration, naming the destination and item."""
    from actions_core.mapping.mapping import compile_mapping, compile_value
    from actions_core.triggers import parse_trigger

    problems: list[str] = []
    where = f"Destination {destination.slug or destination.name!r}"
    if not destination.slug:
        problems.append("has no slug")
    _check_unique(problems, "setting", [f.key for f in destination.settings])
    _check_unique(problems, "action", [a.key for a in destination.actions])
    for action in destination.actions:
        _check_unique(problems, f"field of action {action.key!r}", [f.key for f in action.fields])
        keys = {f.key for f in action.fields}
        for key in action.batch_keys:
            if key not in keys:
                problems.append(f"action {action.key!r} batches by {key!r}, which is not a field")
        if action.default_trigger is not None:
            try:
                parse_trigger(action.default_trigger)
            except ConfigError as exc:
                problems.append(f"action {action.key!r} default trigger: {exc}")
        for f in action.fields:
            if f.dynamic and f.key not in action.dynamic_fields:
                problems.append(
                    f"action {action.key!r} field {f.key!r} is dynamic but dynamic_fields has "
                    "no hook for it"
                )
        for key in action.dynamic_fields:
            if key not in keys:
                problems.append(f"action {action.key!r} has a dynamic_fields hook for {key!r}, "
                                "which is not a field")
        for f in action.fields:
            if f.default is UNSET:
                continue
            try:
                compile_value(f.default, f"/{f.key}")
            except ConfigError as exc:
                problems.append(f"action {action.key!r} field {f.key!r} default: {exc}")
    for preset in destination.presets:
        preset_action = destination.action(preset.action_key)
        if preset_action is None:
            problems.append(
                f"preset {preset.name!r} names action {preset.action_key!r}, which does not exist"
            )
            continue
        unknown = sorted(set(preset.mapping) - {f.key for f in preset_action.fields})
        if unknown:
            problems.append(
                f"preset {preset.name!r} maps {', '.join(map(repr, unknown))}, which action "
                f"{preset_action.key!r} does not have"
            )
        try:
            parse_trigger(preset.trigger)
        except ConfigError as exc:
            problems.append(f"preset {preset.name!r} trigger: {exc}")
        try:
            compile_mapping(preset.mapping)
        except ConfigError as exc:
            problems.append(f"preset {preset.name!r} mapping: {exc}")
    if destination.authentication_note and destination.authentication_test is None:
        problems.append(
            "has an authentication_note but no authentication_test to show it after"
        )
    if problems:
        raise DefinitionError(f"{where} is invalid: " + "; ".join(problems))


def _check_unique(problems: list[str], what: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            problems.append(f"{what} {key!r} is defined twice")
        seen.add(key)


__all__ = ["check_destination"]
