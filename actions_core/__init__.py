"""actions_core: deliver customer events to third-party APIs through declarative mappings.

(The public API is assembled here as the modules land.)
"""

from actions_core.definitions import (
    UNSET,
    Action,
    Choice,
    Destination,
    ExecutionContext,
    Field,
    Preset,
    RequestDefaults,
    default_values,
)
from actions_core.errors import *  # noqa: F403
from actions_core.hookspecs import hookimpl
from actions_core.outcomes import ItemResult, Outcome, OutcomeRecord
