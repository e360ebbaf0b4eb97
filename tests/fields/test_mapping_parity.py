"""Mapping behaviours the reference and this project once disagreed on
(tests/fields/cases/mapping.json, from mapping-kit's ``transform`` and FQL's ``parseFql`` +
``validate``). A case without ``ours`` must give the reference's answer; a case with ``ours``
is a deliberate difference, documented with its reason in
docs/field-model.md#differences-from-the-reference, and must give exactly that."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from actions_core import TriggerSyntaxError, compile_mapping, parse_trigger

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "cases" / "mapping.json").read_text(encoding="utf-8")
)
MAPPINGS = [c for c in CASES if c["kind"] == "map"]
TRIGGERS = [c for c in CASES if c["kind"] == "fql"]


@pytest.mark.parametrize("case", [c for c in MAPPINGS if "ours" not in c], ids=lambda c: c["name"])
def test_mapping_gives_the_reference_result(case: dict[str, Any]) -> None:
    assert compile_mapping(case["mapping"]).resolve(case["event"]) == case["expected"]["result"]


@pytest.mark.parametrize("case", [c for c in MAPPINGS if "ours" in c], ids=lambda c: c["name"])
def test_mapping_differs_from_the_reference_as_documented(case: dict[str, Any]) -> None:
    got = compile_mapping(case["mapping"]).resolve(case["event"])
    assert got == case["ours"]
    assert case["expected"] != {"ok": True, "result": got}  # still a difference


@pytest.mark.parametrize("case", TRIGGERS, ids=lambda c: c["fql"])
def test_a_trigger_comparison_without_a_value_is_refused_where_the_reference_parses_it(
    case: dict[str, Any],
) -> None:
    assert case["expected"]["ok"]
    with pytest.raises(TriggerSyntaxError, match="expected a value"):
        parse_trigger(case["fql"])
