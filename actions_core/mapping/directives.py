"""The mapping directives (``@path``, ``@if``, ``@template``, ...), one compile function each.

Each function checks its argument at load time (reporting problems through the
:class:`~actions_core.mapping.compiler.Compiler`, in the reference's words), compiles the
values inside it, and returns a closure, or a constant when every input is constant.
Behaviour follows Segment's mapping-kit unless docs/framework.md#directives says otherwise; where it departs,
the function's docstring says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Final

from actions_core.errors import ExpressionError
from actions_core.js import js_string
from actions_core.mapping.compiler import (
    ABSENT,
    MISSING,
    REPORTED,
    Compiler,
    Const,
    Handler,
    Node,
    describe,
    fold,
    jmespath_text,
    kind_of,
    path_resolver,
    to_resolver,
)
from actions_core.mapping.liquid import LiquidTemplateError, compile_liquid
from actions_core.mapping.templates import compile_template

__all__ = ["DIRECTIVES"]

# The reference caps @replace patterns and replacements (it builds a regex from them).
MAX_PATTERN_LENGTH: Final = 10
MAX_REPLACEMENT_LENGTH: Final = 10


@lru_cache(maxsize=256)
def _dynamic_path(path: str) -> Callable[[Any], Any] | None:
    """A ``@path`` whose text is computed per event: compiled once per distinct text."""
    try:
        return path_resolver(jmespath_text(path))
    except ExpressionError:
        return None


_dynamic_template = lru_cache(maxsize=256)(compile_template)

_JSON_KINDS: Final = frozenset(
    {"string", "number", "boolean", "null", "array", "object", "directive"}
)


def path(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@path": "<JMESPath>"}``. The text may itself be a directive (resolved per event;
    a non-string or invalid result is absent)."""
    node = c.string_or_directive(arg, loc)
    if isinstance(node, Const):
        text = node.value
        return c.expression(text, loc) if isinstance(text, str) else ABSENT
    text_of = to_resolver(node)

    def dynamic_path(event: Any) -> Any:
        text = text_of(event)
        resolver = _dynamic_path(text) if isinstance(text, str) else None
        return MISSING if resolver is None else resolver(event)

    return dynamic_path


def if_(c: Compiler, arg: Any, loc: str) -> Node:
    """``then`` when ``exists`` resolves non-null (``blank``: also not ``""``), else ``else``.

    Departs from the reference, which returns nothing for a falsy ``else`` (``false``, ``0``,
    ``""``, ``null``) and treats ``0``, ``false`` and ``[]`` as blank (JavaScript ``!=``)."""
    opts = c.options(arg, loc)
    if opts is None:
        return ABSENT
    if "exists" not in opts and "blank" not in opts:
        return c.fail(loc, 'should have field "exists" or "blank" but it doesn\'t')
    test_key = "exists" if "exists" in opts else "blank"
    test = c.value(opts[test_key], f"{loc}/{test_key}")
    then = c.value(opts["then"], f"{loc}/then") if "then" in opts else ABSENT
    else_ = c.value(opts["else"], f"{loc}/else") if "else" in opts else ABSENT
    blank = test_key == "blank"
    if isinstance(test, Const):
        value = test.value
        holds = value is not MISSING and value is not None and not (blank and value == "")
        return then if holds else else_
    test_r, then_r, else_r = to_resolver(test), to_resolver(then), to_resolver(else_)

    def if_exists(event: Any) -> Any:
        value = test_r(event)
        return then_r(event) if value is not MISSING and value is not None else else_r(event)

    def if_blank(event: Any) -> Any:
        value = test_r(event)
        held = value is not MISSING and value is not None and value != ""
        return then_r(event) if held else else_r(event)

    return if_blank if blank else if_exists


def template(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@template": "Hi {{traits.name}}"}``: dotted paths, missing values render ``""``.
    The text may itself be a directive (parsed once per distinct text)."""
    node = c.string_or_directive(arg, loc)
    if isinstance(node, Const):
        text = node.value
        if not isinstance(text, str):
            return ABSENT
        return Const(text) if "{{" not in text else compile_template(text)
    text_of = to_resolver(node)

    def dynamic_template(event: Any) -> Any:
        text = text_of(event)
        return _dynamic_template(text)(event) if isinstance(text, str) else MISSING

    return dynamic_template


def literal(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@literal": <v>}``: the value as given (docs/framework.md#literal). The reference resolves
    directives inside it; here nothing inside is interpreted."""
    if kind_of(arg) not in _JSON_KINDS:
        return c.fail(
            loc, f"should be a mapping directive or a JSON value but it is {describe(arg)}"
        )
    return Const(arg)


def case(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@case": {"operator": "lower"|"upper", "value": <v>}}``; non-strings pass through."""
    opts = c.options(arg, loc, "operator")
    if opts is None:
        return ABSENT
    operator = c.choice(opts["operator"], f"{loc}/operator", "lower", "upper")
    value = c.string_or_directive(opts["value"], f"{loc}/value") if "value" in opts else ABSENT
    convert = str.lower if operator == "lower" else str.upper
    get = to_resolver(value)

    def change_case(event: Any) -> Any:
        v = get(event)
        return convert(v) if isinstance(v, str) else v

    return fold(change_case, value)


def replace(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@replace": {"pattern", "replacement", "pattern2", "replacement2", "value",
    "ignorecase", "global"}}``: literal (not regex) replacement, global by default.

    As in the reference: a number or boolean value is replaced in its text form, and any
    other value (absent included) gives ``""``. Unlike it, ``$&`` in a replacement is kept
    as written (the spec says literal)."""
    opts = c.options(arg, loc, "pattern", "value")
    if opts is None:
        return ABSENT
    rules: list[tuple[str | None, str | None]] = [
        (
            c.string(opts["pattern"], f"{loc}/pattern", 1, MAX_PATTERN_LENGTH),
            c.string(
                _or_empty(opts.get("replacement")), f"{loc}/replacement", 0, MAX_REPLACEMENT_LENGTH
            ),
        )
    ]
    if opts.get("pattern2"):
        rules.append(
            (
                c.string(opts["pattern2"], f"{loc}/pattern2", 1, MAX_PATTERN_LENGTH),
                c.string(
                    _or_empty(opts.get("replacement2")),
                    f"{loc}/replacement2",
                    0,
                    MAX_REPLACEMENT_LENGTH,
                ),
            )
        )
    ignorecase = c.boolean(opts, "ignorecase", loc, False)
    count = 0 if c.boolean(opts, "global", loc, True) else 1
    value = c.string_or_directive(opts["value"], f"{loc}/value")
    steps = [
        _replacer(p, r, ignorecase, count) for p, r in rules if p is not None and r is not None
    ]
    get = to_resolver(value)

    def do_replace(event: Any) -> Any:
        v = get(event)
        if isinstance(v, bool | int | float):
            v = js_string(v)
        elif not isinstance(v, str):
            return ""
        for step in steps:
            v = step(v)
        return v

    return fold(do_replace, value)


def _or_empty(value: Any) -> Any:
    return "" if value is None else value


def _replacer(pattern: str, replacement: str, ignorecase: bool, count: int) -> Callable[[str], str]:
    if not ignorecase:
        limit = -1 if count == 0 else count
        return lambda text: text.replace(pattern, replacement, limit)
    regex = re.compile(re.escape(pattern), re.IGNORECASE)
    return lambda text: regex.sub(lambda _m: replacement, text, count=count)


def array_path(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@arrayPath": ["<path>", {<item shape>}]}``: the shape resolved against each item
    (an object becomes a one-item list). Without a shape, the value as it is. The path is
    JMESPath like ``@path``'s; a directive in its place gives the value directly."""
    if not isinstance(arg, list):
        return c.fail(loc, f"should be an array but it is {describe(arg)}")
    if len(arg) not in (1, 2):
        return c.fail(loc, f"should be a [path, item shape] pair but it has {len(arg)} items")
    root = (
        c.expression(arg[0], f"{loc}/0")
        if isinstance(arg[0], str)
        else c.string_or_directive(arg[0], f"{loc}/0")
    )
    shape = c.value(arg[1], f"{loc}/1") if len(arg) == 2 else ABSENT
    if not (len(arg) == 2 and isinstance(arg[1], Mapping) and arg[1]):
        return root  # the reference ignores a missing, empty or non-object shape
    get_root, map_item = to_resolver(root), to_resolver(shape)

    def each_item(event: Any) -> Any:
        value = get_root(event)
        if isinstance(value, dict):
            value = [value]
        elif not isinstance(value, list):
            return value
        return [None if (v := map_item(item)) is MISSING else v for item in value]

    return fold(each_item, root)


def json_(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@json": {"mode": "encode"|"decode", "value": <v>}}``. Encoding is compact, as
    ``JSON.stringify``; decoding text that is not JSON gives the text back (as the
    reference does), and a non-string is passed through."""
    opts = c.options(arg, loc, "value", "mode")
    if opts is None:
        return ABSENT
    mode = c.choice(opts["mode"], f"{loc}/mode", "encode", "decode")
    value = c.value(opts["value"], f"{loc}/value")
    get = to_resolver(value)

    def encode(event: Any) -> Any:
        v = get(event)
        if v is MISSING:
            return MISSING
        try:
            return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            return MISSING

    def decode(event: Any) -> Any:
        v = get(event)
        if not isinstance(v, str):
            return v
        try:
            return json.loads(v, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            return v

    return fold(encode if mode == "encode" else decode, value)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN / Infinity: JSON.parse refuses them too


def merge(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@merge": {"objects": [...], "direction": "left"|"right"}}``: a shallow merge where
    later objects win (``right``) or earlier ones do (``left``). Values that are not objects
    are skipped; a member that resolves absent does not erase an earlier value."""
    opts = c.options(arg, loc, "objects", "direction")
    if opts is None:
        return ABSENT
    direction = c.choice(opts["direction"], f"{loc}/direction", "left", "right")
    objects = opts["objects"]
    if objects is REPORTED:
        return ABSENT
    if not isinstance(objects, list):
        return c.fail(f"{loc}/objects", f"should be an array but it is {describe(objects)}")
    nodes = [c.object_or_directive(obj, f"{loc}/objects/{i}") for i, obj in enumerate(objects)]
    resolvers = [to_resolver(node) for node in nodes]
    if direction == "left":
        resolvers.reverse()

    def do_merge(event: Any) -> Any:
        out: dict[str, Any] = {}
        for resolve in resolvers:
            value = resolve(event)
            if isinstance(value, dict):
                out.update(value)
        return out

    return fold(do_merge, *nodes)


def flatten(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@flatten": {"separator": ".", "value": <v>, "omitArrays": false}}``: nested
    objects (and arrays, by index, unless ``omitArrays``) become one level of joined keys.
    As in the reference, a scalar ``v`` becomes ``{"": v}``."""
    opts = c.options(arg, loc, "value", "separator")
    if opts is None:
        return ABSENT
    separator = c.string(opts["separator"], f"{loc}/separator", 1) or "."
    omit_arrays = c.boolean(opts, "omitArrays", loc, False)
    value = c.value(opts["value"], f"{loc}/value")
    get = to_resolver(value)

    def do_flatten(event: Any) -> Any:
        v = get(event)
        if v is MISSING:
            return MISSING
        out: dict[str, Any] = {}
        try:
            _flatten_into(out, v, "", separator, omit_arrays)
        except RecursionError:
            return MISSING
        return out

    return fold(do_flatten, value)


def _flatten_into(
    out: dict[str, Any], value: Any, prefix: str, separator: str, omit_arrays: bool
) -> None:
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list) and not omit_arrays:
        items = enumerate(value)
    else:
        out[prefix] = value
        return
    for key, member in items:
        _flatten_into(
            out, member, f"{prefix}{separator}{key}" if prefix else str(key), separator, omit_arrays
        )


def transform(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@transform": {"apply": {...}, "mapping": {...}}}``: ``mapping`` resolved against
    the object that ``apply`` builds from the event."""
    opts = c.options(arg, loc, "apply", "mapping")
    if opts is None:
        return ABSENT
    apply = to_resolver(c.object_or_directive(opts["apply"], f"{loc}/apply"))
    mapping = to_resolver(c.object_or_directive(opts["mapping"], f"{loc}/mapping"))

    def do_transform(event: Any) -> Any:
        built = apply(event)
        return mapping({} if built is MISSING else built)

    return do_transform


def exclude_when_null(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@excludeWhenNull": <v>}``: absent when ``v`` is null; an object loses its null
    members, recursively through nested objects (not arrays), as in the reference."""
    value = c.value(arg, loc)
    get = to_resolver(value)

    def exclude(event: Any) -> Any:
        v = get(event)
        if v is None:
            return MISSING
        if isinstance(v, dict):
            try:
                return _without_nulls(v)
            except RecursionError:
                return MISSING
        return v

    return fold(exclude, value)


def _without_nulls(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (_without_nulls(v) if isinstance(v, dict) else v)
        for k, v in obj.items()
        if v is not None
    }


def liquid(c: Compiler, arg: Any, loc: str) -> Node:
    """``{"@liquid": "<template>"}``: a Liquid template rendered against the event, sandboxed
    like the reference's (:mod:`actions_core.mapping.liquid`). The template is parsed and
    checked here, once; text without Liquid markup is a constant."""
    text = c.string(arg, loc)
    if text is None:
        return ABSENT
    try:
        render = compile_liquid(text)
    except LiquidTemplateError as exc:
        return c.fail(loc, str(exc))
    if "{{" not in text and "{%" not in text:
        return Const(render(None))
    return render


DIRECTIVES: Final[dict[str, Handler]] = {
    "@arrayPath": array_path,
    "@case": case,
    "@excludeWhenNull": exclude_when_null,
    "@flatten": flatten,
    "@if": if_,
    "@json": json_,
    "@liquid": liquid,
    "@literal": literal,
    "@merge": merge,
    "@path": path,
    "@replace": replace,
    "@template": template,
    "@transform": transform,
}
"""Directive name -> compile function."""
