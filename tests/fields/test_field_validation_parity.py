"""Payload validation of the reference's whole field model, against the reference's answers.

Each case (tests/fields/cases/validation.json, written by make_cases.py from Segment's
``fieldsToJsonSchema`` + ``removeEmptyValues`` + ``validateSchema``) gives reference field JSON
and a payload; the fields go through :func:`actions_core.fields_from_reference` and the
payload through the compiled validator, which must clean it or refuse it exactly as the
reference did, with the same messages in the same order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from actions_core import PayloadValidationError, compile_validator, fields_from_reference

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "cases" / "validation.json").read_text(encoding="utf-8")
)


def _id(case: dict[str, Any]) -> str:
    return f"{case['name']}:{json.dumps(case['payload'], ensure_ascii=False)}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_payload_is_cleaned_or_refused_as_the_reference_does(case: dict[str, Any]) -> None:
    validator = compile_validator(fields_from_reference(case["fields"]))
    expected = case["expected"]
    if expected["ok"]:
        assert validator.validate(case["payload"]) == expected["payload"]
    else:
        with pytest.raises(PayloadValidationError) as caught:
            validator.validate(case["payload"])
        assert list(caught.value.messages) == expected["messages"]
