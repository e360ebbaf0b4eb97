"""LaunchDarkly Audiences: sync Segment Engage audiences to LaunchDarkly synced segments.

A plugin like any third-party one: the entry point ``actions_core.destinations`` names this
module, and :func:`actions_core_register_destinations` registers :data:`destination`. The
contract it implements (and where it deliberately differs from Segment's reference) is in
``docs/launchdarkly-audiences.md``; see :mod:`.membership` for the differences.
"""

from __future__ import annotations

from collections.abc import Callable

from actions_core import Destination, Preset, default_values, hookimpl

from .auth import ROLE_REMINDER, authentication_test
from .settings import SETTINGS, request_defaults
from .sync_audience import ACTION, FIELDS, TRIGGER

destination = Destination(
    name="LaunchDarkly Audiences",
    slug="actions-launchdarkly-audiences",
    description=(
        "Sync [Segment Audiences](https://segment.com/docs/engage/audiences/) to LaunchDarkly "
        "[Big Segments](https://docs.launchdarkly.com/home/contexts/big-segments)."
    ),
    settings=SETTINGS,
    actions=(ACTION,),
    presets=(
        Preset(
            name="Sync Engage Audience to LaunchDarkly",
            action_key=ACTION.key,
            trigger=TRIGGER,
            mapping=default_values(FIELDS),
            type="automatic",
        ),
    ),
    authentication_test=authentication_test,
    authentication_note=ROLE_REMINDER,
    request_defaults=request_defaults,
)


@hookimpl
def actions_core_register_destinations(register: Callable[[Destination], None]) -> None:
    """Register the LaunchDarkly Audiences destination."""
    register(destination)


__all__ = ["actions_core_register_destinations", "destination"]
