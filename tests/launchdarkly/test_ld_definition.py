"""The destination definition, its settings and URLs, request defaults and plugin registration."""

from __future__ import annotations

from typing import Any

import actions_launchdarkly_audiences as plugin
import pytest
from actions_launchdarkly_audiences import destination, settings
from actions_launchdarkly_audiences.sync_audience import perform_batch

from actions_core.errors import SettingsValidationError

from .fakes import SETTINGS, make_ctx, payload

FIELD_ORDER = [
    "segment_audience_id", "segment_audience_key", "segment_computation_action", "context_kind",
    "segment_user_id", "segment_anonymous_id", "user_email", "context_key", "traits_or_props",
    "enable_batching", "audience_action",
]


def test_definition_shape() -> None:
    assert destination.slug == "actions-launchdarkly-audiences"
    assert destination.name == "LaunchDarkly Audiences"
    assert [f.key for f in destination.settings] == ["apiKey", "clientId", "apiBaseUrl", "clientSdkBaseUrl"]
    assert destination.secret_settings == ("apiKey",)
    assert [(f.label, f.required) for f in destination.settings[:2]] == [
        ("LaunchDarkly Service Token", True),
        ("LaunchDarkly client-side ID", True),
    ]
    action = destination.action("syncAudience")
    assert action is not None
    assert action.title == "Sync Audience"
    assert action.description == "Sync Engage Audiences to LaunchDarkly segments"
    assert action.default_trigger == 'type = "identify" or type = "track"'
    assert [f.key for f in action.fields] == FIELD_ORDER
    assert action.batch_keys == ("segment_audience_id", "context_kind")
    assert action.max_batch_size == 1000
    assert action.perform_batch is not None


def test_field_labels_types_required_and_defaults() -> None:
    action = destination.action("syncAudience")
    assert action is not None
    got = {f.key: (f.label, f.type, f.required, f.default) for f in action.fields}
    assert got["segment_audience_id"] == ("Audience ID", "string", True, {"@path": "context.personas.computation_id"})
    assert got["segment_audience_key"][:3] == ("Audience Key", "string", True)
    assert got["segment_computation_action"][3] == {"@path": "context.personas.computation_class"}
    assert got["context_kind"] == ("Context kind", "string", True, "user")
    assert got["segment_user_id"] == ("Segment User ID", "string", False, {"@path": "userId"})
    assert got["segment_anonymous_id"][3] == {"@path": "anonymousId"}
    assert got["user_email"] == ("Email address", "string", False, {"@path": "traits.email || context.traits.email"})
    assert got["context_key"] == ("Context key", "string", True, "user_id_only")
    assert got["traits_or_props"] == ("Traits or properties object", "object", True, {"@path": "properties || traits"})
    assert got["enable_batching"] == ("Batch events", "boolean", False, True)
    assert got["audience_action"][:3] == ("Audience Action", "string", False)
    field = action.field("audience_action")
    assert field is not None and not field.default
    ck = action.field("context_key")
    assert ck is not None
    assert [(c.value, c.label) for c in ck.choices] == [
        ("user_id_then_email", "Use Segment UserId or email"),
        ("user_id_then_anonymousId", "Use Segment UserId or Segment AnonymousId"),
        ("user_id_then_email_then_anonymousId", "Use Segment UserId or email or Segment AnonymousId"),
        ("user_id_only", "Use Segment UserId only"),
        ("email_only", "Use email only"),
    ]


def test_preset_maps_every_default() -> None:
    (preset,) = destination.presets
    assert preset.name == "Sync Engage Audience to LaunchDarkly"
    assert preset.type == "automatic"
    assert preset.action_key == "syncAudience"
    assert preset.trigger == 'type = "identify" or type = "track"'
    assert list(preset.mapping) == FIELD_ORDER[:-1]


def test_registers_through_the_hook() -> None:
    from actions_core.registry import DestinationRegistry

    registry = DestinationRegistry.from_plugins({"actions-launchdarkly-audiences": plugin})
    assert registry.failures == []
    assert registry.get("actions-launchdarkly-audiences") is destination


def test_the_declared_entry_point_loads_the_plugin() -> None:
    """The pyproject entry point, loaded the way an installed package's would be."""
    import tomllib
    from importlib import metadata
    from pathlib import Path

    from actions_core.registry import DestinationRegistry

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    value = pyproject["project"]["entry-points"]["actions_core.destinations"]["launchdarkly_audiences"]
    ep = metadata.EntryPoint("launchdarkly_audiences", value, "actions_core.destinations")
    registry = DestinationRegistry.from_entry_points([ep])
    assert registry.failures == []
    assert registry.get("actions-launchdarkly-audiences") is destination


def test_request_defaults_headers() -> None:
    assert destination.request_defaults is not None
    defaults = destination.request_defaults(SETTINGS)
    assert dict(defaults.headers) == {
        "User-Agent": "SegmentSyncAudiences/1.1.0",
        "Content-Type": "application/json",
        "Authorization": "api-key-123",
        "LD-API-Version": "20240415",
    }


def test_default_urls() -> None:
    assert settings.sync_url(SETTINGS) == "https://app.launchdarkly.com/api/v2/segment-targets/segment-audiences"
    assert settings.versions_url(SETTINGS) == "https://app.launchdarkly.com/api/v2/versions"
    assert settings.goals_url(SETTINGS) == "https://clientsdk.launchdarkly.com/sdk/goals/env-client-id"


def test_base_url_settings_strip_a_trailing_slash() -> None:
    s = {**SETTINGS, "apiBaseUrl": "http://127.0.0.1:8080/ld/", "clientSdkBaseUrl": "https://sdk.test/"}
    assert settings.sync_url(s) == "http://127.0.0.1:8080/ld/api/v2/segment-targets/segment-audiences"
    assert settings.goals_url(s) == "https://sdk.test/sdk/goals/env-client-id"
    ctx, fake = make_ctx(settings=s)
    assert perform_batch(ctx, [payload()]) is None
    assert fake.calls[0][1] == "http://127.0.0.1:8080/ld/api/v2/segment-targets/segment-audiences"


@pytest.mark.parametrize("bad", ["ftp://x.test", "app.launchdarkly.com", "https://", "file:///etc", 5])
def test_non_http_base_url_is_a_settings_error(bad: Any) -> None:
    s = {**SETTINGS, "apiBaseUrl": bad, "clientSdkBaseUrl": bad}
    with pytest.raises(SettingsValidationError) as info:
        settings.check_settings(s)
    assert len(info.value.messages) == 2
    assert "'apiBaseUrl' must be an http or https URL" in str(info.value)
    assert destination.request_defaults is not None
    with pytest.raises(SettingsValidationError):
        destination.request_defaults(s)
    ctx, fake = make_ctx(settings=s)
    with pytest.raises(SettingsValidationError):
        perform_batch(ctx, [payload()])
    assert fake.calls == []


def test_text_is_the_reference_text() -> None:
    """Labels, descriptions, types, choices and hidden flags are the reference's, verbatim
    (``cases/reference-definition.json`` was dumped from the reference's definition)."""
    import json
    from pathlib import Path

    ref = json.loads((Path(__file__).parent / "cases" / "reference-definition.json").read_text())
    assert destination.description == ref["desc"]
    for f in destination.settings[:2]:
        r = ref["auth"][f.key]
        assert (f.label, f.description, f.type, f.required) == (
            r["label"], r["description"], r["type"], r["required"]
        )
    action = destination.action("syncAudience")
    assert action is not None
    assert (action.title, action.description) == (ref["title"], ref["adesc"])
    assert [f.key for f in action.fields] == list(ref["fields"])
    for f in action.fields:
        r = ref["fields"][f.key]
        assert (f.label, f.description, f.type, f.required, f.hidden) == (
            r["label"], r["description"], r["type"], r.get("required", False),
            r.get("unsafe_hidden", False),
        ), f.key
        assert [(c.value, c.label) for c in f.choices] == [
            (c["value"], c["label"]) for c in r.get("choices", [])
        ], f.key
    (preset,) = destination.presets
    assert list(preset.mapping) == list(ref["preset"])
