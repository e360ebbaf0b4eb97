"""YAML that remembers where every value was written.

Config errors must name the file, line and column of the offending value, so the loader keeps
the source position of every node, addressed by its document path (``("mappings", 1,
"trigger")``, written ``mappings[1].trigger``). It is PyYAML's safe loader with three changes
that suit a config file:

* a key written twice in one mapping is an error naming both places (PyYAML keeps the last);
* keys must be strings (JSON has no other kind, and ``1:`` is almost always a typo);
* YAML 1.2 scalars: only ``true``/``false`` are booleans (not ``yes``/``no``/``on``/``off``)
  and dates stay strings, as in JSON and in editors that use the YAML language server;
* a bounded size: aliases (``*name``) may repeat a value, but the document they expand to may
  hold at most :data:`MAX_VALUES` values. A "billion laughs" file of nested aliases is a few
  hundred bytes that expand to billions of values; every later stage (the schema check,
  ``${VAR}`` expansion, the mapping compiler) walks the expanded tree, so the budget is
  enforced while the file is composed, before any of them runs.

Error messages never quote source lines: a line may hold a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from actions_core.errors import ConfigError, SourceLocation

DocPath = tuple[str | int, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


MAX_VALUES = 100_000
"""The most values (scalars, lists and mappings, counted once per alias use) a config may
expand to: a config with 50 mappings holds a few thousand."""


class MarkedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 booleans, no implicit dates and a size budget."""

    def __init__(self, stream: str, file: str = "<config>") -> None:
        super().__init__(stream)
        self._file = file
        self._sizes: dict[int, int] = {}  # id(node) -> values in its expanded subtree
        self._expanded = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Count every value of the expanded document, an alias as the whole value it
        repeats, and stop at :data:`MAX_VALUES` (naming the alias that went over)."""
        alias = self.peek_event() if self.check_event(AliasEvent) else None  # type: ignore[no-untyped-call]
        node = super().compose_node(parent, index)
        if node is None:
            return node
        if alias is not None:
            size = self._sizes.get(id(node), 1)  # a recursive alias: its node is unfinished
            self._expanded += size
            if self._expanded > MAX_VALUES:
                mark = alias.start_mark
                raise ConfigError(
                    f"the alias *{alias.anchor} takes the document past {MAX_VALUES:,} values "
                    "once aliases are expanded; expected a config that repeats less (nested "
                    "aliases multiply: a few lines can stand for billions of values)",
                    location=SourceLocation(self._file, mark.line + 1, mark.column + 1),
                )
            return node
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(self._sizes.get(id(item), 1) for item in node.value)
        elif isinstance(node, MappingNode):
            sizes = self._sizes
            size += sum(sizes.get(id(k), 1) + sizes.get(id(v), 1) for k, v in node.value)
        self._sizes[id(node)] = size
        self._expanded += 1
        if self._expanded > MAX_VALUES:
            mark = node.start_mark
            raise ConfigError(
                f"the document holds more than {MAX_VALUES:,} values; expected a config",
                location=SourceLocation(self._file, mark.line + 1, mark.column + 1),
            )
        return node


# A copy of the safe loader's resolvers (never mutate SafeLoader's own) minus bools and dates.
MarkedLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
MarkedLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def format_path(path: DocPath) -> str:
    """``("mappings", 1, "trigger")`` -> ``mappings[1].trigger`` (odd keys are quoted)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_@$][\w@$-]*", part):
            out += f".{part}" if out else part
        else:
            out += '["' + part.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return out


_PATH_TOKEN = re.compile(r'\.?([A-Za-z_@$][\w@$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def parse_path(text: str) -> DocPath:
    """The inverse of :func:`format_path`; stops at the first part it cannot read."""
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _PATH_TOKEN.match(text, pos)
        if m is None:
            break
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        else:
            parts.append(re.sub(r"\\(.)", r"\1", m.group(3)))
        pos = m.end()
    return tuple(parts)


@dataclass
class MarkedDocument:
    """A parsed YAML document and the nodes of its values and keys, by document path."""

    data: Any
    file: str
    values: dict[DocPath, Node] = field(default_factory=dict)
    keys: dict[DocPath, Node] = field(default_factory=dict)

    def node(self, path: DocPath) -> Node | None:
        return self.values.get(path)

    def location(self, path: DocPath, *, key: bool = False) -> SourceLocation:
        """Where ``path`` was written; its key with ``key=True``. A path that was not written
        (a missing key) falls back to its nearest written ancestor."""
        if key and path in self.keys:
            return self.at(self.keys[path])
        for end in range(len(path), -1, -1):
            node = self.values.get(path[:end])
            if node is not None:
                return self.at(node)
        return SourceLocation(self.file, 1, 1)

    def at(self, node: Node, offset: int = 0) -> SourceLocation:
        """The location of ``node``, or of character ``offset`` of its text when the scalar is
        written on one line exactly as it reads (so a column inside it is exact)."""
        mark = node.start_mark
        column = mark.column + 1
        if offset and scalar_is_verbatim(node):
            column += offset + (1 if getattr(node, "style", None) in ("'", '"') else 0)
        return SourceLocation(self.file, mark.line + 1, column)


def scalar_is_verbatim(node: Node) -> bool:
    """Whether a scalar's source text is its value: one line, plain or quoted, no escapes."""
    if not isinstance(node, ScalarNode) or node.style not in (None, "'", '"'):
        return False
    start, end = node.start_mark, node.end_mark
    if start.line != end.line or start.buffer is None:
        return False
    raw = str(start.buffer[start.pointer : end.pointer])
    if node.style:
        raw = raw[1:-1]
    return raw == str(node.value)


def load_yaml(text: str, file: str) -> MarkedDocument:
    """Parse one YAML document, recording node positions; raise a located ConfigError."""
    loader = MarkedLoader(text, file)
    try:
        root = loader.get_single_node()
        doc = MarkedDocument(None, file)
        if root is not None:
            _record(doc, root, (), set())
            doc.data = loader.construct_document(root)
        return doc
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file) from None
    finally:
        loader.dispose()


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> ConfigError:
    mark = exc.problem_mark or exc.context_mark
    location = SourceLocation(file, mark.line + 1, mark.column + 1) if mark else SourceLocation(file)
    problem = exc.problem or "cannot parse"
    if "'\\t'" in problem:
        problem += " (YAML indents with spaces, not tabs)"
    context = exc.context or ""
    if context and exc.context_mark is not None:
        context += f" at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
    if problem.startswith("but "):  # "expected a single document ..., but found another"
        message = f"{context}, {problem}"
    else:
        message = f"{problem} ({context})" if context else problem
    return ConfigError(f"invalid YAML: {message}", location=location)


def _record(doc: MarkedDocument, node: Node, path: DocPath, active: set[int]) -> None:
    """Walk the node graph: remember each value's node, reject duplicate and non-string keys."""
    doc.values.setdefault(path, node)
    if id(node) in active:  # a recursive alias: its members are recorded already
        return
    active.add(id(node))
    if isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _record(doc, item, (*path, i), active)
    elif isinstance(node, MappingNode):
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = _key(doc, key_node, path)
            if key in seen:
                first = seen[key].start_mark
                raise ConfigError(
                    f"duplicate key {key!r}: it is already set at line {first.line + 1}, "
                    f"column {first.column + 1}; expected each key once per mapping",
                    location=doc.at(key_node),
                    path=format_path((*path, key)),
                )
            seen[key] = key_node
            doc.keys[(*path, key)] = key_node
            _record(doc, value_node, (*path, key), active)
        for merged_key, merged_value in _merged(doc, node, path):
            if merged_key not in seen:
                seen[merged_key] = merged_value
                _record(doc, merged_value, (*path, merged_key), active)
    active.discard(id(node))


def _merged(doc: MarkedDocument, node: MappingNode, path: DocPath) -> Iterator[tuple[str, Node]]:
    """Members that ``<<: *anchor`` merge keys bring into a mapping (for their positions)."""
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE_TAG:
            continue
        sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        for source in sources:
            if isinstance(source, MappingNode):
                for k, v in source.value:
                    if k.tag != _MERGE_TAG:
                        yield _key(doc, k, path), v


def _key(doc: MarkedDocument, key_node: Node, path: DocPath) -> str:
    if isinstance(key_node, ScalarNode) and key_node.tag == _STR_TAG:
        return str(key_node.value)
    shown = key_node.value if isinstance(key_node, ScalarNode) else "a mapping or a list"
    raise ConfigError(
        f"expected a string key, found {shown!s}; quote it if it is meant as text",
        location=doc.at(key_node),
        path=format_path(path),
    )


__all__ = [
    "MAX_VALUES",
    "DocPath",
    "MarkedDocument",
    "MarkedLoader",
    "format_path",
    "load_yaml",
    "parse_path",
    "scalar_is_verbatim",
]
