"""The typed interface between mapping and validation: a compiled mapping's per-field plans."""

from __future__ import annotations

from actions_core.mapping.compiler import MISSING
from actions_core.mapping.mapping import compile_mapping
from actions_core.mapping.plan import Computed, Const, Path


def test_a_plain_path_is_planned_as_its_field_chain() -> None:
    plan = compile_mapping({"email": {"@path": "traits.email"}}).plan("email")
    assert isinstance(plan, Path)
    assert plan.chains == (("traits", "email"),)


def test_alternatives_over_plain_paths_are_planned_as_one_chain_each() -> None:
    plan = compile_mapping({"email": {"@path": "traits.email || context.traits.email"}}).plan("email")
    assert isinstance(plan, Path)
    assert plan.chains == (("traits", "email"), ("context", "traits", "email"))


def test_a_literal_and_a_constant_directive_are_planned_as_constants() -> None:
    mapping = compile_mapping({"kind": "user", "upper": {"@case": {"operator": "upper", "value": "a"}}})
    assert [(key, plan) for key, plan in mapping.plans] == [("kind", Const("user")), ("upper", Const("A"))]


def test_a_value_that_is_always_absent_is_planned_as_the_missing_constant() -> None:
    plan = compile_mapping({"gone": {"@if": {"exists": None, "then": "x"}}}).plan("gone")
    assert plan == Const(MISSING)


def test_other_directives_are_planned_as_a_closure_over_the_event() -> None:
    plan = compile_mapping({"greeting": {"@template": "Hi {{name}}"}}).plan("greeting")
    assert isinstance(plan, Computed)
    assert plan.resolver({"name": "Ada"}) == "Hi Ada"


def test_a_field_the_mapping_leaves_out_has_no_plan() -> None:
    assert compile_mapping({"a": 1}).plan("b") is None


def test_a_path_plan_resolves_like_the_generated_code_reads_it() -> None:
    plan = compile_mapping({"email": {"@path": "a.b || c"}}).plan("email")
    assert isinstance(plan, Path)
    assert plan.resolver({"a": {"b": ""}, "c": "x"}) == "x"
    assert plan.resolver({"a": "not an object"}) is MISSING
