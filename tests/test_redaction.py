"""Tests of the Redactor: secrets never survive into anything shown."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from actions_core.redaction import NO_SECRETS, Redactor

SECRET = "api-0123456789abcdef"


def test_every_occurrence_of_every_secret_is_masked() -> None:
    redactor = Redactor([SECRET, "other-secret"])
    text = f"{SECRET} and {SECRET}, then other-secret"
    assert redactor.redact(text) == "*** and ***, then ***"


def test_empty_secrets_are_ignored() -> None:
    assert Redactor(["", SECRET]).redact("nothing here") == "nothing here"
    assert not Redactor([""])


def test_no_secrets_returns_the_same_objects() -> None:
    text = "plain"
    obj = {"a": [1, "b"]}
    assert NO_SECRETS.redact(text) is text
    assert NO_SECRETS.redact_obj(obj) is obj


def test_a_longer_secret_containing_a_shorter_one_is_masked_whole() -> None:
    redactor = Redactor(["abc", "abcdef-long"])
    assert redactor.redact("x abcdef-long y abc") == "x *** y ***"


def test_percent_encoded_and_json_escaped_spellings_are_masked() -> None:
    secret = 'tok/en+"quoted"'
    redactor = Redactor([secret])
    assert redactor.redact(f"https://x.test/?key={quote(secret, safe='')}") == (
        "https://x.test/?key=***"
    )
    assert redactor.redact('{"token":"tok/en+\\"quoted\\""}') == '{"token":"***"}'


def test_header_names_lower_cased_and_secret_values_masked_whole() -> None:
    redactor = Redactor([SECRET])
    headers = {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"}
    assert redactor.redact_headers(headers) == {
        "authorization": "***",
        "content-type": "application/json",
    }


def test_redact_headers_accepts_pairs() -> None:
    assert Redactor([SECRET]).redact_headers([("X-Key", SECRET)]) == {"x-key": "***"}


def test_redact_obj_walks_nested_json_including_keys() -> None:
    redactor = Redactor([SECRET])
    obj: dict[str, Any] = {"a": [{"t": f"x{SECRET}"}, 1, None, True], SECRET: {"n": 2.5}}
    assert redactor.redact_obj(obj) == {"a": [{"t": "x***"}, 1, None, True], "***": {"n": 2.5}}
    assert obj["a"][0] == {"t": f"x{SECRET}"}  # the input is not modified


def test_contains_finds_a_secret() -> None:
    redactor = Redactor([SECRET])
    assert redactor.contains(f"..{SECRET}..")
    assert not redactor.contains("clean")
    assert not NO_SECRETS.contains(SECRET)


def test_contains_bytes_finds_every_spelling_in_utf8_text() -> None:
    redactor = Redactor(['tök"en/1'])
    assert redactor.contains_bytes('{"k":"tök\\"en/1"}'.encode())  # JSON-escaped, non-ASCII
    assert redactor.contains_bytes(b"?key=t%C3%B6k%22en%2F1")  # percent-encoded
    assert not redactor.contains_bytes('{"k":"tök"}'.encode())
    assert not NO_SECRETS.contains_bytes(b"anything")


def test_repr_does_not_show_the_secrets() -> None:
    assert SECRET not in repr(Redactor([SECRET]))


def test_extended_adds_secrets_without_losing_the_old_ones() -> None:
    redactor = Redactor([SECRET]).extended(["new-one"])
    assert redactor.redact(f"{SECRET} new-one") == "*** ***"


def test_credential_headers_become_secrets_with_and_without_the_scheme() -> None:
    redactor = NO_SECRETS.with_credentials({"Authorization": "Bearer tok123", "X-Mode": "a"})
    assert redactor.redact("Bearer tok123; tok123; a") == "***; ***; a"
