"""actions_core: deliver customer events to third-party APIs through declarative mappings.

One import gives the public API: definitions for destination authors, the compilers for
triggers and mappings, the engine that moves events, and the error classes. Everything not
listed in ``__all__`` is internal. The test harness lives in :mod:`actions_core.testing`.
"""

from actions_core.definitions import (
    UNSET,
    Action,
    Choice,
    Condition,
    Conditions,
    Destination,
    DynamicChoices,
    ExecutionContext,
    Field,
    Preset,
    RequestDefaults,
    RequestFn,
    default_values,
)
from actions_core.errors import (
    ActionsCoreError,
    AuthenticationError,
    ConfigError,
    ConfigErrors,
    DefinitionError,
    DeliveryInterrupted,
    HTTPError,
    IntegrationError,
    MappingError,
    PayloadValidationError,
    PluginError,
    RateLimitInterrupted,
    RetryableError,
    SettingsValidationError,
    TriggerSyntaxError,
    UnknownDestinationError,
)
from actions_core.hookspecs import hookimpl
from actions_core.http.retry import RetryPolicy
from actions_core.instance import Instance, SubscriptionSpec, compile_instance
from actions_core.mapping.mapping import MISSING, CompiledMapping, compile_mapping
from actions_core.porting import fields_from_reference
from actions_core.registry import get_destination, get_registry, list_destinations
from actions_core.runtime.engine import Engine, RunOptions, RunSummary
from actions_core.runtime.outcomes import ItemResult, Outcome, OutcomeRecord
from actions_core.triggers import Trigger, parse_trigger
from actions_core.validation.validator import compile_validator, fields_to_schema, validate_settings

__all__ = [
    "MISSING",
    "UNSET",
    "Action",
    "ActionsCoreError",
    "AuthenticationError",
    "Choice",
    "CompiledMapping",
    "Condition",
    "Conditions",
    "ConfigError",
    "ConfigErrors",
    "DefinitionError",
    "DeliveryInterrupted",
    "Destination",
    "DynamicChoices",
    "Engine",
    "ExecutionContext",
    "Field",
    "HTTPError",
    "Instance",
    "IntegrationError",
    "ItemResult",
    "MappingError",
    "Outcome",
    "OutcomeRecord",
    "PayloadValidationError",
    "PluginError",
    "Preset",
    "RateLimitInterrupted",
    "RequestDefaults",
    "RequestFn",
    "RetryPolicy",
    "RetryableError",
    "RunOptions",
    "RunSummary",
    "SettingsValidationError",
    "SubscriptionSpec",
    "Trigger",
    "TriggerSyntaxError",
    "UnknownDestinationError",
    "compile_instance",
    "compile_mapping",
    "compile_validator",
    "default_values",
    "fields_from_reference",
    "fields_to_schema",
    "get_destination",
    "get_registry",
    "hookimpl",
    "list_destinations",
    "parse_trigger",
    "validate_settings",
]
