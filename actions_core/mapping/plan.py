"""What a compiled mapping hands the payload generator: per field, how its value is computed.

A :data:`ValuePlan` is one of three small typed objects: :class:`Const` (known at load time;
``Const(MISSING)`` is a field that is always absent), :class:`Path` (plain field chains
joined by ``||``, read inline), or :class:`Computed` (a closure over the event). The payload
generator (:mod:`actions_core.validation.validator`) turns a mapping's plans into code with a
:class:`ValueWriter`, whether it generates ``resolve`` (mapping only) or the engine's fused
``build`` (mapping and validation).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from actions_core.codegen import Namespace
from actions_core.mapping.compiler import Const, Node, Path, Resolver
from actions_core.missing import MISSING

__all__ = ["Computed", "Const", "Path", "ValuePlan", "ValueWriter", "plan_of"]


@dataclass(frozen=True, slots=True)
class Computed:
    """A value computed per event by ``resolver(event)``, which returns it or :data:`MISSING`."""

    resolver: Resolver


ValuePlan = Const | Path | Computed
"""How one field's value is computed from the event."""


def plan_of(node: Node) -> ValuePlan:
    """The plan of a compiled mapping value."""
    return node if isinstance(node, Const | Path) else Computed(node)


class ValueWriter:
    """Writes the code that computes mapped values into one generated function.

    ``lines(plan, absent)`` gives statements (indented four) that set the local ``v`` to the
    field's value for the local ``event``, or to the expression ``absent`` when it has none.
    They may set locals starting with ``_`` and bind load-time values in the namespace.

    Fields that share a path prefix (``context.personas.computation_id`` and ``..._key``) read
    the prefix once per event: each prefix that unconditional code reads gets a local the
    later lookups start from. A step writes ``x.get(k) or E`` (``E`` an empty mapping), so an
    absent or empty object on the way is an ordinary value rather than a raised
    ``AttributeError``; only a non-object that is not empty (a string, say) raises, which
    gives null as before. Null, false, ``0`` and empty values have no keys, so reading them
    through ``E`` gives what JMESPath gives: null.
    """

    def __init__(self, namespace: Namespace) -> None:
        self._ns = namespace
        self._missing = namespace.bind(MISSING, "MISSING")
        self._empty = namespace.bind(MappingProxyType({}), "E")
        self._shared: dict[tuple[str, ...], str] = {(): "event"}

    def lines(self, plan: ValuePlan, absent: str) -> list[str]:
        """Statements setting ``v`` to ``plan``'s value, or to ``absent`` (see the class)."""
        if isinstance(plan, Const):
            if plan.value is MISSING:
                return [f"    v = {absent}"]
            return [f"    v = {self._ns.bind(plan.value, 'c')}"]
        if isinstance(plan, Computed):
            lines = [f"    v = {self._ns.bind(plan.resolver, 'r')}(event)"]
            if absent != self._missing:
                lines += [f"    if v is {self._missing}:", f"        v = {absent}"]
            return lines
        lines = []
        for position, chain in enumerate(plan.chains):
            if position:  # JMESPath ``||``: the next alternative when this one is false
                lines.append(
                    "    if v is None or v is False or (isinstance(v, (str, list, dict)) and not v):"
                )
                lines += self._lookup(chain, "        ", shared=False)
            else:
                lines += self._lookup(chain, "    ", shared=True)
        return [*lines, "    if v is None:", f"        v = {absent}"]

    def _lookup(self, chain: tuple[str, ...], indent: str, *, shared: bool) -> list[str]:
        """Lines setting ``v`` to the value at ``chain`` (``None`` when absent). ``shared``:
        the lines run whenever the function does, so the prefixes they read can be reused."""
        if not chain:
            return [f"{indent}v = event"]
        start = max(i for i in range(len(chain)) if chain[:i] in self._shared)
        base = self._shared[chain[:start]]
        lines: list[str] = []
        for end in range(start + 1, len(chain)):
            name = f"_p{len(self._shared)}" if shared else f"_q{end}"
            lines += self._guarded(indent, f"{name} = {base}.get({chain[end - 1]!r}) or {self._empty}", name)
            if shared:
                self._shared[chain[:end]] = name
            base = name
        return lines + self._guarded(indent, f"v = {base}.get({chain[-1]!r})", "v")

    def _guarded(self, indent: str, statement: str, target: str) -> list[str]:
        """``statement``, with ``target`` set to its no-value when a non-object is read."""
        fallback = "None" if target == "v" else self._empty
        return [
            f"{indent}try:",
            f"{indent}    {statement}",
            f"{indent}except AttributeError:",
            f"{indent}    {target} = {fallback}",
        ]
