"""Reading input in chunks: the unit the engine takes its lock for, and the parser for it.

The engine holds its lock while it routes a chunk and releases it between chunks, so the
ticker thread (max_wait flushes, checkpoints) gets a turn. A chunk must therefore never wait
for input that is not there yet: the lock would be held across a slow stream's pauses.

* a binary stream (a file, stdin) is read with ``read1``, which returns what is available
  and blocks only when nothing is: a big file comes in 64 KiB chunks, a slow pipe line by line;
* a list or tuple is already in memory: slices of 256;
* any other iterable (a generator fed by a slow source) one item at a time.

Each chunk is ``(number of its first line, items, loads)``; blank lines are kept (they have
numbers). ``loads`` parses the chunk's lines: JSON parsing is the largest single cost of a
run, so a stream's chunks use orjson (when installed) wherever it gives exactly what
``json.loads`` gives (see :func:`parser_for`); the engine still asks ``json.loads`` about any
line the fast parser refuses, so the standard parser always has the last word.
"""

from __future__ import annotations

import importlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

CHUNK_BYTES = 1 << 16
CHUNK_ITEMS = 256

Loads = Callable[[Any], Any]
Chunk = tuple[int, Sequence[Any], Loads]



def _orjson() -> Loads | None:
    """``orjson.loads`` when orjson is installed (it is optional), else None."""
    try:
        module = importlib.import_module("orjson")
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    loads: Loads = module.loads
    return loads


_ORJSON_LOADS = _orjson()
_DIGIT_MAP = bytes(1 if 0x30 <= i <= 0x39 else 0 for i in range(256))
_LONG_DIGIT_RUN = b"\x01" * 19


def parser_for(block: bytes) -> Loads:
    """The parser for a block of lines: orjson, unless the block holds a run of 19 digits.

    orjson turns an integer beyond 64 bits into a float, where ``json`` keeps it exact; an
    integer that long has at least 19 digits, so a block without such a run parses alike in
    both (floats are correctly rounded by both). Everything else orjson rejects (NaN, lone
    surrogates, a byte-order mark) falls back to ``json.loads`` in the engine.
    """
    if _ORJSON_LOADS is None or block.translate(_DIGIT_MAP).find(_LONG_DIGIT_RUN) >= 0:
        return json.loads
    return _ORJSON_LOADS


def line_chunks(lines: Iterable[bytes | str], first: int = 1) -> Iterator[Chunk]:
    """Chunks of input lines (bytes or str, newline optional)."""
    if isinstance(lines, io.BufferedIOBase | io.RawIOBase):
        return stream_chunks(lines, first)
    return item_chunks(lines, first)


def item_chunks(items: Iterable[Any], first: int = 1) -> Iterator[Chunk]:
    """Chunks of an in-memory sequence, or single items of any other iterable."""
    if isinstance(items, list | tuple):
        for start in range(0, len(items), CHUNK_ITEMS):
            yield first + start, items[start : start + CHUNK_ITEMS], json.loads
    else:
        for number, item in enumerate(items, first):
            yield number, (item,), json.loads


def stream_chunks(stream: io.BufferedIOBase | io.RawIOBase, first: int = 1) -> Iterator[Chunk]:
    """The complete lines of each read, as bytes without their ``\\n``; a last line without
    a newline still counts."""
    read = getattr(stream, "read1", stream.read)
    number = first
    partial: list[bytes] = []  # the start of a line that a read cut off
    while True:
        data = read(CHUNK_BYTES)
        if not data:
            break
        cut = data.rfind(b"\n")
        if cut < 0:
            partial.append(data)
            continue
        block = data[:cut]
        if partial:
            partial.append(block)
            block = b"".join(partial)
            partial = []
        if cut + 1 < len(data):
            partial.append(data[cut + 1 :])
        lines = block.split(b"\n")
        yield number, lines, parser_for(block)
        number += len(lines)
    if partial:
        block = b"".join(partial)
        yield number, [block], parser_for(block)


__all__ = [
    "CHUNK_BYTES",
    "CHUNK_ITEMS",
    "Chunk",
    "Loads",
    "item_chunks",
    "line_chunks",
    "parser_for",
    "stream_chunks",
]
