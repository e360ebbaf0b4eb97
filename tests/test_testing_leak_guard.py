"""The secret-leak guard and the request snapshot's redaction.

A password setting's value must not reach a snapshot, a captured log or an outcome, however
the field is called and in whichever spelling a request gives it.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from actions_core import Action, Destination, ExecutionContext, Field, RequestDefaults
from actions_core.errors import IntegrationError
from actions_core.testing import SecretLeakError, create_test_event, create_test_integration
from actions_core.testing.leak_guard import Secret, check_texts, find_leaks, secrets_of

API = "https://api.example.com/v1"
TOKEN = "tok/en+0123456789"  # "/" and "+" make its encoded spellings differ
SETTINGS = {"token": TOKEN, "account": "acme"}
SECRET = Secret("token", TOKEN)


def make_destination(perform: Any, *, auth_header: str = "Bearer {token}") -> Destination:
    """One action mapping ``user_id``; ``token`` is a password setting (not named like one)."""
    return Destination(
        name="Leaky",
        slug="actions-leaky",
        settings=(
            Field("token", "Token", "password", required=True),
            Field("account", "Account", "string"),
        ),
        actions=(
            Action(
                "send",
                "Send",
                (Field("user_id", "User", "string", required=True, default={"@path": "userId"}),),
                perform,
            ),
        ),
        request_defaults=lambda s: RequestDefaults(
            headers={"Authorization": auth_header.format(**s), "X-Account": s["account"], "Api-Version": "7"}
        ),
    )


def post_payload(ctx: ExecutionContext, payload: dict[str, Any]) -> httpx.Response:
    return ctx.request("POST", f"{API}/send", json=payload)


def send(destination: Destination) -> Any:
    integration = create_test_integration(destination, snapshot_headers=["Api-Version"])
    integration.http.add("POST", f"{API}/send", status=204)
    return integration.test_action(
        "send", event=create_test_event(), settings=SETTINGS, use_default_mappings=True
    )


# ----------------------------------------------------------------------- finding leaks


def test_the_secrets_are_the_password_settings_whatever_their_name() -> None:
    assert secrets_of(make_destination(post_payload), SETTINGS) == (SECRET,)


@pytest.mark.parametrize(
    "text",
    [
        f"raw {TOKEN} here",
        f"url {quote(TOKEN, safe='')}",
        "basic " + base64.b64encode(f"user:{TOKEN}".encode()).decode(),
        "b64 at offset 1 " + base64.b64encode(f"x{TOKEN}".encode()).decode(),
        "b64 at offset 2 " + base64.urlsafe_b64encode(f"xy{TOKEN}".encode()).decode(),
    ],
    ids=["raw", "percent-encoded", "basic-auth", "base64-offset-1", "urlsafe-offset-2"],
)
def test_a_secret_is_found_in_its_encoded_spellings(text: str) -> None:
    assert find_leaks(text, [SECRET]) != []


def test_a_secret_is_found_json_escaped_inside_a_json_text() -> None:
    quoted = Secret("token", 'pass"word\\1')

    assert find_leaks(json.dumps({"echo": quoted.value}), [quoted]) == ["'token' (encoded)"]


def test_clean_text_has_no_leak() -> None:
    assert find_leaks("nothing to see: tok/en and 0123", [SECRET]) == []


def test_secrets_too_short_to_tell_from_text_are_not_guarded() -> None:
    assert secrets_of(make_destination(post_payload), {"token": "abc"}) == ()


def test_the_leak_message_names_the_setting_but_never_the_value() -> None:
    with pytest.raises(SecretLeakError) as caught:
        check_texts([("the report", f"key={TOKEN}")], [SECRET])

    assert "the report contains the value of password setting 'token' (as is)" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_the_secret_value_never_shows_in_a_repr() -> None:
    assert TOKEN not in repr(SECRET)


# ------------------------------------------------------------- harness results


def test_a_secret_logged_by_the_destination_fails_the_call() -> None:
    def logs_the_token(ctx: ExecutionContext, payload: dict[str, Any]) -> httpx.Response:
        logging.getLogger("leaky").warning("calling with token %s", ctx.settings["token"])
        return post_payload(ctx, payload)

    with pytest.raises(SecretLeakError, match=r"captured log record 1 of \d+ contains .* 'token'") as caught:
        send(make_destination(logs_the_token))
    assert TOKEN not in str(caught.value)


def test_a_base64_secret_in_an_outcome_fails_the_call() -> None:
    def refuses(ctx: ExecutionContext, payload: dict[str, Any]) -> None:
        packed = base64.b64encode(str(ctx.settings["token"]).encode()).decode()
        raise IntegrationError(f"credentials {packed} refused")

    with pytest.raises(SecretLeakError, match=r"the outcome of line 1 .* 'token' \(base64-encoded\)"):
        send(make_destination(refuses))


def test_a_raw_secret_in_an_error_is_redacted_by_the_engine_before_the_guard() -> None:
    def refuses(ctx: ExecutionContext, payload: dict[str, Any]) -> None:
        raise IntegrationError(f"key {ctx.settings['token']} refused")

    result = send(make_destination(refuses))

    assert result.outcome.error == "key *** refused"


def test_a_secret_in_the_authentication_error_is_reported_without_the_error() -> None:
    def echoes_the_key(ctx: ExecutionContext) -> None:
        packed = base64.b64encode(str(ctx.settings["token"]).encode()).decode()
        raise IntegrationError(f"unknown key {packed}")

    destination = make_destination(post_payload)
    leaky = Destination(
        name=destination.name,
        slug=destination.slug,
        settings=destination.settings,
        actions=destination.actions,
        authentication_test=echoes_the_key,
    )

    with pytest.raises(SecretLeakError, match="the authentication error contains") as caught:
        create_test_integration(leaky).test_authentication(SETTINGS)
    assert caught.value.__suppress_context__


# ------------------------------------------------------------------ snapshot data


def test_the_snapshot_keeps_the_destinations_headers_and_drops_transport_ones() -> None:
    [entry] = send(make_destination(post_payload)).snapshot_data()

    assert entry["headers"] == {
        "api-version": "7",
        "authorization": "Bearer <secret:token>",
        "content-type": "application/json",
        "user-agent": "actions-core",
        "x-account": "acme",
    }


def test_the_snapshot_holds_method_url_and_parsed_body_in_send_order() -> None:
    [entry] = send(make_destination(post_payload)).snapshot_data()

    assert list(entry) == ["method", "url", "headers", "json"]
    assert (entry["method"], entry["url"], entry["json"]) == ("POST", f"{API}/send", {"user_id": "user1234"})


def test_basic_credentials_are_shown_decoded_with_the_placeholder() -> None:
    basic = "Basic " + base64.b64encode(f"api:{TOKEN}".encode()).decode()
    destination = make_destination(post_payload, auth_header=basic.replace("{", "{{").replace("}", "}}"))

    [entry] = send(destination).snapshot_data()

    assert entry["headers"]["authorization"] == "Basic base64(api:<secret:token>)"


def test_a_secret_in_the_query_string_is_replaced() -> None:
    def key_in_query(ctx: ExecutionContext, payload: dict[str, Any]) -> httpx.Response:
        return ctx.request("POST", f"{API}/send", params={"key": str(ctx.settings["token"])})

    integration = create_test_integration(make_destination(key_in_query))
    integration.http.add("POST", f"{API}/send?key={quote(TOKEN, safe='')}", status=204)
    result = integration.test_action("send", event=create_test_event(), settings=SETTINGS, use_default_mappings=True)

    assert result.snapshot_data()[0]["url"] == f"{API}/send?key=<secret:token>"


def test_a_base64_secret_in_the_body_fails_the_snapshot() -> None:
    def packs_the_token(ctx: ExecutionContext, payload: dict[str, Any]) -> httpx.Response:
        packed = base64.b64encode(str(ctx.settings["token"]).encode()).decode()
        return ctx.request("POST", f"{API}/send", json={**payload, "sig": packed})

    result = send(make_destination(packs_the_token))

    with pytest.raises(SecretLeakError, match=r"request 1 of the snapshot contains .* 'token' \(base64-encoded\)"):
        result.snapshot_data()
