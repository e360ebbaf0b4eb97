"""Walking a path through an event, written once (actions_core.paths)."""

from __future__ import annotations

from actions_core.missing import MISSING
from actions_core.paths import key_getter, split_dotted_path, steps, walk


def test_a_jmespath_chain_gives_the_absent_value_for_null_missing_or_non_objects() -> None:
    get = key_getter(("a", "b"), MISSING)
    assert get({"a": {"b": 1}}) == 1
    assert get({"a": {"b": None}}) is MISSING
    assert get({"a": "text"}) is MISSING
    assert get({"a": [{"b": 1}]}) is MISSING  # arrays have no members in JMESPath


def test_a_long_jmespath_chain_walks_like_a_short_one() -> None:
    assert key_getter(("a", "b", "c", "d"))({"a": {"b": {"c": {"d": 0}}}}) == 0
    assert key_getter(("a", "b", "c", "d"))({"a": {"b": 2}}) is None


def test_a_dotted_path_reads_array_items_by_decimal_index() -> None:
    path = steps(split_dotted_path('items[1]["sku id"]'))
    assert walk({"items": [{}, {"sku id": "x"}]}, path) == "x"
    assert walk({"items": [{}]}, path) is None


def test_a_dotted_path_that_runs_into_a_scalar_leads_nowhere() -> None:
    assert walk({"a": "text"}, steps(("a", "b"))) is None


def test_a_leading_dollar_dot_is_the_root() -> None:
    assert split_dotted_path("$.a.b") == ("a", "b")
    assert split_dotted_path("$") == ()
