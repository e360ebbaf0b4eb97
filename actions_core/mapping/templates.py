"""``@template`` strings (``"Hi {{traits.name}}"``), parsed once, and JavaScript-style text.

The reference renders placeholders with its dotted-path ``get`` (``a.b[0].c``, ``a["x y"]``)
and turns the value into text the way JavaScript's ``String()`` does. Users see that text in
the requests a destination sends, so :func:`actions_core.js.js_string` copies it: ``null`` and a missing value
render as ``""``, numbers as JavaScript prints them (``1.0`` -> ``"1"``, ``1e-7`` ->
``"1e-7"``), booleans as ``true``/``false``, arrays joined with ``,`` and objects as
``[object Object]``.

Differences from the reference, on purpose: a leading ``$.`` in a placeholder means the root
(as in ``@path``), a value is never re-scanned for placeholders, and a path that runs into a
falsy value (``{{count.x}}`` with ``count: 0``) renders ``""`` instead of that value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from actions_core.js import js_string
from actions_core.paths import Step, split_dotted_path, steps, walk

__all__ = ["compile_template"]

Render = Callable[[Any], str]

# The reference's placeholder syntax: {{{path}}} and {{path}}, with no "}" inside.
_PLACEHOLDER = re.compile(r"\{\{\{([^}]+)\}\}\}|\{\{([^}]+)\}\}")
def compile_template(template: str) -> Render:
    """Parse ``template`` into literal text and pre-split paths; returns the renderer."""
    parts: list[str | tuple[Step, ...]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            parts.append(template[position : match.start()])
        parts.append(steps(split_dotted_path((match.group(1) or match.group(2)).strip())))
        position = match.end()
    if position < len(template):
        parts.append(template[position:])
    if not parts:
        return lambda _event: ""
    if len(parts) == 1 and isinstance(parts[0], str):
        text = parts[0]
        return lambda _event: text
    frozen = tuple(parts)

    def render(event: Any) -> str:
        return "".join(
            [part if isinstance(part, str) else js_string(walk(event, part)) for part in frozen]
        )

    return render
