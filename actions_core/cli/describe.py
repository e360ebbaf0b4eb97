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

from actions_core.definitions import UNSET, Action, Choice, Destination, Field, Preset


def describe_json(destination: Destination) -> dict[str, Any]:
    """The definition as JSON-ready data, in definition order."""
    return {
        "name": destination.name,
        "slug": destination.slug,
        "description": destination.description,
        "settings": [_field_json(f) for f in destination.settings],
        "actions": [_action_json(a) for a in destination.actions],
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
    if field.properties:
        out["properties"] = [_field_json(p) for p in field.properties]
    return out


def _action_json(action: Action) -> dict[str, Any]:
    return {
        "key": action.key,
        "title": action.title,
        "description": action.description,
        "default_trigger": action.default_trigger,
        "batching": action.perform_batch is not None,
        "batch_keys": list(action.batch_keys),
        "max_batch_size": action.max_batch_size,
        "fields": [_field_json(f) for f in action.fields],
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


def describe_markdown(destination: Destination) -> str:
    """A docs page: settings, the authentication test, presets (name, trigger, default
    action) and each action's fields (label, key, type, required, default mapping,
    description). Hidden fields (computed from the event, not shown to users in Segment's
    UI) are marked as such; choices show their labels."""
    return "\n".join(_page(destination)).rstrip("\n") + "\n"


def _page(d: Destination) -> Iterator[str]:
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
                (f.label, _code(f.key), _type(f), _yes(f.required), _default(f), f.description)
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
        yield from _action(action)


def _action(action: Action) -> Iterator[str]:
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
            (_label(f), _code(key), _type(f), _yes(f.required), _default(f), f.description)
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


def _type(field: Field) -> str:
    text = f"{field.type} (list)" if field.multiple else field.type
    if field.choices:
        text += ", one of: " + ", ".join(_choice(c) for c in field.choices)
    return text


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
