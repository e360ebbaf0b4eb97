"""Generated code: the one place where source lines become a Python function.

The per-event path runs functions written at load time (a mapping's ``resolve``, a payload
validator's levels, a subscription's fused ``build``). Compiled the plain way, a traceback
through them reads ``File "<payload builder>", line 7`` and shows nothing. As attrs does
(``_make.py``), each function here gets a file name of its own, and its source is registered
in :mod:`linecache`, so tracebacks, debuggers and ``inspect.getsource`` show the generated line.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable, Sequence
from typing import Any, Final

__all__ = ["GENERATED_PREFIX", "Namespace", "compile_function"]

GENERATED_PREFIX: Final = "<actions_core generated "
"""How every generated function's file name starts."""

_serial = itertools.count(1)


def compile_function(
    name: str, lines: Sequence[str], namespace: dict[str, Any], *, kind: str
) -> Callable[..., Any]:
    """Compile ``lines`` (which define the function ``name``) in ``namespace`` and return it.

    ``kind`` says what the function is (``payload builder for mapping 'X'``); the file name,
    ``<actions_core generated KIND #N>``, is unique per call, so two generated functions
    never share a linecache entry.
    """
    source = "\n".join(lines) + "\n"
    filename = f"{GENERATED_PREFIX}{kind} #{next(_serial)}>"
    code = compile(source, filename, "exec")
    # mtime None: linecache.checkcache() keeps entries that have no file on disk.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(code, namespace)
    function: Callable[..., Any] = namespace[name]
    return function


class Namespace:
    """The globals of one generated function: load-time values bound under fresh names, so
    generators pass objects in by reference and never by naming convention."""

    __slots__ = ("_names", "globals")

    def __init__(self, **fixed: Any) -> None:
        self.globals: dict[str, Any] = dict(fixed)
        self._names: dict[int, str] = {id(value): name for name, value in fixed.items()}

    def bind(self, value: Any, hint: str = "c") -> str:
        """A name bound to ``value`` (one name per object, reused when bound again)."""
        name = self._names.get(id(value))
        if name is None or self.globals.get(name) is not value:
            name = f"{hint}{len(self.globals)}"
            while name in self.globals:
                name += "_"
            self.globals[name] = value
            self._names[id(value)] = name
        return name

    def compile(self, name: str, lines: Sequence[str], *, kind: str) -> Callable[..., Any]:
        """:func:`compile_function` in this namespace."""
        return compile_function(name, lines, self.globals, kind=kind)
