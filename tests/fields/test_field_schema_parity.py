"""The JSON Schema of the new field features, against the reference's ``fieldsToJsonSchema``
(tests/fields/cases/schema.json): conditional requirements (``allOf`` of ``if``/``then``),
length and number limits, formats and open objects are written as the reference writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from actions_core import fields_from_reference, fields_to_schema

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "cases" / "schema.json").read_text(encoding="utf-8")
)
KEYWORDS = ("minLength", "maxLength", "minimum", "maximum", "format", "additionalProperties")


def _keywords(schema: dict[str, Any]) -> dict[str, Any]:
    """The new-feature keywords of every property, nested ones as ``parent.child``."""
    out: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        out |= {f"{key}.{k}": prop[k] for k in KEYWORDS if k in prop}
        out |= {f"{key}.{k}": v for k, v in _keywords(prop).items()}
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_conditions_are_written_as_the_reference_writes_them(case: dict[str, Any]) -> None:
    ours = fields_to_schema(fields_from_reference(case["fields"]))
    assert ours.get("allOf") == case["expected"]["schema"].get("allOf")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_limits_formats_and_open_objects_are_the_reference_keywords(case: dict[str, Any]) -> None:
    ours = fields_to_schema(fields_from_reference(case["fields"]))
    assert _keywords(ours) == _keywords(case["expected"]["schema"])
