"""Dynamic fields: an action's ``dynamic_fields`` hook offers choices at config time, which
``actions-core validate`` checks literal mappings against and ``actions-core describe
--config`` shows. Hooks never run per event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from actions_core import (
    Action,
    Choice,
    DefinitionError,
    Destination,
    DynamicChoices,
    ExecutionContext,
    Field,
    IntegrationError,
    hookimpl,
)
from actions_core.cli.main import CliState, cli
from actions_core.definition_checks import check_destination
from actions_core.registry import DestinationRegistry


def lists(ctx: ExecutionContext) -> DynamicChoices:
    """The vendor's lists for this account (here: named by the settings)."""
    if ctx.settings["account"] == "down":
        raise IntegrationError("the vendor answered 503")
    return DynamicChoices(tuple(Choice(n, n.title()) for n in ("news", "promo")))


ACTION = Action(
    "subscribe", "Subscribe",
    (Field("list", "List", "string", required=True, dynamic=True),
     Field("email", "Email", "string", default={"@path": "$.traits.email"})),
    lambda ctx, payload: None,
    dynamic_fields={"list": lists},
)
DESTINATION = Destination(
    "Lists", "actions-lists", (Field("account", "Account", "string", required=True),), (ACTION,)
)


class Plugin:
    @hookimpl
    def actions_core_register_destinations(self, register: Any) -> None:
        register(DESTINATION)


def invoke(*args: str) -> Result:
    registry = DestinationRegistry.from_plugins({"lists": Plugin()})
    return CliRunner().invoke(cli, list(args), obj=CliState(registry=registry))


@pytest.fixture
def config(tmp_path: Path) -> Any:
    def write(account: str, value: str) -> str:
        path = tmp_path / "config.yaml"
        path.write_text(
            "destination: actions-lists\n"
            f"settings:\n  account: {account}\n"
            "mappings:\n  - name: Sign-ups\n    action: subscribe\n    trigger: type = \"identify\"\n"
            f"    mapping:\n      list: {value}\n",
            encoding="utf-8",
        )
        return str(path)

    return write


def test_validate_accepts_a_value_the_destination_offers(config: Any) -> None:
    result = invoke("validate", config("acme", "news"))
    assert result.exit_code == 0, result.output


def test_validate_refuses_a_value_the_destination_does_not_offer(config: Any) -> None:
    result = invoke("validate", config("acme", "sales"))
    assert result.exit_code == 3
    assert "field 'list': 'sales' is not one of the choices actions-lists offers now ('news', 'promo')" in result.output


def test_validate_warns_when_the_choices_cannot_be_fetched(config: Any) -> None:
    result = invoke("validate", config("down", "sales"))
    assert result.exit_code == 0
    assert "warning: subscribe.list: choices unavailable: the vendor answered 503" in result.output


def test_describe_with_a_config_shows_the_current_choices(config: Any) -> None:
    result = invoke("describe", "actions-lists", "--format", "json", "--config", config("acme", "news"))
    [field, _] = json.loads(result.output)["actions"][0]["fields"]
    assert field["dynamic"] is True
    assert field["dynamic_choices"] == [{"value": "news", "label": "News"}, {"value": "promo", "label": "Promo"}]


def test_describe_without_a_config_says_the_choices_come_from_the_destination() -> None:
    result = invoke("describe", "actions-lists")
    assert "| List | `list` | string, choices from the destination | Yes |" in result.output


def test_a_dynamic_field_without_a_hook_is_a_definition_error() -> None:
    action = Action("a", "A", (Field("x", "X", "string", dynamic=True),), lambda ctx, p: None)
    with pytest.raises(DefinitionError, match="field 'x' is dynamic but dynamic_fields has no hook"):
        check_destination(Destination("D", "d", (), (action,)))
