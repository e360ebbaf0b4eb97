"""Reading input in chunks: the unit the engine takes its lock for, and the parser for it.

The engine holds its lock while it routes a chunk and releases it between chunks, so the
ticker thread (max_wait flushes, checkpoints) gets a turn. A chunk must therefore never wait
for input that is not there yet: the lock would be held across a slow stream's pauses.

* a regular file is read with ``readlines`` (about 64 KiB of lines at a time): everything is
  there already, and finding the line ends is C code;
* any other binary stream (stdin, a pipe) is read with ``read1``, which returns what is
  available and blocks only when nothing is: a big input comes in 64 KiB chunks, a slow pipe
  line by line;
* a list or tuple is already in memory: slices of 256;
* any other iterable (a generator fed by a slow source) one item at a time.

Each chunk is ``(number of its first line, items, loads)``; blank lines are kept (they have
numbers) and a line may keep its ``\n``, which JSON reads as white space. ``loads`` parses the
chunk's lines: JSON parsing is the largest single cost of a run, so a stream's chunks use
msgspec's decoder, which gives exactly what ``json.loads`` gives wherever it accepts a line
(integers beyond 64 bits included) and refuses the rest (NaN, lone surrogates, a byte-order
mark). The engine then asks ``json.loads`` about any line the fast parser refused, so the
standard parser always has the last word (with integers of any length up to 20,000 digits:
:mod:`actions_core.runtime.big_integers`).
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import msgspec

CHUNK_BYTES = 1 << 16
CHUNK_ITEMS = 256

Loads = Callable[[Any], Any]
Chunk = tuple[int, Sequence[Any], Loads]

FAST_LOADS: Loads = msgspec.json.Decoder().decode
"""Parses a line as ``json.loads`` does, about twice as fast; raises ``ValueError`` (or
``RecursionError``) where ``json.loads`` might still accept the line or word the error."""


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


def batch_chunks(batches: Iterable[Sequence[bytes | str]], first: int = 1) -> Iterator[Chunk]:
    """One chunk per non-empty batch of lines (a queue's fetches), parsed with the fast
    parser."""
    number = first
    for lines in batches:
        if lines:
            yield number, lines, FAST_LOADS
            number += len(lines)


def stream_chunks(stream: io.BufferedIOBase | io.RawIOBase, first: int = 1) -> Iterator[Chunk]:
    """The lines of a binary stream, a chunk at a time; a last line without a newline still
    counts."""
    if _is_regular_file(stream):
        return _file_chunks(stream, first)
    return _available_chunks(stream, first)


def _is_regular_file(stream: io.BufferedIOBase | io.RawIOBase) -> bool:
    if not isinstance(stream, io.BufferedReader):  # readlines on a raw file reads bytewise
        return False
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError):  # io.BytesIO and friends have no file descriptor
        return False


def _file_chunks(stream: io.BufferedIOBase | io.RawIOBase, first: int) -> Iterator[Chunk]:
    """A regular file: whole lines, with their ``\\n``, about ``CHUNK_BYTES`` at a time."""
    number = first
    while lines := stream.readlines(CHUNK_BYTES):
        yield number, lines, FAST_LOADS
        number += len(lines)


def _available_chunks(stream: io.BufferedIOBase | io.RawIOBase, first: int) -> Iterator[Chunk]:
    """The complete lines of each read, as bytes without their ``\\n``."""
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
        yield number, lines, FAST_LOADS
        number += len(lines)
    if partial:
        yield number, [b"".join(partial)], FAST_LOADS


__all__ = [
    "CHUNK_BYTES",
    "CHUNK_ITEMS",
    "FAST_LOADS",
    "Chunk",
    "Loads",
    "batch_chunks",
    "item_chunks",
    "line_chunks",
    "stream_chunks",
]
