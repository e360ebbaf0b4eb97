"""``actions-core describe``'s pages (:mod:`actions_core.cli.describe`): the LaunchDarkly page as a
reviewed snapshot (``__snapshots__/test_describe/*.md``; update with ``pytest
--snapshot-update`` and read the diff), and the presentation rules on small definitions."""

from __future__ import annotations

import pytest
from actions_launchdarkly_audiences import destination as launchdarkly
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from actions_core.cli.describe import describe_json, describe_markdown
from actions_core.definitions import Action, Choice, Destination, Field


class MarkdownSnapshot(SingleFileSnapshotExtension):
    """One readable ``.md`` file per snapshot."""

    _write_mode = WriteMode.TEXT
    file_extension = "md"


@pytest.fixture
def markdown_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(MarkdownSnapshot)


def make(*fields: Field) -> Destination:
    """A destination with no settings and no authentication test, and one action holding
    ``fields``."""
    action = Action("post", "Post", fields, lambda ctx, payload: None)
    return Destination("Acme", "actions-acme", (), (action,))


def row_of(page: str, key: str) -> str:
    """The table row of field ``key``."""
    [row] = [line for line in page.splitlines() if f"| `{key}` |" in line]
    return row


def test_the_launchdarkly_page(markdown_snapshot: SnapshotAssertion) -> None:
    assert markdown_snapshot == describe_markdown(launchdarkly)


def test_the_launchdarkly_page_shows_the_authentication_note() -> None:
    page = describe_markdown(launchdarkly)

    assert (
        "Note: A passing test does not prove that the token holds the createSegment and "
        "updateIncluded role actions that syncing needs." in page
    )


def test_json_carries_the_authentication_note() -> None:
    definition = describe_json(launchdarkly)

    assert definition["authentication_test"] is True
    assert definition["authentication_note"] == launchdarkly.authentication_note


def test_a_choice_shows_its_label_when_it_says_more_than_the_value() -> None:
    choices = (Choice("user_id_only", "Use Segment UserId only"), Choice("email", "email"))
    page = describe_markdown(make(Field("key", "Key", "string", choices=choices)))

    assert '`"user_id_only"` (Use Segment UserId only), `"email"` |' in row_of(page, "key")


def test_a_hidden_field_is_marked_hidden() -> None:
    page = describe_markdown(make(Field("aid", "Audience ID", "string", hidden=True)))

    assert row_of(page, "aid").startswith("| Audience ID (hidden) |")


def test_a_default_holding_backticks_stays_one_code_span() -> None:
    page = describe_markdown(make(Field("t", "Template", "string", default="`a` and ``b``")))

    assert '| ```"`a` and ``b``"``` |' in row_of(page, "t")


def test_a_pipe_in_a_cell_is_escaped() -> None:
    page = describe_markdown(make(Field("e", "Email", "string", default={"@path": "a || b"})))

    assert '`{"@path": "a \\|\\| b"}`' in row_of(page, "e")


def test_a_destination_without_an_authentication_test_says_so() -> None:
    page = describe_markdown(make())

    assert "## Authentication\n\nThis destination has no authentication test.\n" in page
