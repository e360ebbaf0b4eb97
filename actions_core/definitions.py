"""Destination definitions: the typed, immutable objects a destination plugin registers.

Vocabulary and shape follow Segment's actions-core (destination, settings, action, field,
preset, perform, perform_batch) so that its users recognise them. Definitions are frozen
dataclasses: a registered destination cannot drift while a run uses it. Consistency checks
(presets naming real actions, triggers that parse, defaults that compile) happen when the
definition is registered, in :mod:`actions_core.registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    import httpx

    from actions_core.runtime.outcomes import ItemResult

FieldType = Literal[
    "string", "text", "password", "number", "integer", "boolean", "object", "datetime"
]
FIELD_TYPES: tuple[str, ...] = (
    "string", "text", "password", "number", "integer", "boolean", "object", "datetime"
)

Payload = dict[str, Any]
Settings = Mapping[str, Any]


class _Unset:
    """The type of :data:`UNSET`: a field with no default mapping (``None`` is a real default)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Choice:
    """One allowed value of a field, with the label a user sees."""

    value: str | int | float | bool
    label: str = ""


FORMATS: tuple[str, ...] = (
    "date", "time", "date-time", "uri", "uri-reference", "uri-template", "email", "hostname",
    "ipv4", "ipv6", "regex", "uuid", "password", "text",
)
"""The string formats a field may declare (the reference's ``format`` values)."""


@dataclass(frozen=True)
class Condition:
    """One test of a conditional requirement: the field at ``field_key`` (``parent.child``
    inside an object field) ``is`` / ``is_not`` ``value``; ``value`` left :data:`UNSET` tests
    whether the field is there at all (the reference's ``value: undefined``)."""

    field_key: str
    operator: Literal["is", "is_not"] = "is"
    value: Any = UNSET


@dataclass(frozen=True)
class Conditions:
    """A set of :class:`Condition` that holds when ``all`` (or ``any``) of them hold.

    As ``Field.required_if`` it makes the field required while it holds; as
    ``Field.depends_on`` it only tells a user interface when to show the field."""

    conditions: tuple[Condition, ...]
    match: Literal["all", "any"] = "all"


@dataclass(frozen=True)
class Field:
    """A field of an action's payload, or a destination setting.

    ``default`` is a mapping value (a literal or a directive such as ``{"@path": "userId"}``);
    it is what a preset maps the field to. ``properties`` are the nested fields of an
    ``object`` field.

    The reference's other input-field features (docs/field-model.md): ``required_if`` (a
    conditional requirement), ``minimum``/``maximum`` (a number's bounds, a string's length
    limits), ``format``, ``additional_properties`` (an object keeps keys it does not declare),
    and ``dynamic`` (choices come from the action's ``dynamic_fields`` hook at config time).
    ``depends_on``, ``placeholder``, ``category``, ``read_only``, ``disabled_input_methods``,
    ``default_object_ui``, ``display_mode`` and ``unsafe_hidden`` only document the field.
    """

    key: str
    label: str
    type: FieldType
    description: str = ""
    required: bool = False
    default: Any = UNSET
    choices: tuple[Choice, ...] = ()
    multiple: bool = False
    allow_null: bool = False
    properties: tuple[Field, ...] = ()
    hidden: bool = False
    required_if: Conditions | None = None
    minimum: float | None = None
    maximum: float | None = None
    format: str | None = None
    additional_properties: bool = False
    dynamic: bool = False
    depends_on: Conditions | None = None
    placeholder: str = ""
    category: str | None = None
    read_only: bool = False
    disabled_input_methods: tuple[str, ...] = ()
    default_object_ui: str | None = None
    display_mode: str | None = None
    unsafe_hidden: bool = False

    @property
    def is_secret(self) -> bool:
        return self.type == "password"

    @property
    def uses_extended_model(self) -> bool:
        """True when this field (or a nested one) needs the extended validator
        (:mod:`actions_core.validation.extended`): conditions, limits, formats, open objects."""
        return (
            self.required_if is not None
            or self.minimum is not None
            or self.maximum is not None
            or (self.format is not None and self.format not in ("password", "text"))
            or self.additional_properties
            or any(p.uses_extended_model for p in self.properties)
        )


class RequestFn(Protocol):
    """``ctx.request``: sends one HTTP request with the destination's request defaults, retries
    per the run's policy, and raises :class:`~actions_core.errors.HTTPError` on a non-2xx."""

    def __call__(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response: ...


@dataclass(frozen=True)
class ExecutionContext:
    """What ``perform``, ``perform_batch`` and the authentication test receive besides the
    payload: the validated settings and the request function."""

    settings: Settings
    request: RequestFn
    mapping_name: str | None = None


@dataclass(frozen=True)
class DynamicChoices:
    """What a dynamic field's hook answers: the choices a user may pick now, or why there are
    none (the reference's ``DynamicFieldResponse``)."""

    choices: tuple[Choice, ...] = ()
    error: str | None = None


DynamicFieldFn = Callable[[ExecutionContext], DynamicChoices]
"""A ``dynamic`` field's hook: asks the vendor (with the configured settings) which values the
field may take. Called at config time only (``actions-core describe``/``validate``)."""

PerformFn = Callable[[ExecutionContext, Payload], "ItemResult | httpx.Response | None"]
PerformBatchFn = Callable[[ExecutionContext, Sequence[Payload]], "Sequence[ItemResult] | None"]
AuthTestFn = Callable[[ExecutionContext], None]


@dataclass(frozen=True)
class RequestDefaults:
    """Merged into every request of a destination (the reference's ``extendRequest``)."""

    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None


@dataclass(frozen=True)
class Action:
    """An action: fields that a mapping fills, and what to do with the resulting payloads.

    ``batch_keys`` name payload fields that partition batches: payloads with different values
    never share a ``perform_batch`` call, and calls with the same values run one after another
    in input order (retries included), so the last event for a key always wins.
    ``max_batch_size`` caps how many payloads one ``perform_batch`` call receives.
    """

    key: str
    title: str
    fields: tuple[Field, ...]
    perform: PerformFn
    description: str = ""
    default_trigger: str | None = None
    perform_batch: PerformBatchFn | None = None
    batch_keys: tuple[str, ...] = ()
    max_batch_size: int | None = None
    dynamic_fields: Mapping[str, DynamicFieldFn] = field(default_factory=dict)

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Preset:
    """A ready-made subscription: trigger, action and mapping (usually every field's default)."""

    name: str
    action_key: str
    trigger: str
    mapping: Mapping[str, Any]
    type: Literal["automatic", "specificEvent"] = "automatic"


@dataclass(frozen=True)
class Destination:
    """A destination definition, as a plugin registers it.

    ``authentication_note`` is a short text shown after a passing authentication test (and
    on the destination's docs page): what a pass does not prove, say, or what to check next.
    """

    name: str
    slug: str
    settings: tuple[Field, ...]
    actions: tuple[Action, ...]
    description: str = ""
    presets: tuple[Preset, ...] = ()
    authentication_test: AuthTestFn | None = None
    request_defaults: Callable[[Settings], RequestDefaults] | None = None
    authentication_note: str = ""

    def action(self, key: str) -> Action | None:
        return next((a for a in self.actions if a.key == key), None)

    def preset(self, name: str) -> Preset | None:
        return next((p for p in self.presets if p.name == name), None)

    @property
    def secret_settings(self) -> tuple[str, ...]:
        """Keys of ``password`` settings: their values must never be shown."""
        return tuple(f.key for f in self.settings if f.is_secret)


def default_values(fields: Sequence[Field]) -> dict[str, Any]:
    """A preset's mapping: every field that has a default, mapped to it."""
    return {f.key: f.default for f in fields if f.default is not UNSET}


__all__ = [
    "FIELD_TYPES",
    "FORMATS",
    "UNSET",
    "Action",
    "AuthTestFn",
    "Choice",
    "Condition",
    "Conditions",
    "Destination",
    "DynamicChoices",
    "DynamicFieldFn",
    "ExecutionContext",
    "Field",
    "FieldType",
    "Payload",
    "PerformBatchFn",
    "PerformFn",
    "Preset",
    "RequestDefaults",
    "RequestFn",
    "Settings",
    "default_values",
]
