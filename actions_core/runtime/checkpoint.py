"""Checkpoints: where to resume a run that was stopped, killed, interrupted or crashed.

A checkpoint file records which input lines are *resolved*: every outcome record of the line
is written (and flushed) to the report and dead-letter files, and none of them is
``pending``. It holds (format version 2)::

    {"version": 2, "next_line": 1201, "read_to": 1650, "resolved": [[1203, 1399], [1401, 1649]],
     "input": {"path": "/data/day1.jsonl", "size": 912000, "covered": 331000,
               "head_sha256": "...", "tail_sha256": "..."},
     "config": "sha256:..."}

* ``next_line``: the first line not resolved (every line before it is);
* ``resolved``: the ranges (inclusive) of resolved lines between ``next_line`` and
  ``read_to``, the first line not read yet: lines that completed out of order, beyond a line
  still in flight. A resume skips them, so it sends again only what was in flight or pending;
* ``input``: the identity of the input: its absolute path, its size, and SHA-256 hashes of the
  first and the last ``IDENTITY_BYTES`` of the ``covered`` bytes (the lines before
  ``read_to``). A resume checks the input is the same file with the same content where the
  checkpoint covers it (it may have grown: an appended file resumes fine);
* ``config``: a fingerprint of the config (destination, settings other than secrets,
  mappings), so the checkpoint of one config is not applied to another.

A mismatch is a :class:`~actions_core.errors.ConfigError` saying what differs (the CLI exits
2): applying a checkpoint to the wrong input would silently skip its lines. A version 1 file
(``{"next_line": N}``) is still read, without those checks.

The engine saves the checkpoint at most every 0.2 s (``engine.SAVE_INTERVAL``) and at the end
of the run, and never after an outcome could not be recorded. Each save writes a temporary
file next to the checkpoint and renames it over the old one (``os.replace``), so a reader only
ever sees a whole checkpoint, even after ``kill -9``. The report and dead-letter files are
flushed *before* the save, so the checkpoint never claims a line whose records could still be
lost. It is not fsync'ed: a power cut may lose the last save (the run then resumes from an
earlier point, which only repeats work).

What a resume sends again (docs/framework.md, "Delivery guarantees"): the lines that were not
resolved at the last save: in flight (maybe sent already: delivery is at least once), pending
after an interruption, or not read yet. Nothing resolved is sent again.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from actions_core.errors import ConfigError, OutputWriteError

CHECKPOINT_VERSION = 2

IDENTITY_BYTES = 1 << 16
"""Bytes hashed at each end of the covered part of the input (bounded work per save)."""

Ranges = tuple[tuple[int, int], ...]


class Progress(Protocol):
    """What the engine needs of a checkpoint at least: where to start, and "every line before
    N is resolved". :class:`Checkpoint` keeps that and more in a file (resolved ranges beyond
    N, the input's identity); ``serve`` resolves queued events with it
    (:mod:`actions_core.serve.delivery`)."""

    def resume_from(self) -> int: ...

    def save(self, next_line: int) -> None: ...


@dataclass(frozen=True)
class InputIdentity:
    """What a checkpoint knows of its input: enough to tell another file, or a changed one."""

    path: str
    size: int
    covered: int
    head_sha256: str
    tail_sha256: str

    @classmethod
    def of(cls, path: str | os.PathLike[str], covered: int) -> InputIdentity:
        """The identity of ``path`` as far as its first ``covered`` bytes."""
        resolved = os.path.abspath(path)
        with open(resolved, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            covered = min(covered, size)
            head = handle.read(min(covered, IDENTITY_BYTES))
            tail_start = max(0, covered - IDENTITY_BYTES)
            handle.seek(tail_start)
            tail = handle.read(covered - tail_start)
        return cls(
            resolved, size, covered, hashlib.sha256(head).hexdigest(), hashlib.sha256(tail).hexdigest()
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "size": self.size, "covered": self.covered,
            "head_sha256": self.head_sha256, "tail_sha256": self.tail_sha256,
        }


@dataclass(frozen=True)
class SavedProgress:
    """How far a run got: the first unresolved line, the first line not read, and the
    resolved ranges between them."""

    next_line: int = 1
    read_to: int = 1
    resolved: Ranges = ()

    def is_resolved(self, line: int) -> bool:
        """Whether ``line`` needs nothing more (a resume skips it)."""
        if line < self.next_line:
            return True
        if line >= self.read_to or not self.resolved:
            return False
        i = bisect.bisect_right(self.resolved, (line, float("inf"))) - 1
        return i >= 0 and self.resolved[i][0] <= line <= self.resolved[i][1]


def resolved_ranges(next_line: int, read_to: int, unresolved: Iterable[int]) -> Ranges:
    """The ranges of lines in ``[next_line, read_to)`` not in ``unresolved``."""
    ranges: list[tuple[int, int]] = []
    start = next_line
    for line in sorted(set(unresolved)):
        if line < start:
            continue
        if line >= read_to:
            break
        if line > start:
            ranges.append((start, line - 1))
        start = line + 1
    if start < read_to and start > next_line:
        ranges.append((start, read_to - 1))
    return tuple(ranges)


def config_fingerprint(
    destination: str,
    settings: dict[str, Any],
    secret_keys: Sequence[str],
    mappings: Sequence[Any],
) -> str:
    """A hash of what decides a run's requests; secrets are left out (fixing a revoked token
    must not invalidate the checkpoint) and never appear in the file."""
    data = {
        "destination": destination,
        "settings": {k: v for k, v in settings.items() if k not in secret_keys},
        "mappings": mappings,
    }
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class Checkpoint:
    """A checkpoint file at ``path`` (created on the first save).

    ``input`` (a file path) and ``config`` (:func:`config_fingerprint`), when given, are
    recorded on save and checked by :meth:`load`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        input: str | os.PathLike[str] | None = None,
        config: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.input = input
        self.config = config
        self._saved: tuple[int, int, Ranges] | None = None

    def exists(self) -> bool:
        return self.path.exists()

    def check_writable(self) -> None:
        """Raise :class:`ConfigError` when a save could not succeed (the folder is missing or
        read-only): checked before a run starts, not at its first save, when events are
        already on their way."""
        folder = self.path.parent
        if not folder.is_dir():
            raise ConfigError(f"cannot save checkpoint {self.path}: the folder {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ConfigError(f"cannot save checkpoint {self.path}: the folder {folder} is not writable")

    def resume_from(self) -> int:
        """The first line not resolved: 1 when there is no checkpoint yet."""
        return self.load().next_line

    def load(self) -> SavedProgress:
        """The progress saved (from line 1 when there is no checkpoint yet), after checking it
        belongs to this input and config.

        A checkpoint that cannot be read is an error, not a fresh start: silently starting
        over would resend everything before it.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return SavedProgress()
        except OSError as exc:
            raise ConfigError(f"cannot read checkpoint {self.path}: {exc.strerror}") from exc
        try:
            data = json.loads(text)
            line = data["next_line"]
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(
                f"checkpoint {self.path} is not a checkpoint file (expected "
                f'{{"next_line": <n>}}); delete it to start from the first line'
            ) from exc
        if not _positive(line):
            raise ConfigError(f"checkpoint {self.path}: next_line must be a positive integer")
        read_to = data.get("read_to", line)
        resolved = data.get("resolved", [])
        if not _positive(read_to) or read_to < line or not _ranges_ok(resolved, line, read_to):
            raise ConfigError(
                f"checkpoint {self.path} is damaged (read_to or resolved ranges are not "
                "consistent); delete it to start from the first line"
            )
        self._check_config(data.get("config"))
        self._check_input(data.get("input"))
        progress = SavedProgress(line, read_to, tuple((a, b) for a, b in resolved))
        self._saved = (progress.next_line, progress.read_to, progress.resolved)
        return progress

    def _check_config(self, saved: Any) -> None:
        if self.config is not None and saved is not None and saved != self.config:
            raise ConfigError(
                f"checkpoint {self.path} was saved with another config (its destination, "
                "settings or mappings differ; a changed secret does not count): resuming would "
                "skip lines the new config never sent. Use the config it was made with, or "
                "delete the checkpoint (or give a new one) to start from the first line"
            )

    def _check_input(self, saved: Any) -> None:
        if self.input is None or not isinstance(saved, dict):
            return
        path = os.path.abspath(self.input)
        hint = "give the input it was made for, or delete the checkpoint (or give a new one) to start from the first line"
        if saved.get("path") != path:
            raise ConfigError(
                f"checkpoint {self.path} belongs to the input {saved.get('path')}, not {path}; {hint}"
            )
        covered = saved.get("covered")
        if not isinstance(covered, int):
            return
        size = os.path.getsize(path)
        if size < covered:
            raise ConfigError(
                f"checkpoint {self.path}: the input {path} shrank to {size} bytes, but the "
                f"checkpoint covers its first {covered} bytes; {hint}"
            )
        now = InputIdentity.of(path, covered)
        if (now.head_sha256, now.tail_sha256) != (saved.get("head_sha256"), saved.get("tail_sha256")):
            raise ConfigError(
                f"checkpoint {self.path}: the content of the input {path} changed in the first "
                f"{covered} bytes the checkpoint covers (their SHA-256 differs); {hint}"
            )

    def save(
        self,
        next_line: int,
        *,
        read_to: int | None = None,
        resolved: Ranges = (),
        covered: int | None = None,
    ) -> None:
        """Record that every line before ``next_line``, and the ``resolved`` ranges up to
        ``read_to``, are resolved (atomically; a no-op when nothing changed). ``covered``: the
        bytes of the input before ``read_to``, for its identity."""
        read_to = next_line if read_to is None else read_to
        state = (next_line, read_to, resolved)
        if state == self._saved:
            return
        data: dict[str, Any] = {
            "version": CHECKPOINT_VERSION,
            "next_line": next_line,
            "read_to": read_to,
            "resolved": [list(r) for r in resolved],
        }
        if self.input is not None and covered is not None:
            data["input"] = InputIdentity.of(self.input, covered).to_json()
        if self.config is not None:
            data["config"] = self.config
        directory = self.path.parent
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise OutputWriteError(exc.errno, f"cannot save checkpoint {self.path}: {exc.strerror}") from exc
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(data, separators=(",", ":")) + "\n")
            os.replace(tmp, self.path)
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                message = f"cannot save checkpoint {self.path}: {exc.strerror}"
                raise OutputWriteError(exc.errno, message) from exc
            raise
        self._saved = state


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _ranges_ok(ranges: Any, low: int, high: int) -> bool:
    if not isinstance(ranges, list):
        return False
    previous = low - 1
    for r in ranges:
        if not (isinstance(r, list) and len(r) == 2 and all(_positive(x) for x in r)):
            return False
        if not previous < r[0] <= r[1] < high:
            return False
        previous = r[1]
    return True


__all__ = [
    "CHECKPOINT_VERSION",
    "IDENTITY_BYTES",
    "Checkpoint",
    "InputIdentity",
    "Progress",
    "SavedProgress",
    "config_fingerprint",
    "resolved_ranges",
]
