"""Documentation generated from a destination definition (``actions-core describe``).

Two renderings of the same facts: :func:`describe_json`, the full definition as plain data
(settings, actions, fields with their default mappings, presets), and
:func:`describe_markdown`, a page laid out like Segment's destination docs (settings table,
presets table, one fields table per action). Descriptions are carried verbatim: users know
the vendor's wording. Nothing here reads settings values, so no secret can appear.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from actions_core.definitions import (
    UNSET,
    Action,
    Choice,
    Conditions,
    Destination,
    DynamicChoices,
    Field,
    Preset,
)
from actions_core.dynamic import DynamicAnswers
from actions_core.js import js_number_to_string


def describe_json(
    destination: Destination, answers: DynamicAnswers | None = None
) -> dict[str, Any]:
    """The definition as JSON-ready data, in definition order; ``answers`` (from
    :func:`actions_core.dynamic.fetch_dynamic_choices`) add dynamic fields' current choices."""
    answers = answers or {}
    return {
        "name": destination.name,
        "slug": destination.slug,
        "description": destination.description,
        "settings": [_field_json(f) for f in destination.settings],
        "actions": [_action_json(a, answers) for a in destination.actions],
        "presets": [_preset_json(p) for p in destination.presets],
        "authentication_test": destination.authentication_test is not None,
        "authentication_note": destination.authentication_note,
    }


def _field_json(field: Field) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": field.key,
        "label": field.label,
        "type": field.type,
        "description": field.description,
        "required": field.required,
    }
    if field.default is not UNSET:
        out["default"] = field.default
    if field.choices:
        out["choices"] = [{"value": c.value, "label": c.label} for c in field.choices]
    out["multiple"] = field.multiple
    out["allow_null"] = field.allow_null
    out["hidden"] = field.hidden
    out.update(_model_json(field))
    if field.properties:
        out["properties"] = [_field_json(p) for p in field.properties]
    return out


def _conditions_json(conditions: Conditions) -> dict[str, Any]:
    return {
        "match": conditions.match,
        "conditions": [
            {"field": c.field_key, "operator": c.operator}
            | ({} if c.value is UNSET else {"value": c.value})
            for c in conditions.conditions
        ],
    }


def _model_json(field: Field) -> dict[str, Any]:
    """The rest of the field model (docs/field-model.md), only where a field uses it, so a
    field that does not reads as before."""
    out: dict[str, Any] = {}
    if field.required_if is not None:
        out["required_if"] = _conditions_json(field.required_if)
    for key in ("minimum", "maximum", "format", "category", "default_object_ui", "display_mode"):
        if (value := getattr(field, key)) is not None:
            out[key] = value
    for key in ("additional_properties", "dynamic", "read_only", "unsafe_hidden"):
        if getattr(field, key):
            out[key] = True
    if field.placeholder:
        out["placeholder"] = field.placeholder
    if field.disabled_input_methods:
        out["disabled_input_methods"] = list(field.disabled_input_methods)
    if field.depends_on is not None:
        out["depends_on"] = _conditions_json(field.depends_on)
    return out


def _action_json(action: Action, answers: DynamicAnswers) -> dict[str, Any]:
    fields = []
    for f in action.fields:
        data = _field_json(f)
        answer = answers.get((action.key, f.key))
        if answer is not None and answer.error is not None:
            data["dynamic_error"] = answer.error
        elif answer is not None:
            data["dynamic_choices"] = [{"value": c.value, "label": c.label} for c in answer.choices]
        fields.append(data)
    return {
        "key": action.key,
        "title": action.title,
        "description": action.description,
        "default_trigger": action.default_trigger,
        "batching": action.perform_batch is not None,
        "batch_keys": list(action.batch_keys),
        "max_batch_size": action.max_batch_size,
        "fields": fields,
    }


def _preset_json(preset: Preset) -> dict[str, Any]:
    return {
        "name": preset.name,
        "action": preset.action_key,
        "trigger": preset.trigger,
        "mapping": dict(preset.mapping),
        "type": preset.type,
    }


# ----------------------------------------------------------------------------- markdown


def describe_markdown(destination: Destination, answers: DynamicAnswers | None = None) -> str:
    """A docs page: settings, the authentication test, presets (name, trigger, default
    action) and each action's fields (label, key, type, required, default mapping,
    description). Hidden fields (computed from the event, not shown to users in Segment's
    UI) are marked as such; choices show their labels."""
    return "\n".join(_page(destination, answers or {})).rstrip("\n") + "\n"


def _page(d: Destination, answers: DynamicAnswers) -> Iterator[str]:
    yield f"# {d.name} Destination"
    yield ""
    if d.description:
        yield d.description
        yield ""
    yield f"Slug: `{d.slug}`"
    yield ""
    yield "## Destination settings"
    yield ""
    if d.settings:
        yield from _table(
            ("Setting", "Key", "Type", "Required", "Default", "Description"),
            [
                (f.label, _code(f.key), _type(f), _required(f), _default(f), _description(f))
                for f in d.settings
            ],
        )
    else:
        yield "This destination has no settings."
    yield ""
    yield "## Authentication"
    yield ""
    if d.authentication_test is not None:
        yield (
            "`actions-core test-auth CONFIG` runs this destination's authentication test with "
            "the settings of CONFIG."
        )
        if d.authentication_note:
            yield ""
            yield f"Note: {d.authentication_note}"
    else:
        yield "This destination has no authentication test."
    yield ""
    yield "## Available presets"
    yield ""
    if d.presets:
        titles = {a.key: a.title for a in d.actions}
        yield from _table(
            ("Preset name", "Trigger", "Default action"),
            [
                (p.name, _code(p.trigger), titles.get(p.action_key, p.action_key))
                for p in d.presets
            ],
        )
    else:
        yield "This destination has no presets."
    yield ""
    yield "## Available actions"
    for action in d.actions:
        yield ""
        yield from _action(action, answers)


def _action(action: Action, answers: DynamicAnswers) -> Iterator[str]:
    yield f"### {action.title}"
    yield ""
    if action.description:
        yield action.description
        yield ""
    yield f"Action key: `{action.key}`"
    yield ""
    trigger = _code(action.default_trigger) if action.default_trigger else "none"
    yield f"Default trigger: {trigger}. Batching: {_batching(action)}."
    yield ""
    yield from _table(
        ("Field", "Key", "Type", "Required", "Default mapping", "Description"),
        [
            (
                _label(f), _code(key), _type(f, answers.get((action.key, key))), _required(f),
                _default(f), _description(f),
            )
            for key, f in _flatten(action.fields, "")
        ],
    )


def _batching(action: Action) -> str:
    if action.perform_batch is None:
        return "no"
    details = []
    if action.max_batch_size is not None:
        details.append(f"up to {action.max_batch_size} events per batch")
    if action.batch_keys:
        keys = [_code(k) for k in action.batch_keys]
        listed = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
        details.append(f"one batch per {listed}")
    return "yes" + (f" ({', '.join(details)})" if details else "")


def _label(field: Field) -> str:
    return f"{field.label} (hidden)" if field.hidden else field.label


def _flatten(fields: Sequence[Field], prefix: str) -> Iterator[tuple[str, Field]]:
    """Fields and, right after an object field, its nested fields as ``parent.child``."""
    for f in fields:
        yield prefix + f.key, f
        yield from _flatten(f.properties, f"{prefix}{f.key}.")


def _type(field: Field, answer: DynamicChoices | None = None) -> str:
    text = f"{field.type} (list)" if field.multiple else field.type
    if field.choices:
        text += ", one of: " + ", ".join(_choice(c) for c in field.choices)
    if field.dynamic:
        text += ", choices from the destination"
        if answer is not None and answer.error is not None:
            text += " (unavailable now)"
        elif answer is not None:
            text += " (now: " + (", ".join(_choice(c) for c in answer.choices) or "none") + ")"
    if field.format is not None and field.format not in ("password", "text"):
        text += f", format {field.format}"
    limits = _limits(field)
    if limits:
        text += f", {limits}"
    if field.additional_properties:
        text += ", other keys kept"
    return text


def _limits(field: Field) -> str:
    low, high = (None if v is None else js_number_to_string(v) for v in (field.minimum, field.maximum))
    unit = " characters" if field.type in ("string", "text", "password") else ""
    if low is not None and high is not None:
        return f"{low} to {high}{unit}"
    if low is not None:
        return f"at least {low}{unit}"
    return f"at most {high}{unit}" if high is not None else ""


def _required(field: Field) -> str:
    if field.required_if is None:
        return _yes(field.required)
    return "When " + _conditions_text(field.required_if)


def _conditions_text(conditions: Conditions) -> str:
    parts = []
    for c in conditions.conditions:
        key = _code(c.field_key)
        if c.value is UNSET:
            parts.append(f"{key} is {'empty' if c.operator == 'is' else 'set'}")
        else:
            value = _code(json.dumps(c.value, ensure_ascii=False))
            parts.append(f"{key} {'is' if c.operator == 'is' else 'is not'} {value}")
    joiner = " or " if conditions.match == "any" else " and "
    return joiner.join(parts)


def _description(field: Field) -> str:
    """The description verbatim, then what only documents the field (when it is shown, its
    placeholder, read-only)."""
    notes = []
    if field.depends_on is not None:
        notes.append("Shown when " + _conditions_text(field.depends_on) + ".")
    if field.placeholder:
        notes.append(f"Example: {_code(field.placeholder)}.")
    if field.read_only:
        notes.append("Read-only.")
    return " ".join([t for t in (field.description, *notes) if t])


def _choice(choice: Choice) -> str:
    """A choice's value, and its label when that says more than the value."""
    value = _code(json.dumps(choice.value, ensure_ascii=False))
    if not choice.label or choice.label == str(choice.value):
        return value
    return f"{value} ({choice.label})"


def _default(field: Field) -> str:
    if field.default is UNSET:
        return ""
    return _code(json.dumps(field.default, ensure_ascii=False))


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def _code(text: str) -> str:
    """An inline code span: fenced with one backtick more than the longest run inside, and
    padded with a space when the text starts or ends with a backtick (CommonMark)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Iterator[str]:
    yield "| " + " | ".join(header) + " |"
    yield "|" + "|".join("---" for _ in header) + "|"
    for row in rows:
        yield "| " + " | ".join(_cell(c) for c in row) + " |"


def _cell(text: str) -> str:
    """A table cell: ``|`` escaped and line breaks as ``<br>``, the text otherwise verbatim."""
    return text.replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


__all__ = ["describe_json", "describe_markdown"]
