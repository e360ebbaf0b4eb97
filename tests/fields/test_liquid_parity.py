"""``@liquid`` against the reference's liquidjs sandbox (tests/fields/cases/liquid.json, from
mapping-kit's ``transform``): the same text for the same template and event, and the same
templates refused, with the reference's words for what the sandbox refuses. Refusals happen
when the mapping compiles, not per event (docs/field-model.md#liquid)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from actions_core import IntegrationError, MappingError, compile_mapping
from actions_core.mapping.liquid import MAX_OUTPUT

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "cases" / "liquid.json").read_text(encoding="utf-8")
)
RENDERED = [c for c in CASES if c["expected"]["ok"]]
REFUSED = [c for c in CASES if not c["expected"]["ok"]]
SANDBOX_WORDS = ("is disabled", "are limited to", "should be a string")


def _id(case: dict[str, Any]) -> str:
    return json.dumps(case["mapping"]["v"]["@liquid"])[:60]


@pytest.mark.parametrize("case", RENDERED, ids=_id)
def test_a_template_renders_the_reference_text(case: dict[str, Any]) -> None:
    assert compile_mapping(case["mapping"]).resolve(case["event"]) == case["expected"]["result"]


@pytest.mark.parametrize("case", REFUSED, ids=_id)
def test_a_template_the_reference_refuses_is_refused_when_the_mapping_compiles(
    case: dict[str, Any],
) -> None:
    with pytest.raises(MappingError) as caught:
        compile_mapping(case["mapping"])
    reference = case["expected"]["error"]["message"]
    if any(words in reference for words in SANDBOX_WORDS):
        [problem] = caught.value.problems  # mapping-kit's own check names the location first
        assert problem.message.rstrip(".") == reference.removeprefix("/v/@liquid ").rstrip(".")


def test_output_past_the_limit_rejects_the_event_with_the_reason() -> None:
    mapping = compile_mapping({"v": {"@liquid": "{{ a }}{{ a }}"}})
    with pytest.raises(IntegrationError, match=r"@liquid: .*limit"):
        mapping.resolve({"a": "x" * (MAX_OUTPUT // 2 + 1)})


def test_a_template_without_markup_is_a_constant() -> None:
    mapping = compile_mapping({"v": {"@liquid": "plain"}})
    assert mapping.constants == {"v": "plain"}
