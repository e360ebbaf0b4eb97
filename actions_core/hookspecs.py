"""Every hook a destination plugin can implement, in one place.

A plugin is a module (or object) with functions marked ``@actions_core.hookimpl``, found through
the entry-point group ``actions_core.destinations``. The main hook receives a ``register``
callback rather than returning values, so the host owns collision handling and knows which
package registered what (the pattern of simonw/llm and tox 4).
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

from actions_core.definitions import Destination

PROJECT_NAME = "actions_core"
ENTRY_POINT_GROUP = "actions_core.destinations"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def actions_core_register_destinations(register: Callable[[Destination], None]) -> None:
    """Register destination definitions by calling ``register(destination)`` once for each.

    :param register: checks the definition (presets, triggers, default mappings) and adds it
        to the registry; raises :class:`~actions_core.errors.DefinitionError` naming the
        destination and the faulty item.
    """
