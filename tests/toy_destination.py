"""A toy destination shaped like LaunchDarkly Audiences, for the engine's tests.

One action, ``syncAudience``: fields ``audience_id``, ``key`` (the user), ``value`` (member or
not) and ``enable_batching``; ``batch_keys=("audience_id",)`` and at most 1000 payloads per
call, as LaunchDarkly's. ``perform_batch`` POSTs ``{"audience": id, "batch": [{"key", "value"},
...]}`` to ``{base_url}/audiences``; ``perform`` POSTs the same body with one item. A key that
contains a space is refused on its own (an :class:`ItemResult`), the way LaunchDarkly's
destination rejects an event without a context key while the rest of the batch goes out.

The token travels in the ``Authorization`` header (a password setting: a secret).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from actions_core import (
    Action,
    Destination,
    ExecutionContext,
    Field,
    ItemResult,
    RequestDefaults,
)
from actions_core.instance import Instance, SubscriptionSpec, compile_instance

TOKEN = "tok-SECRET-4242"
TRIGGER = 'type = "track"'


def _item(payload: dict[str, Any]) -> dict[str, Any]:
    return {"key": payload["key"], "value": payload["value"]}


def perform(ctx: ExecutionContext, payload: dict[str, Any]) -> None:
    ctx.request(
        "POST",
        f"{ctx.settings['base_url']}/audiences",
        json={"audience": payload["audience_id"], "batch": [_item(payload)]},
    )


def perform_batch(ctx: ExecutionContext, payloads: Sequence[dict[str, Any]]) -> list[ItemResult] | None:
    results = [
        ItemResult.rejected("the key must not contain a space") if " " in p["key"] else None
        for p in payloads
    ]
    items = [_item(p) for p, r in zip(payloads, results, strict=True) if r is None]
    if items:
        ctx.request(
            "POST",
            f"{ctx.settings['base_url']}/audiences",
            json={"audience": payloads[0]["audience_id"], "batch": items},
        )
    if all(r is None for r in results):
        return None
    return [r or ItemResult.delivered() for r in results]


SYNC = Action(
    key="syncAudience",
    title="Sync audience",
    fields=(
        Field("audience_id", "Audience ID", "string", required=True,
              default={"@path": "properties.audience_id"}),
        Field("key", "User key", "string", required=True, default={"@path": "userId"}),
        Field("value", "Member", "boolean", required=True, default={"@path": "properties.value"}),
        Field("enable_batching", "Batch events", "boolean", default=True),
    ),
    perform=perform,
    perform_batch=perform_batch,
    batch_keys=("audience_id",),
    max_batch_size=1000,
    default_trigger=TRIGGER,
)

TOY = Destination(
    name="Toy Audiences",
    slug="toy-audiences",
    settings=(
        Field("api_key", "API token", "password", required=True),
        Field("base_url", "Base URL", "string", required=True),
    ),
    actions=(SYNC,),
    request_defaults=lambda settings: RequestDefaults(headers={"Authorization": settings["api_key"]}),
)


def toy_instance(
    base_url: str, *mappings: str | SubscriptionSpec, token: str = TOKEN
) -> Instance:
    """An instance with one subscription per name given (all with the default trigger and
    mapping), or the given specs."""
    specs = [
        m if isinstance(m, SubscriptionSpec) else SubscriptionSpec(m, "syncAudience", TRIGGER)
        for m in (mappings or ("sync",))
    ]
    return compile_instance(TOY, {"api_key": token, "base_url": base_url}, specs)


def event(user: str, audience: str = "aud-a", value: Any = True, **extra: Any) -> dict[str, Any]:
    """A track event that sets ``user``'s membership of ``audience`` to ``value`` (a
    boolean; anything else fails validation)."""
    return {
        "type": "track",
        "event": "Audience Entered" if value else "Audience Exited",
        "userId": user,
        "properties": {"audience_id": audience, "value": value},
        **extra,
    }
