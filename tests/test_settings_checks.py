"""Setting values a config must not hold are config errors when it loads (exit 3, nothing
sent), for every destination: the framework checks them, not each plugin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actions_core.errors import SettingsValidationError
from actions_core.instance import compile_instance
from tests.ld_server import LaunchDarklyServer
from tests.processes import cli_env, run_cli, write_config
from tests.toy_destination import TOY


@pytest.mark.slow
def test_a_run_with_a_token_that_ends_in_a_newline_exits_3_before_sending_anything(
    tmp_path: Path,
) -> None:
    token = "api-token-0123456789"
    config = tmp_path / "config.yaml"
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps({"type": "identify", "userId": "u1"}) + "\n", encoding="utf-8")
    with LaunchDarklyServer(token=token) as ld:
        write_config(config, ld.url)
        result = run_cli(
            "run", str(config), "--input", str(events), env=cli_env(token=token + "\n")
        )
        requests = list(ld.requests)
    assert (result.returncode, result.stderr) == (
        3,
        f"{config}:3:11: settings.apiKey: has white space at its start or end; remove it (the "
        "value is sent in an HTTP header exactly as written)\n",
    )
    assert requests == []


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("tok-\u00e9", "holds a character that is not ASCII at position 5"),
        ("tok-\x7f", "holds a control character at position 5"),
        ("tok ", "has white space at its start or end"),
    ],
)
def test_a_password_setting_built_in_code_is_held_to_the_same_rules(token: str, message: str) -> None:
    with pytest.raises(SettingsValidationError) as caught:
        compile_instance(TOY, {"api_key": token, "base_url": "http://toy.test"}, [])
    assert caught.value.path == "settings.api_key"
    assert caught.value.message.startswith(message)
    assert token not in str(caught.value)
