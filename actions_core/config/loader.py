"""The YAML config of a destination instance: load, check, and point at mistakes.

A config names a destination, its settings and up to 50 mappings::

    destination: actions-launchdarkly-audiences
    settings:
      apiKey: ${LD_SERVICE_TOKEN}
    mappings:
      - name: Sync audiences
        preset: Sync Engage Audience to LaunchDarkly

Loading happens in stages, each failing with a :class:`~actions_core.errors.ConfigError` whose
``location`` is the file, line and column of the offending YAML node: YAML syntax (duplicate
keys included, :mod:`actions_core.config.yaml`), the JSON Schema in
``schemas/instance-config.schema.json`` (every problem at once), ``${VAR}`` expansion, then
the destination's own checks (presets, actions, fields, triggers, directives, settings) by
:func:`actions_core.instance.compile_instance`, whose errors carry a document path that is
mapped back to the source here.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actions_core.config.yaml import DocPath, MarkedDocument, format_path, load_yaml, parse_path
from actions_core.errors import (
    ConfigError,
    ConfigErrors,
    MappingError,
    PluginError,
    SourceLocation,
    TriggerSyntaxError,
)

if TYPE_CHECKING:
    import jsonschema

    from actions_core.definitions import Destination
    from actions_core.instance import Instance, Subscription, SubscriptionSpec
    from actions_core.registry import DestinationRegistry
    from actions_core.validation.validator import PayloadValidator

SCHEMA_FILE = "instance-config.schema.json"

MAX_CONFIG_BYTES = 1 << 20
"""A config is a few kilobytes; a bigger file is a mistake (or hostile), refused unread."""


@dataclass(frozen=True)
class MappingEntry:
    """One item of ``mappings:`` as written (a preset's name, or an action and overrides)."""

    name: str
    preset: str | None = None
    action: str | None = None
    trigger: str | None = None
    mapping: Mapping[str, Any] | None = None
    enabled: bool = True
    use_defaults: bool = True


@dataclass(frozen=True)
class LoadedConfig:
    """A config that parsed and passed the schema, with ``${VAR}`` expanded.

    Presets and default triggers belong to the destination, so the subscription specs come
    from :meth:`subscription_specs` once the destination is known.
    """

    path: Path
    destination: str
    settings: Mapping[str, Any]
    mappings: tuple[MappingEntry, ...]
    document: MarkedDocument

    def location(self, path: str | DocPath, *, key: bool = False) -> SourceLocation:
        """Where a document path (``mappings[1].trigger``) was written; its nearest written
        ancestor when it was not (a missing key)."""
        parts = parse_path(path) if isinstance(path, str) else path
        return self.document.location(parts, key=key)

    def error(self, message: str, path: str, *, key: bool = False) -> ConfigError:
        """A ConfigError located at ``path``."""
        return ConfigError(message, location=self.location(path, key=key), path=path)

    def locate(self, error: ConfigError) -> ConfigError:
        """Fill in ``error.location`` from its path (in place, so its class is kept), as
        precisely as the cause allows: the column inside a trigger, the mapping member that a
        directive problem names."""
        if error.location is not None:
            return error
        path = parse_path(error.path or "")
        cause = error.__cause__
        node = self.document.node(path)
        if isinstance(cause, TriggerSyntaxError) and node is not None:
            error.location = self.document.at(node, cause.column - 1)
            return error
        if isinstance(cause, MappingError) and cause.problems:
            path = self._deepest(path, cause.problems[0].location)
        error.location = self.document.location(path)
        return error

    def _deepest(self, path: DocPath, pointer: str) -> DocPath:
        """The longest written path below ``path`` along a JSON-pointer-like location."""
        best = path
        for segment in (s for s in pointer.split("/") if s):
            candidates: list[str | int] = [segment]
            if segment.isdigit():
                candidates.insert(0, int(segment))
            step = next((c for c in candidates if (*best, c) in self.document.values), None)
            if step is None:
                break
            best = (*best, step)
        return best

    def subscription_specs(self, destination: Destination) -> list[SubscriptionSpec]:
        """One spec per mapping: a preset's trigger, action and mapping (``trigger`` and
        ``mapping`` override them), or an action with its default trigger unless one is given.
        Raises every problem at once."""
        specs, errors = self._specs(destination)
        ConfigErrors.raise_if_any(errors)
        return [spec for spec in specs if spec is not None]

    def _specs(
        self, destination: Destination
    ) -> tuple[list[SubscriptionSpec | None], list[ConfigError]]:
        """The specs (``None`` where a mapping's preset or trigger is missing) and the errors."""
        from actions_core.instance import SubscriptionSpec

        specs: list[SubscriptionSpec | None] = []
        errors: list[ConfigError] = []
        for i, entry in enumerate(self.mappings):
            where = f"mappings[{i}]"
            overrides = dict(entry.mapping or {})
            if entry.preset is not None:
                preset = destination.preset(entry.preset)
                if preset is None:
                    errors.append(self.error(
                        f"destination {destination.slug!r} has no preset {entry.preset!r}; "
                        f"expected one of: {_names(p.name for p in destination.presets)}"
                        f"{_did_you_mean(entry.preset, [p.name for p in destination.presets])}",
                        f"{where}.preset",
                    ))
                    specs.append(None)
                    continue
                action_key = preset.action_key
                trigger: str | None = entry.trigger or preset.trigger
                overrides = {**preset.mapping, **overrides}
            else:
                action_key = entry.action or ""
                action = destination.action(action_key)
                trigger = entry.trigger or (action.default_trigger if action else None)
                if action is not None and trigger is None:
                    errors.append(self.error(
                        f"action {action_key!r} has no default trigger; expected a `trigger` "
                        'such as type = "track"',
                        where,
                    ))
                    specs.append(None)
                    continue
            specs.append(
                SubscriptionSpec(
                    entry.name, action_key, trigger, overrides, entry.enabled, entry.use_defaults
                )
            )
        return specs, errors


def load_config(path: str | Path, *, env: Mapping[str, str] | None = None) -> LoadedConfig:
    """Parse ``path``, check it against the config schema and expand ``${VAR}`` from ``env``
    (default: the process environment). Raises a located :class:`ConfigError`."""
    config, env_errors = _load_config(path, env)
    _raise_sorted(env_errors)
    return config


def _load_config(
    path: str | Path, env: Mapping[str, str] | None
) -> tuple[LoadedConfig, list[ConfigError]]:
    """The config, and the ``${VAR}`` errors (an unset variable reads as ``""``), so that the
    later checks still run; syntax and schema errors are raised."""
    file = str(path)
    try:
        with Path(path).open("rb") as f:
            data = f.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"the config is larger than {MAX_CONFIG_BYTES // 1024} KiB; expected a config "
                "file (a few kilobytes)",
                location=SourceLocation(file),
            )
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"cannot read the config: {reason}", location=SourceLocation(file)) from None
    document = load_yaml(text, file)
    errors = schema_errors(document)
    env_errors: list[ConfigError] = []
    data = _expand(document, document.data, (), os.environ if env is None else env, env_errors)
    if errors:  # the shape is wrong: later checks would only guess
        _raise_sorted(errors + env_errors)
    entries = tuple(
        MappingEntry(
            name=m["name"],
            preset=m.get("preset"),
            action=m.get("action"),
            trigger=m.get("trigger"),
            mapping=m.get("mapping"),
            enabled=m.get("enabled", True),
            use_defaults=m.get("use_defaults", True),
        )
        for m in data.get("mappings", [])
    )
    config = LoadedConfig(Path(path), data["destination"], data.get("settings", {}), entries, document)
    return config, env_errors


def _raise_sorted(errors: Sequence[ConfigError]) -> None:
    """Every error once (by its text), in the order of the file."""
    unique = list({str(e): e for e in errors}.values())
    unique.sort(key=lambda e: (e.location.line or 0, e.location.column or 0) if e.location else (0, 0))
    ConfigErrors.raise_if_any(unique)


def load_instance(
    path: str | Path,
    *,
    registry: DestinationRegistry | None = None,
    env: Mapping[str, str] | None = None,
) -> Instance:
    """Load a config and compile it against its destination: everything ``run`` checks
    before it reads an event. Every error is a ConfigError located in the file."""
    from actions_core.instance import (
        Instance,
        compile_settings,
        compile_subscription,
        literal_choice_errors,
    )
    from actions_core.registry import get_registry

    config, env_errors = _load_config(path, env)
    try:
        destination = (registry or get_registry()).get(config.destination)
    except PluginError as exc:
        _raise_sorted(env_errors or [config.error(str(exc), "destination")])
        raise  # unreachable: _raise_sorted raised
    errors = _setting_key_errors(config, destination)
    known = {f.key for f in destination.settings}
    specs, spec_errors = config._specs(destination)
    errors += spec_errors
    settings: dict[str, Any] | None = None
    try:
        settings = compile_settings(
            destination, {k: v for k, v in config.settings.items() if k in known}
        )
    except ConfigError as exc:
        errors += ConfigErrors.flatten(exc)
    if settings is not None and destination.request_defaults is not None:
        try:
            destination.request_defaults(settings)  # a destination's own settings checks
        except ConfigError as exc:
            errors += ConfigErrors.flatten(exc)
    validators: dict[str, PayloadValidator] = {}
    compiled: list[Subscription] = []
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        name = config.mappings[i].name
        if name in seen:
            errors.append(config.error(f"mapping name {name!r} is used twice", f"mappings[{i}].name"))
        seen.add(name)
        if spec is None:
            continue
        try:
            compiled.append(
                compile_subscription(destination, spec, path=f"mappings[{i}]", validators=validators)
            )
        except ConfigError as exc:
            errors += ConfigErrors.flatten(exc)
        action = destination.action(spec.action)
        if action is not None:
            errors += literal_choice_errors(action, spec.mapping, f"mappings[{i}].mapping")
    secrets = [config.settings.get(k) for k in destination.secret_settings]
    for error in errors:
        if error.path is None:
            error.path = "settings"  # settings validation, ours or the destination's own
        _redact(error, secrets)
        config.locate(error)
    unset = [parse_path(e.path or "") for e in env_errors]  # a value read as "": said already
    errors = [e for e in errors if not any(_within(parse_path(e.path or ""), p) for p in unset)]
    _raise_sorted(env_errors + errors)
    return Instance(destination, settings or {}, tuple(compiled))


def _within(path: DocPath, ancestor: DocPath) -> bool:
    return path[: len(ancestor)] == ancestor


def _redact(error: ConfigError, secrets: Sequence[Any]) -> None:
    """Mask secret values in a message, whatever put them there (a token pasted into a
    trigger, say): secrets never appear in an error."""
    from actions_core.redaction import Redactor

    redactor = Redactor(str(s) for s in secrets if isinstance(s, str | int | float) and s != "")
    if redactor and redactor.contains(error.message):
        error.message = redactor.redact(error.message)
        error.args = (error.message,)


def _setting_key_errors(config: LoadedConfig, destination: Destination) -> list[ConfigError]:
    """An unknown setting is a typo: the destination would silently ignore it."""
    known = [f.key for f in destination.settings]
    return [
        config.error(
            f"destination {destination.slug!r} has no setting {key!r}; expected one of: "
            f"{_names(known)}{_did_you_mean(key, known)}",
            format_path(("settings", key)),
            key=True,
        )
        for key in config.settings
        if key not in known
    ]


# ------------------------------------------------------------------------ environment

_REFERENCE = re.compile(
    r"\$\$\{|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<fallback>:-(?P<default>[^}]*))?\}|\$\{"
)


def _expand(
    doc: MarkedDocument, value: Any, path: DocPath, env: Mapping[str, str], errors: list[ConfigError]
) -> Any:
    """``${VAR}``, ``${VAR:-default}`` (also when VAR is empty) and ``$${`` for a literal
    ``${`` in every string value; each problem is added to ``errors``."""
    if isinstance(value, dict):
        return {k: _expand(doc, v, (*path, k), env, errors) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(doc, v, (*path, i), env, errors) for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value

    def substitute(m: re.Match[str]) -> str:
        if m.group(0) == "$${":
            return "${"
        name = m.group("name")
        if name is None:
            errors.append(
                _env_error("malformed variable reference; expected ${NAME} or ${NAME:-default}", m)
            )
            return m.group(0)
        found = env.get(name)
        if found is None or (found == "" and m.group("fallback")):
            if m.group("fallback"):
                return m.group("default")
            errors.append(_env_error(
                f"environment variable {name} is not set; set it, or give a default: "
                f"${{{name}:-default}}",
                m,
            ))
            return ""
        return found

    def _env_error(message: str, m: re.Match[str]) -> ConfigError:
        node = doc.node(path)
        location = doc.at(node, m.start()) if node is not None else doc.location(path)
        return ConfigError(message, location=location, path=format_path(path))

    return _REFERENCE.sub(substitute, value)


# ------------------------------------------------------------------------ JSON Schema


def schema_path() -> Path:
    """The config schema: shipped in the package (``actions_core/schemas``) when installed
    from a wheel, ``<repo>/schemas`` in a source checkout."""
    packaged = resources.files("actions_core") / "schemas" / SCHEMA_FILE
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_FILE


@functools.cache
def config_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(config_schema())


def schema_errors(document: MarkedDocument) -> list[ConfigError]:
    """Every schema violation of the document, located and in source order."""
    errors = [
        e
        for error in _validator().iter_errors(document.data)
        for e in _describe(error, document)
    ]
    return sorted(errors, key=lambda e: (e.location.line or 0, e.location.column or 0) if e.location else (0, 0))


_TYPE_NAMES = {
    "object": "a mapping (key: value)",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a number",
    "null": "nothing",
}


def _kind(value: Any) -> str:
    """A value's kind in words; never the value itself, which may be a secret."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _describe(error: jsonschema.ValidationError, doc: MarkedDocument) -> list[ConfigError]:
    """One schema violation as sentences saying what was expected."""
    path: DocPath = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    where = format_path(path) or "(top level)"

    def at(message: str, p: DocPath = path, *, key: bool = False) -> ConfigError:
        return ConfigError(message, location=doc.location(p, key=key), path=format_path(p) or None)

    if "errorMessage" in schema:
        return [at(str(schema["errorMessage"]))]
    validator = error.validator
    if validator == "type":
        expected = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        wanted = " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in expected)
        return [at(f"expected {wanted}, found {_kind(instance)}")]
    if validator == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        return [
            at(
                f"unknown key {key!r}; expected one of: {_names(known)}{_did_you_mean(key, known)}",
                (*path, key),
                key=True,
            )
            for key in instance
            if key not in known
        ]
    if validator == "required" and isinstance(instance, dict):
        properties = schema.get("properties", {})
        return [
            at(f"missing required key {key!r}: {properties.get(key, {}).get('description', '')}".rstrip(": "))
            for key in schema.get("required", [])
            if key not in instance
        ]
    if validator == "maxItems" and isinstance(instance, list):
        return [at(f"has {len(instance)} items; expected at most {schema['maxItems']}")]
    if validator == "minLength":
        return [at("expected a non-empty string")]
    return [at(f"{where} does not match the config schema: {error.message}")]


def _names(names: Any) -> str:
    listed = [str(n) for n in names]
    return ", ".join(listed) if listed else "(none)"


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


__all__ = [
    "MAX_CONFIG_BYTES",
    "SCHEMA_FILE",
    "LoadedConfig",
    "MappingEntry",
    "config_schema",
    "load_config",
    "load_instance",
    "schema_errors",
    "schema_path",
]
