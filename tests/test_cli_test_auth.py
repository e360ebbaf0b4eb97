"""``actions-core test-auth`` against the LaunchDarkly emulator on 127.0.0.1: what a pass
prints (the destination's note on what it does not prove) and how each failed check reads."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import actions_launchdarkly_audiences as launchdarkly
import pytest
from click.testing import CliRunner, Result

from actions_core.cli.main import CliState, cli
from actions_core.registry import DestinationRegistry
from tests.ld_server import LaunchDarklyServer

TOKEN = "api-0f1e2d3c-test-auth-token"
CLIENT_ID = "env-test-auth"
NOTE = (
    "Note: A passing test does not prove that the token holds the createSegment and "
    "updateIncluded role actions that syncing needs.\n"
)


@pytest.fixture
def ld() -> Iterator[LaunchDarklyServer]:
    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID) as server:
        yield server


def run_test_auth(
    tmp_path: Path, server: LaunchDarklyServer, *, token: str = TOKEN, client_id: str = CLIENT_ID
) -> Result:
    """``actions-core test-auth`` with a config pointing both LaunchDarkly hosts at ``server``."""
    config = tmp_path / "config.yaml"
    config.write_text(
        textwrap.dedent(f"""\
            destination: actions-launchdarkly-audiences
            settings:
              apiKey: {token}
              clientId: {client_id}
              apiBaseUrl: {server.url}
              clientSdkBaseUrl: {server.url}
            mappings: []
        """),
        encoding="utf-8",
    )
    registry = DestinationRegistry.from_plugins({"actions-core": launchdarkly})
    return CliRunner().invoke(cli, ["test-auth", str(config)], obj=CliState(registry=registry))


def test_a_pass_prints_the_note_on_what_it_does_not_prove(tmp_path: Path, ld: LaunchDarklyServer) -> None:
    result = run_test_auth(tmp_path, ld)

    assert result.exit_code == 0
    assert result.stdout == "Authentication succeeded for actions-launchdarkly-audiences.\n" + NOTE
    assert [(r.method, r.path) for r in ld.requests] == [
        ("HEAD", f"/sdk/goals/{CLIENT_ID}"),
        ("GET", "/api/v2/versions"),
    ]


def test_a_refused_token_exits_1_naming_the_token_check_without_the_token(
    tmp_path: Path, ld: LaunchDarklyServer
) -> None:
    wrong = "api-wrong-token-9876543210"

    result = run_test_auth(tmp_path, ld, token=wrong)

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(
        "Authentication failed: Invalid credentials: LaunchDarkly rejected the service token "
        "(401 Unauthorized from the token check)."
    )
    assert wrong not in result.output
    assert NOTE not in result.output


def test_an_unknown_client_side_id_exits_1_naming_the_client_side_id_check(
    tmp_path: Path, ld: LaunchDarklyServer
) -> None:
    result = run_test_auth(tmp_path, ld, client_id="env-nobody-knows")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(
        "Authentication failed: Invalid credentials: LaunchDarkly does not know the client-side "
        "ID 'env-nobody-knows' (404 Not Found from the client-side ID check)."
    )
    assert TOKEN not in result.output
    assert [r.path for r in ld.requests] == ["/sdk/goals/env-nobody-knows"]  # token never sent
