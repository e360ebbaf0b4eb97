"""The extended field model where it is used: an instance's payloads and its settings, and
``describe``, which shows the new properties."""

from __future__ import annotations

import pytest

from actions_core import (
    Action,
    Destination,
    PayloadValidationError,
    SettingsValidationError,
    SubscriptionSpec,
    compile_instance,
    fields_from_reference,
)
from actions_core.cli.describe import describe_json, describe_markdown
from actions_core.instance import Subscription

SETTINGS = fields_from_reference({
    "region": {"label": "Region", "type": "string", "choices": ["eu", "other"]},
    "endpoint": {"label": "Endpoint", "type": "string", "format": "uri",
                 "required": {"conditions": [{"fieldKey": "region", "operator": "is", "value": "other"}]}},
})
FIELDS = fields_from_reference({
    "email": {"label": "Email", "type": "string", "format": "email",
              "default": {"@path": "$.traits.email"}},
    "age": {"label": "Age", "type": "number", "minimum": 0, "default": {"@path": "$.traits.age"},
            "placeholder": "42", "category": "data"},
})
DESTINATION = Destination(
    "Acme", "actions-acme", SETTINGS,
    (Action("post", "Post", FIELDS, lambda ctx, payload: None),),
)


def subscription() -> Subscription:
    instance = compile_instance(DESTINATION, {"region": "eu"}, [SubscriptionSpec("m", "post", None)])
    return instance.subscriptions[0]


def test_a_payload_is_mapped_then_checked_for_format_and_bounds() -> None:
    sub = subscription()
    assert sub.payload({"traits": {"email": "a@b.io", "age": "7"}}) == {"email": "a@b.io", "age": 7}
    with pytest.raises(PayloadValidationError) as caught:
        sub.payload({"traits": {"email": "nope", "age": -1}})
    assert list(caught.value.messages) == [
        "Email must be a valid email address string but it was not.",
        "Age must be equal to or greater than 0.",
    ]


def test_a_setting_required_by_another_setting_is_checked_at_load() -> None:
    with pytest.raises(SettingsValidationError, match="missing the required field 'endpoint'"):
        compile_instance(DESTINATION, {"region": "other"}, [])


def test_describe_json_shows_the_new_properties() -> None:
    [action] = describe_json(DESTINATION)["actions"]
    age = action["fields"][1]
    assert (age["minimum"], age["placeholder"], age["category"]) == (0, "42", "data")
    endpoint = describe_json(DESTINATION)["settings"][1]
    assert endpoint["required_if"] == {
        "match": "all", "conditions": [{"field": "region", "operator": "is", "value": "other"}]
    }


def test_describe_markdown_shows_formats_limits_and_conditions() -> None:
    page = describe_markdown(DESTINATION)
    assert "| Email | `email` | string, format email | No |" in page
    assert "| Age | `age` | number, at least 0 | No |" in page
    assert "| Endpoint | `endpoint` | string, format uri | When `region` is `\"other\"` |" in page
