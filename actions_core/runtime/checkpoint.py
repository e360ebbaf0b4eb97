"""Checkpoints: where to resume a run that was stopped, killed or crashed.

A checkpoint file holds one number, the first input line not yet fully resolved: every line
before it has all of its outcome records written (and flushed) to the report and dead-letter
files. The engine computes it as the lowest line still in an open batch, queued or being sent,
or else the next line to read, and saves it:

* after batches complete, at most every 0.2 s (``engine.SAVE_INTERVAL``);
* at the end of the run.

Each save writes a temporary file next to the checkpoint and renames it over the old one
(``os.replace``), so a reader only ever sees a whole checkpoint, even after ``kill -9``. The
report and dead-letter files are flushed *before* the number is computed and written, so the
checkpoint never claims a line whose records could still be lost.

On start, :meth:`Checkpoint.resume_from` gives the line to continue from; the engine skips the
lines before it, and the runner appends to the report and dead-letter files instead of
truncating them.

Delivery is at least once. After a crash, the lines from the checkpoint on are read again:
the events that were in flight (sent or being sent when the process died) are sent a second
time, and lines that had completed out of order after the checkpoint's line are sent again
too and appear twice in the report. Nothing before the checkpoint is resent and nothing
after it is lost. A destination whose requests are idempotent (LaunchDarkly's membership
sync sets a value, it does not toggle one) is unaffected by the repeat. The checkpoint
survives a killed process; it is not fsync'ed, so a power cut may lose the last save (the
run then resumes from an earlier line, which again only repeats work).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Protocol

from actions_core.errors import ConfigError, OutputWriteError

CHECKPOINT_VERSION = 1


class Progress(Protocol):
    """What the engine needs of a checkpoint: where to start, and "every line before N is
    resolved". :class:`Checkpoint` keeps it in a file; ``serve`` resolves queued events
    with it (:mod:`actions_core.serve.delivery`)."""

    def resume_from(self) -> int: ...

    def save(self, next_line: int) -> None: ...


class Checkpoint:
    """A checkpoint file at ``path`` (created on the first save)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._saved: int | None = None

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
        """The first line to process: 1 when there is no checkpoint yet.

        A checkpoint that cannot be read is an error, not a fresh start: silently starting
        over would resend everything before it.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return 1
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
        if not isinstance(line, int) or isinstance(line, bool) or line < 1:
            raise ConfigError(f"checkpoint {self.path}: next_line must be a positive integer")
        self._saved = line
        return line

    def save(self, next_line: int) -> None:
        """Record that every line before ``next_line`` is resolved (atomically; a no-op when
        the number did not change)."""
        if next_line == self._saved:
            return
        data = json.dumps({"version": CHECKPOINT_VERSION, "next_line": next_line})
        directory = self.path.parent
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise OutputWriteError(exc.errno, f"cannot save checkpoint {self.path}: {exc.strerror}") from exc
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data + "\n")
            os.replace(tmp, self.path)
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                message = f"cannot save checkpoint {self.path}: {exc.strerror}"
                raise OutputWriteError(exc.errno, message) from exc
            raise
        self._saved = next_line


__all__ = ["CHECKPOINT_VERSION", "Checkpoint", "Progress"]
