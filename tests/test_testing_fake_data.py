"""Generated test data: seeded by "<slug>#<action>", by field type, like the reference's."""

from __future__ import annotations

from typing import Any

from actions_core import Action, Choice, Destination, Field
from actions_core.testing import fake_payload, fake_settings
from actions_core.testing.fake_data import DATETIME_VALUE, Chance, chance_seed, fake_value


def noop(ctx: Any, payload: Any) -> None:
    return None


def action(*fields: Field) -> Action:
    return Action("sync", "Sync", fields, noop)


def destination(act: Action, *settings: Field) -> Destination:
    return Destination(name="Fake", slug="actions-fake", settings=settings, actions=(act,))


def test_strings_match_chance_js_for_the_same_seed() -> None:
    # Segment's snapshot of actions-launchdarkly-audiences shows apiKey "uKRBKG", drawn by
    # chance.string() with this seed.
    assert Chance("actions-launchdarkly-audiences#syncAudience").string() == "uKRBKG"


def test_the_seed_hash_follows_javascript_32_bit_arithmetic() -> None:
    assert chance_seed("actions-launchdarkly-audiences#syncAudience") == 393935996062


def test_the_same_seed_gives_the_same_values() -> None:
    field = Field("n", "N", "number", required=True)

    assert fake_value("a#b", field) == fake_value("a#b", field)
    assert fake_value("a#b", field) != fake_value("a#c", field)


def test_values_follow_the_field_type() -> None:
    def value(kind: Any) -> Any:
        return fake_value("actions-fake#sync", Field("f", "F", kind))

    assert isinstance(value("boolean"), bool)
    assert isinstance(value("integer"), int)
    assert isinstance(value("number"), int | float)
    assert value("datetime") == DATETIME_VALUE
    assert value("text").endswith(".") and " " in value("text")
    assert list(value("object")) == ["testType"]
    assert isinstance(value("string"), str) and 5 <= len(value("string")) <= 20


def test_a_field_with_choices_gets_one_of_them() -> None:
    field = Field("kind", "Kind", "string", choices=(Choice("audience"), Choice("journey_step")))

    assert fake_value("actions-fake#sync", field) in {"audience", "journey_step"}


def test_fields_named_email_get_an_email_address() -> None:
    assert "@" in fake_value("actions-fake#sync", Field("email", "Email", "string"), key="email")


def test_the_payload_holds_required_fields_and_fields_named_like_ids() -> None:
    act = action(
        Field("user_id", "User", "string"),
        Field("name", "Name", "string", required=True),
        Field("note", "Note", "string"),
    )

    assert sorted(fake_payload(destination(act), act)) == ["name", "user_id"]


def test_multiple_fields_get_a_list_and_objects_their_required_properties() -> None:
    act = action(
        Field("tags", "Tags", "string", required=True, multiple=True),
        Field(
            "address",
            "Address",
            "object",
            required=True,
            properties=(Field("city", "City", "string", required=True), Field("zip", "Zip", "string")),
        ),
    )

    payload = fake_payload(destination(act), act)

    assert isinstance(payload["tags"], list) and len(payload["tags"]) == 1
    assert list(payload["address"]) == ["city"]


def test_password_settings_differ_from_the_payloads_strings() -> None:
    act = action(Field("user_id", "User", "string", required=True))
    dest = destination(act, Field("apiKey", "Key", "password", required=True), Field("region", "Region", "string"))

    settings = fake_settings(dest)
    payload = fake_payload(dest, act)

    assert settings["region"] == payload["user_id"]  # the reference's shared seed
    assert settings["apiKey"] != payload["user_id"]
