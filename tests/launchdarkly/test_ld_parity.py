"""Parity with Segment's reference destination on the oracle's saved public cases.

``cases/*-events.jsonl`` are the inputs and ``cases/*-out-{single,batch}.jsonl`` what the
reference (``@segment/action-destinations`` 3.497.0, run through ``../shared/oracle``) sent for
them with settings ``{"apiKey":"api-key-123","clientId":"env-client-id"}``. Single mode runs
``test_action`` once per line (an envelope line's ``mapping`` applies to it); batch mode runs
``test_batch_action`` over all lines with one mapping (the reference ignores per-line mappings
there too). Bodies and the destination's own headers must equal the reference's, except for
the cases listed in :data:`EXPECTED_DIFFERENCES`, which must differ in the way listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from actions_launchdarkly_audiences import destination

from actions_core import Outcome
from actions_core.testing import MockHTTP, create_test_integration

CASES = Path(__file__).parent / "cases"
SETTINGS = {"apiKey": "api-key-123", "clientId": "env-client-id"}
OWN_HEADERS = ("authorization", "content-type", "ld-api-version", "user-agent")

Effect = Literal["rejected", "value", "superseded"]


@dataclass(frozen=True)
class Differs:
    """How and why a case differs from the reference.

    * ``rejected``: the reference sent the event, here it is rejected; ``expect`` is a part of
      the reason given;
    * ``value``: sent with the opposite membership value;
    * ``superseded``: delivered, but its entry gave way to a later event for the same context
      in the same request (``expect`` names that event's line index).
    """

    effect: Effect
    why: str
    expect: str = ""


NO_USER_ID = "the Context key choice is 'user_id_only' and the event has no Segment User ID"
NOT_BOOLEAN = 'Membership unknown: traits_or_props["aud_x"] must be true'
_EDGE_VALUES = ['"false"', "[]", "{}", "0", "1", '""', "null", "missing"]

# Every case (file, mode, 0-based line) whose outcome differs from the reference's, and the
# contract's deliberate difference that explains it. Anything not listed must match exactly.
EXPECTED_DIFFERENCES: dict[tuple[str, str, int], Differs] = {
    # anonymous identify, no userId, default context_key user_id_only: the reference sends a
    # batch item without "userId" (LaunchDarkly then rejects the whole audience request).
    ("sample", "single", 7): Differs("rejected", "difference 1: no context key, no send", NO_USER_ID),
    ("sample", "batch", 7): Differs("rejected", "difference 1: no context key, no send", NO_USER_ID),
    # the email_only envelope mapping is per line, which batch mode ignores (as the reference
    # does); under user_id_only this anonymous user has no context key.
    ("sample", "batch", 6): Differs("rejected", "difference 1: no context key, no send", NO_USER_ID),
    # identify with traits {trial_users: true} and properties {}: the reference reads the empty
    # properties and removes; here `properties || traits` reads traits and adds.
    ("sample", "single", 10): Differs("value", "difference 2: an empty properties still reads traits"),
    ("sample", "batch", 10): Differs("value", "difference 2: an empty properties still reads traits"),
    # traits.aud_x is "false", [], {}, 0, 1, "", null or missing: JavaScript truthiness in the
    # reference, a rejection here (membership is a boolean).
    **{
        ("edge", mode, i): Differs(
            "rejected", f"difference 2: membership {value} is not a boolean", NOT_BOOLEAN
        )
        for mode in ("single", "batch")
        for i, value in enumerate(_EDGE_VALUES)
    },
    # the same context "u" in audience "i" three times (keys VIP_big_Spenders, aud-x.y,
    # __aud__x): the reference sends three entries, here only the last one is sent.
    ("edge", "batch", 13): Differs("superseded", "difference 7: one entry per context", "15"),
    ("edge", "batch", 14): Differs("superseded", "difference 7: one entry per context", "15"),
    # computation_id "" / computation_key "": the reference's batch mode keeps empty strings
    # (and sends cohortId "" / cohortName ""), its single mode drops them; both modes drop
    # them here, so the batch mode rejects like the single mode does.
    ("edge", "batch", 17): Differs(
        "rejected", "difference 6: empty strings are absent",
        "The root value is missing the required field 'segment_audience_id'.",
    ),
    ("edge", "batch", 18): Differs(
        "rejected", "difference 6: empty strings are absent",
        "The root value is missing the required field 'segment_audience_key'.",
    ),
}


def load_lines(name: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(event, per-line mapping) for each non-blank line; envelopes are unwrapped."""
    lines = []
    for text in (CASES / f"{name}-events.jsonl").read_text().splitlines():
        if not text.strip():
            continue
        obj = json.loads(text)
        if isinstance(obj.get("event"), dict):
            lines.append((obj["event"], obj.get("mapping") or {}))
        else:
            lines.append((obj, {}))
    return lines


def reference(name: str, mode: str) -> list[dict[str, Any]]:
    path = CASES / f"{name}-out-{mode}.jsonl"
    return [json.loads(t) for t in path.read_text().splitlines() if t.strip()]


def request_view(method: str, url: str, headers: dict[str, str], body: Any) -> dict[str, Any]:
    """What parity compares: method, URL, the destination's own headers, the parsed body."""
    own = {h: headers[h] for h in OWN_HEADERS if h in headers}
    return {"method": method, "url": url, "headers": own, "json": body}


def ref_view(req: dict[str, Any]) -> dict[str, Any]:
    return request_view(req["method"], req["url"], req["headers"], req["json"])


def integration() -> Any:
    return create_test_integration(destination, http=MockHTTP(strict=False, default_status=204))


def test_every_listed_difference_names_a_contract_difference() -> None:
    for key, d in EXPECTED_DIFFERENCES.items():
        assert d.why.startswith("difference "), key
        assert int(d.why.split()[1].rstrip(":")) in range(1, 9), key


# ----------------------------------------------------------------------------- single mode


@pytest.mark.parametrize(
    ("name", "index"),
    [(n, i) for n in ("sample", "edge") for i in range(len(load_lines(n)))],
)
def test_single_mode_parity(name: str, index: int) -> None:
    event, mapping = load_lines(name)[index]
    ref = reference(name, "single")[index]
    assert ref["index"] == index
    result = integration().test_action(
        "syncAudience", event=event, mapping=mapping, settings=SETTINGS, use_default_mappings=True
    )
    ours = [request_view(e.method, e.url, e.headers, e.json) for e in result.exchanges]
    outcome = result.outcome
    differs = EXPECTED_DIFFERENCES.get((name, "single", index))

    if differs is None:
        if ref["ok"]:
            assert outcome.outcome is Outcome.DELIVERED, outcome.error
            assert ours == [ref_view(r) for r in ref["requests"]]
        else:
            assert outcome.outcome is Outcome.REJECTED
            assert outcome.error == ref["error"]["message"]
            assert ours == [] == ref["requests"]
    elif differs.effect == "rejected":
        assert ref["ok"] and ref["requests"], "the reference sent this case"
        assert outcome.outcome is Outcome.REJECTED
        assert differs.expect in (outcome.error or "")
        assert ours == []
    else:
        assert differs.effect == "value"
        assert outcome.outcome is Outcome.DELIVERED
        (expected,) = (ref_view(r) for r in ref["requests"])
        (item,) = expected["json"]["batch"]
        item["value"] = not item["value"]
        assert ours == [expected]


# ------------------------------------------------------------------------------ batch mode


def _reference_items(ref: dict[str, Any]) -> dict[int, tuple[int, dict[str, Any]]]:
    """Line index -> (reference request index, the batch item it sent): the reference groups
    the sent payloads by audience id in first-seen order, one request per group."""
    groups: dict[str, list[int]] = {}
    for index, status in zip(ref["event_indices"], ref["multistatus"], strict=True):
        if status["status"] == 200:
            groups.setdefault(status["sent"]["segment_audience_id"], []).append(index)
    assert len(groups) == len(ref["requests"])
    items: dict[int, tuple[int, dict[str, Any]]] = {}
    for r, (audience_id, indices) in enumerate(groups.items()):
        batch = ref["requests"][r]["json"]["batch"]
        assert len(batch) == len(indices)
        for index, item in zip(indices, batch, strict=True):
            assert item["cohortId"] == audience_id
            items[index] = (r, item)
    return items


@pytest.mark.parametrize("name", ["sample", "edge"])
def test_batch_mode_parity(name: str) -> None:
    lines = load_lines(name)
    (ref,) = reference(name, "batch")
    assert ref["ok"] and ref["count"] == len(lines)
    result = integration().test_batch_action(
        "syncAudience", events=[e for e, _ in lines], settings=SETTINGS, use_default_mappings=True
    )
    outcomes = {o.line - 1: o for o in result.outcomes}
    assert sorted(outcomes) == list(range(len(lines)))
    items = _reference_items(ref)

    # What we must send: the reference's requests, minus what we reject, with the listed
    # value changes, and one entry per context (the last one, where the context first was).
    expected_batches: list[dict[Any, dict[str, Any]]] = [{} for _ in ref["requests"]]
    entry_of: dict[tuple[int, Any], int] = {}
    for index, status in zip(ref["event_indices"], ref["multistatus"], strict=True):
        differs = EXPECTED_DIFFERENCES.get((name, "batch", index))
        outcome = outcomes[index]
        if status["status"] != 200:
            assert differs is None
            assert outcome.outcome is Outcome.REJECTED
            assert outcome.error == status["errormessage"]
            continue
        if differs is not None and differs.effect == "rejected":
            assert outcome.outcome is Outcome.REJECTED, differs.why
            assert differs.expect in (outcome.error or ""), differs.why
            continue
        assert outcome.outcome is Outcome.DELIVERED, (index, outcome.error)
        r, item = items[index]
        item = dict(item)
        if differs is not None and differs.effect == "value":
            item["value"] = not item["value"]
        expected_batches[r][item["userId"]] = item
        entry_of[(r, item["userId"])] = index

    superseded = {
        index
        for index, (r, item) in items.items()
        if outcomes[index].outcome is Outcome.DELIVERED and entry_of[(r, item["userId"])] != index
    }
    listed = {
        i for (n, mode, i), d in EXPECTED_DIFFERENCES.items()
        if n == name and mode == "batch" and d.effect == "superseded"
    }
    assert superseded == listed
    for index in listed:
        r, item = items[index]
        assert entry_of[(r, item["userId"])] == int(EXPECTED_DIFFERENCES[(name, "batch", index)].expect)

    expected = []
    for req, batch in zip(ref["requests"], expected_batches, strict=True):
        if batch:
            view = ref_view(req)
            view["json"] = {**view["json"], "batch": list(batch.values())}
            expected.append(view)
    ours = [request_view(e.method, e.url, e.headers, e.json) for e in result.exchanges]
    assert ours == expected
