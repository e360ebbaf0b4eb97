"""Turning validated payloads into LaunchDarkly sync requests.

This is where the deliberate differences from the reference (numbered as in
docs/launchdarkly-audiences.md#differences-from-the-reference) live:

1. a payload without a context key is rejected on its own, with a reason naming the
   ``context_key`` choice (the reference sends an item without ``userId``);
2. membership is a JSON boolean (``true`` adds, ``false`` removes); anything else is rejected.
   An explicitly mapped ``audience_action`` (``ADD``/``REMOVE``) wins;
3. requests are grouped by (audience id, context kind), in first-seen order;
4. a request carries at most :data:`MAX_MEMBERS` members; larger groups are split;
6. empty strings count as absent;
7. within a group a context key appears once, at the position where it was first seen,
   carrying the last membership value in input order.

:func:`plan_requests` runs once per ``perform_batch`` call over up to 1000 payloads, so it is
written as one plain loop over dicts: no per-payload objects besides the member dict, and a
fast path for the usual case where every payload of a batch has the same audience and kind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from actions_core.json_types import json_type_name

MAX_MEMBERS = 1000

ADD = "ADD"
REMOVE = "REMOVE"

# ``context_key`` choices: which payload fields give the LaunchDarkly context key, first
# non-empty wins (the reference's ``Priority`` enum).
USER_ID_THEN_EMAIL = "user_id_then_email"
USER_ID_THEN_ANONYMOUS_ID = "user_id_then_anonymousId"
USER_ID_THEN_EMAIL_THEN_ANONYMOUS_ID = "user_id_then_email_then_anonymousId"
USER_ID_ONLY = "user_id_only"
EMAIL_ONLY = "email_only"

# Rejection reasons are constants: building them costs nothing on the hot path.
NO_CONTEXT_KEY: dict[str, str] = {
    choice: (
        f"No LaunchDarkly context key: the Context key choice is '{choice}' and the event "
        f"has no {missing}. The event was not sent: map the missing identifier or pick another "
        "Context key choice."
    )
    for choice, missing in (
        (USER_ID_THEN_EMAIL, "Segment User ID (userId) and no email address"),
        (USER_ID_THEN_ANONYMOUS_ID, "Segment User ID (userId) and no Segment Anonymous ID"),
        (
            USER_ID_THEN_EMAIL_THEN_ANONYMOUS_ID,
            "Segment User ID (userId), no email address and no Segment Anonymous ID",
        ),
        (USER_ID_ONLY, "Segment User ID (userId)"),
        (EMAIL_ONLY, "email address (traits.email or context.traits.email)"),
    )
}
CONTEXT_KEY_CHOICES: tuple[str, ...] = tuple(NO_CONTEXT_KEY)

MISSING_AUDIENCE_ID = "The event has no Audience ID (context.personas.computation_id)."
MISSING_AUDIENCE_KEY = "The event has no Audience Key (context.personas.computation_key)."
MISSING_CONTEXT_KIND = "The event has no Context kind."
_EXPECTED_CHOICES = ", ".join(f'"{c}"' for c in CONTEXT_KEY_CHOICES)


def cohort_name(audience_key: str) -> str:
    """The reference's ``snakeCaseToSentenceCase``: first character upper-cased and every ``_``
    a space, nothing else changed (``VIP_big_Spenders`` -> ``VIP big Spenders``)."""
    return (audience_key[:1].upper() + audience_key[1:]).replace("_", " ")


def context_key(payload: Mapping[str, Any]) -> str | None:
    """The LaunchDarkly context key the payload's ``context_key`` choice selects, or ``None``
    when the chosen identifiers are all absent or empty (difference 1 and 6)."""
    choice = payload.get("context_key", USER_ID_ONLY)
    if choice == USER_ID_ONLY:
        key = payload.get("segment_user_id")
    elif choice == USER_ID_THEN_EMAIL:
        key = payload.get("segment_user_id") or payload.get("user_email")
    elif choice == USER_ID_THEN_ANONYMOUS_ID:
        key = payload.get("segment_user_id") or payload.get("segment_anonymous_id")
    elif choice == USER_ID_THEN_EMAIL_THEN_ANONYMOUS_ID:
        key = (
            payload.get("segment_user_id")
            or payload.get("user_email")
            or payload.get("segment_anonymous_id")
        )
    elif choice == EMAIL_ONLY:
        key = payload.get("user_email")
    else:
        return None
    return key or None


def no_context_key_reason(payload: Mapping[str, Any]) -> str:
    """Why :func:`context_key` found nothing for this payload."""
    choice = payload.get("context_key", USER_ID_ONLY)
    reason = NO_CONTEXT_KEY.get(choice) if isinstance(choice, str) else None
    if reason is None:
        return f"Context key must be one of: {_EXPECTED_CHOICES}; it was {choice!r}."
    return reason


def membership_reason(payload: Mapping[str, Any]) -> str:
    """Why the payload's membership could not be read (difference 2)."""
    key = payload.get("segment_audience_key")
    action = payload.get("audience_action")
    if action is not None:
        return f"Audience Action must be \"ADD\" or \"REMOVE\"; it was {action!r}."
    traits = payload.get("traits_or_props")
    if not isinstance(traits, Mapping):
        return "The Traits or properties object is missing, so the membership is unknown."
    if key not in traits:
        found = "it is missing"
    else:
        value = traits[key]
        found = "it is null" if value is None else f"it is {_json_text(value)} ({json_type_name(value)})"
    return (
        f"Membership unknown: traits_or_props[{_json_text(key)}] must be true (add to the "
        f"segment) or false (remove from it), but {found}. The event was not sent."
    )


def _json_text(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(slots=True)
class SyncRequest:
    """One POST: its body and the indices (into the planned payloads) it carries."""

    body: dict[str, Any]
    indices: list[int]


@dataclass(slots=True)
class _Group:
    """Members of one (audience id, context kind) in first-seen order, deduplicated by key."""

    audience_id: str
    context_kind: str
    members: list[dict[str, Any]]
    position: dict[Any, int]  # context key -> index in members
    indices: list[int]  # payload indices, input order
    positions: list[int]  # parallel to indices: the member each payload became


def plan_requests(
    payloads: Sequence[Mapping[str, Any]], environment_id: str
) -> tuple[list[SyncRequest], dict[int, str]]:
    """Group, deduplicate and split ``payloads`` into requests (first-seen group order), and
    say why each rejected payload was rejected (``{index: reason}``).

    Every payload index ends either in exactly one request or in the rejections. A payload
    whose member was superseded by a later one for the same context (difference 7) belongs to
    the request that carries the surviving member: its change was folded into that one.
    """
    groups: dict[tuple[str, str], _Group] = {}
    rejected: dict[int, str] = {}
    # The current group's containers, bound to locals: most batches have a single group.
    last_aid: Any = None
    last_kind: Any = None
    members: list[dict[str, Any]] = []
    position: dict[Any, int] = {}
    indices: list[int] = []
    positions: list[int] = []
    last_akey: Any = None
    name = ""
    for i, p in enumerate(payloads):
        aid = p.get("segment_audience_id")
        kind = p.get("context_kind")
        akey = p.get("segment_audience_key")
        if not aid or not kind or not akey:
            rejected[i] = (
                MISSING_AUDIENCE_ID if not aid else MISSING_AUDIENCE_KEY if not akey
                else MISSING_CONTEXT_KIND
            )
            continue
        if p.get("context_key", USER_ID_ONLY) == USER_ID_ONLY:
            key = p.get("segment_user_id") or None
        else:
            key = context_key(p)
        if key is None:
            rejected[i] = no_context_key_reason(p)
            continue
        action = p.get("audience_action")
        if action is None:
            traits = p.get("traits_or_props")
            value = traits.get(akey) if isinstance(traits, dict) else None
            if value is not True and value is not False:
                rejected[i] = membership_reason(p)
                continue
        elif action == ADD:
            value = True
        elif action == REMOVE:
            value = False
        else:
            rejected[i] = membership_reason(p)
            continue
        if akey != last_akey:
            name = cohort_name(akey)
            last_akey = akey
        if aid != last_aid or kind != last_kind:
            gkey = (aid, kind)
            group = groups.get(gkey)
            if group is None:
                group = groups[gkey] = _Group(aid, kind, [], {}, [], [])
            members, position = group.members, group.position
            indices, positions = group.indices, group.positions
            last_aid, last_kind = aid, kind
        member = {"userId": key, "cohortName": name, "cohortId": aid, "value": value}
        pos = position.get(key)
        if pos is None:
            pos = position[key] = len(members)
            members.append(member)
        else:
            members[pos] = member
        indices.append(i)
        positions.append(pos)

    requests: list[SyncRequest] = []
    for g in groups.values():
        if len(g.members) <= MAX_MEMBERS:
            requests.append(SyncRequest(_body(environment_id, g, g.members), g.indices))
            continue
        chunks = [
            SyncRequest(_body(environment_id, g, g.members[start : start + MAX_MEMBERS]), [])
            for start in range(0, len(g.members), MAX_MEMBERS)
        ]
        for i, pos in zip(g.indices, g.positions, strict=True):
            chunks[pos // MAX_MEMBERS].indices.append(i)
        requests.extend(chunks)
    return requests, rejected


def _body(environment_id: str, group: _Group, members: list[dict[str, Any]]) -> dict[str, Any]:
    """The request body, keys in the reference's order."""
    return {"environmentId": environment_id, "contextKind": group.context_kind, "batch": members}
