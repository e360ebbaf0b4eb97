"""Generated code: every generated function has its own file name and shows its source in
tracebacks (actions_core.codegen)."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

from actions_core.codegen import Namespace, compile_function
from actions_core.definitions import Action, Destination, Field
from actions_core.instance import SubscriptionSpec, compile_instance


def _frames(exc: BaseException) -> list[traceback.FrameSummary]:
    return list(traceback.extract_tb(exc.__traceback__))


def test_a_traceback_through_a_generated_function_shows_the_generated_line() -> None:
    divide = compile_function(
        "divide", ["def divide(a, b):", "    q = a // b", "    return q"], {}, kind="divider"
    )
    with pytest.raises(ZeroDivisionError) as info:
        divide(1, 0)
    frame = _frames(info.value)[-1]
    assert frame.filename.startswith("<actions_core generated divider #")
    assert (frame.lineno, frame.name, frame.line) == (2, "divide", "q = a // b")
    assert "    q = a // b" in "".join(traceback.format_exception(info.value))


def test_each_generated_function_gets_a_file_name_of_its_own() -> None:
    lines = ["def f():", "    return 1"]
    first = compile_function("f", lines, {}, kind="same kind")
    second = compile_function("f", lines, {}, kind="same kind")
    assert first.__code__.co_filename != second.__code__.co_filename


def test_a_namespace_binds_each_object_once_under_a_fresh_name() -> None:
    ns = Namespace(fixed=0)
    marker, other = object(), object()
    name = ns.bind(marker, "m")
    assert ns.bind(marker, "m") == name
    assert ns.bind(other, "m") not in (name, "fixed")
    assert ns.globals[name] is marker


class _Exploding(dict[str, Any]):
    def get(self, key: str, default: Any = None) -> Any:
        raise RuntimeError(f"cannot read {key}")


def test_a_payload_builder_traceback_names_the_mapping_and_shows_the_line_that_failed() -> None:
    action = Action(
        "send",
        "Send",
        (Field("user_id", "User ID", "string", default={"@path": "userId"}),),
        lambda ctx, payload: None,
    )
    destination = Destination("Toy", "actions-toy", (), (action,))
    instance = compile_instance(
        destination, {}, [SubscriptionSpec("Sync users", "send", trigger=None)]
    )
    with pytest.raises(RuntimeError, match="cannot read userId") as info:
        instance.subscriptions[0].build(_Exploding())
    generated = [f for f in _frames(info.value) if f.filename.startswith("<actions_core generated")]
    assert generated[0].filename.startswith(
        "<actions_core generated payload builder for mapping 'Sync users' #"
    )
    assert generated[0].name == "build"
    assert generated[0].line is not None and "get('userId')" in generated[0].line
