"""The glue ``actions-core run`` calls: open the files a run needs and run the engine on them.

* input ``-`` is stdin; input is read as binary and parsed line by line with ``json.loads``;
* ``dry_run`` replaces the network with a :class:`~actions_core.http.dry_run.DryRunTransport`
  writing each request as a JSON line to ``output`` (stdout when unset or ``-``);
* ``report`` gets one line per outcome record; it is truncated on a fresh run and appended to
  when resuming from a checkpoint;
* ``dead_letter`` gets every rejected, failed and invalid event, replayable as input. It is
  always appended to: a dead-letter file holds events not yet delivered, and a new run must
  not wipe the ones an earlier run left there;
* ``checkpoint`` makes the run resumable (:mod:`actions_core.runtime.checkpoint`); it must be a file.

``report`` and ``dead_letter`` may be ``-`` too (stdout), but only one stream may go to
stdout (:func:`stdout_problem`).

Errors come in two kinds. Before anything is sent (files that clash, a checkpoint that is not
one, a file that cannot be opened) :func:`run` raises the ``ConfigError`` or ``OSError``
as it is. Once the run has started, an output that cannot be written (a full disk, a folder
removed mid-run) raises :class:`RunFailed`, which holds the figures so far: some events may
then have no recorded outcome, and a checkpoint (never saved past what the files hold) is
where to resume.

A run owns its process (the CLI), so :func:`run` also tunes the garbage collector for it (see
:func:`_gc_for_streaming`) and puts it back afterwards.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import IO, Any, cast

import httpx

from actions_core.errors import ConfigError, DeliveryInterrupted, OutputWriteError, RunFailed
from actions_core.http.dry_run import DryRunTransport
from actions_core.instance import Instance
from actions_core.redaction import Redactor
from actions_core.runtime.checkpoint import Checkpoint, config_fingerprint
from actions_core.runtime.engine import Engine, RunOptions, RunSummary
from actions_core.runtime.outcomes import OutcomeSink
from actions_core.runtime.sinks import DeadLetterWriter, ReportWriter

DEFAULT_OPTIONS = RunOptions()


@dataclass(frozen=True)
class RunFiles:
    """Where a run reads and writes (``-`` or ``None`` as documented per field)."""

    input: str = "-"
    dry_run: bool = False
    output: str | None = None
    report: str | None = None
    dead_letter: str | None = None
    checkpoint: str | None = None
    config: str | None = None
    """The config file, for the checkpoint's fingerprint (else taken from the instance)."""


DRY_RUN_CONCURRENCY = 1


def options_for(
    files: RunFiles,
    *,
    batch_size: int = 1000,
    concurrency: int | None = None,
    timeout: float = DEFAULT_OPTIONS.timeout,
    wait_rate_limits: bool = False,
) -> RunOptions:
    """The options ``actions-core run`` uses: ``concurrency`` defaults to 8, but to 1 for a
    dry run, where nothing waits on the network: more workers would only contend for the
    GIL (measured: about 13% fewer events/s with 8 than with 1 on a dry run)."""
    if concurrency is None:
        concurrency = DRY_RUN_CONCURRENCY if files.dry_run else DEFAULT_OPTIONS.concurrency
    return RunOptions(
        batch_size=batch_size,
        concurrency=concurrency,
        timeout=timeout,
        wait_rate_limits=wait_rate_limits,
    )


def run(
    instance: Instance,
    files: RunFiles,
    options: RunOptions = DEFAULT_OPTIONS,
    *,
    progress: Callable[[RunSummary], None] | None = None,
    transport: httpx.BaseTransport | None = None,
    on_engine: Callable[[Engine], None] | None = None,
) -> RunSummary:
    """Run ``files.input`` through ``instance``; ``transport`` replaces the network (tests).

    ``on_engine`` receives the engine once it exists (the CLI's signal handlers interrupt it
    through :meth:`Engine.interrupt`). Raises ``ConfigError`` or ``OSError`` when the files
    are wrong (nothing was sent), and :class:`RunFailed` when one fails once the run has
    started. A ``KeyboardInterrupt`` (a second Ctrl-C) stops the run at once: the summary
    so far is returned, with ``stopped_at_once`` set."""
    _check_distinct(files)
    checkpoint = None
    if files.checkpoint:
        checkpoint = Checkpoint(
            files.checkpoint, input=files.input, config=_fingerprint(instance, files.config)
        )
        checkpoint.check_writable()
    resuming = checkpoint is not None and checkpoint.load().read_to > 1
    redactor = Redactor(instance.secrets)
    stdout_gone = _StdoutGone()
    engine: Engine | None = None
    summary: RunSummary | None = None
    try:
        with ExitStack() as stack:
            stack.enter_context(_gc_for_streaming())
            sinks: list[OutcomeSink] = []
            if files.report:
                report = _open_output(stack, files.report, "report", append=resuming)
                if files.report == "-":
                    report = stdout_gone.wrap(report)
                sinks.append(ReportWriter(report))
            if files.dead_letter:
                dead = _open_output(stack, files.dead_letter, "dead-letter file", append=True)
                if files.dead_letter == "-":
                    dead = stdout_gone.wrap(dead)
                sinks.append(DeadLetterWriter(dead, redactor=redactor))
            if files.dry_run:
                out = _open_output(
                    stack, files.output or "-", "dry-run output", append=resuming, binary=True
                )
                transport = DryRunTransport(_line_writer(out), redactor=redactor)
            stream = (
                sys.stdin.buffer if files.input == "-" else stack.enter_context(open(files.input, "rb"))
            )
            engine = stack.enter_context(
                Engine(
                    instance,
                    options=options,
                    transport=transport,
                    sinks=sinks,
                    checkpoint=checkpoint,
                    progress=progress,
                )
            )
            stdout_gone.engine = engine
            if on_engine is not None:
                on_engine(engine)
            try:
                summary = engine.run_lines(stream)
            except KeyboardInterrupt:
                summary = engine.snapshot()
            except Exception:
                summary = engine.snapshot()
                raise
    except Exception as exc:
        error = _first_os_error(exc) if engine is not None else None
        if error is None:
            raise
        raise RunFailed(error, summary, files.checkpoint) from exc
    return summary


class _StdoutGone:
    """A report or dead-letter stream on stdout whose reader may leave (``--report - | head``).

    A closed pipe is a consumer that left, not a failed write: the run is interrupted (what
    was not sent stays pending) and later writes go nowhere, without an error message."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def wrap(self, stream: IO[str]) -> IO[str]:
        return cast(IO[str], _PipeWriter(stream, self))

    def left(self) -> None:
        try:  # the interpreter's own last flush of stdout must not fail either
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        if self.engine is not None:
            self.engine.interrupt(DeliveryInterrupted("the reader of stdout went away (a closed pipe)"))


class _PipeWriter:
    """A text stream that swallows writes once its reader has gone (see :class:`_StdoutGone`)."""

    def __init__(self, stream: IO[str], owner: _StdoutGone) -> None:
        self._stream = stream
        self._owner = owner
        self._gone = False
        self.name = getattr(stream, "name", None)

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._leave()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._leave()

    def _leave(self) -> None:
        self._gone = True
        self._owner.left()


def _fingerprint(instance: Instance, config: str | None) -> str:
    """The config's fingerprint for a checkpoint: what decides the requests, secrets left
    out (a fixed token must not invalidate the checkpoint)."""
    destination = instance.destination
    mappings: list[Any]
    if config is not None:
        from actions_core.config.loader import load_config

        mappings = [dataclasses.asdict(m) for m in load_config(config).mappings]
    else:
        mappings = [
            [s.name, s.action.key, s.trigger.text if s.trigger else None, s.enabled]
            for s in instance.subscriptions
        ]
    return config_fingerprint(
        destination.slug, dict(instance.settings), tuple(destination.secret_settings), mappings
    )


def _first_os_error(exc: BaseException) -> OSError | None:
    """The ``OSError`` that stopped the run, from ``exc``'s chain: a worker's failed write
    reaches the run as the cause of a ``RuntimeError``, and closing a file that failed to
    flush fails again. The deepest :class:`OutputWriteError` (the first failure, with its
    file named) is preferred, else the deepest ``OSError``."""
    found: list[tuple[bool, int, OSError]] = []
    seen: set[int] = set()
    todo: list[tuple[BaseException, int]] = [(exc, 0)]
    while todo:
        current, depth = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError):
            found.append((isinstance(current, OutputWriteError), depth, current))
        todo += [(e, depth + 1) for e in (current.__cause__, current.__context__) if e is not None]
    return max(found, key=lambda f: (f[0], f[1]))[2] if found else None


@contextmanager
def _gc_for_streaming() -> Iterator[None]:
    """Fewer, cheaper garbage collections while events stream through.

    Every event allocates a dozen containers, many of which live until their batch is sent
    (all of them when a dead-letter file keeps the events), so with the default thresholds
    the cyclic collector runs every few dozen events and a full collection every few
    thousand, over everything the process holds, for JSON data that has no cycles
    (reference counting frees it). Freezing what exists at the start (modules, the compiled
    instance) keeps it out of every collection, and a larger first-generation threshold makes
    collections rarer: measured, 5-10 % more events/s on a dry run, 15-20 % with a dead-letter
    file.
    """
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen_before:  # leave a caller's own frozen set alone
            gc.unfreeze()


def _line_writer(out: IO[bytes]) -> Callable[[bytes], None]:
    def write(line: bytes) -> None:
        try:
            out.write(line)  # not line + b"\n": a request line can be 90 KB, not worth a copy
            out.write(b"\n")
        except OSError as exc:
            raise OutputWriteError.wrap(exc, "dry-run output", out) from exc

    return write


def _open_output(
    stack: ExitStack, path: str, what: str, *, append: bool, binary: bool = False
) -> IO[Any]:
    """Open an output (``-`` is stdout) and have ``stack`` flush or close it at the end; an
    error then names the output and its file, like the sinks' own write errors. ``binary``
    for the dry-run output: request lines are UTF-8 already, and re-encoding a 90 KB line
    through a text layer would only copy it."""
    if path == "-":
        file: IO[Any] = _stdout_bytes() if binary else sys.stdout
        _finish_with(stack, file, what, close=False)
        return file
    file = _open_file(path, append=append, binary=binary)
    _finish_with(stack, file, what, close=True)
    return file


def _stdout_bytes() -> IO[bytes]:
    sys.stdout.flush()  # anything already written as text goes first
    buffer = getattr(sys.stdout, "buffer", None)
    return cast(IO[bytes], buffer if buffer is not None else _TextAsBytes(sys.stdout))


def _open_file(path: str, *, append: bool, binary: bool) -> IO[Any]:
    """Open an output file (the caller closes it). Before appending, a partial last line is
    dropped: one a killed run was writing when it died. Its record is written again, since
    the checkpoint is never ahead of what the files hold complete."""
    if append:
        _drop_partial_line(path)
    if binary:
        return open(path, "ab" if append else "wb")
    return open(path, "a" if append else "w", encoding="utf-8")


def _finish_with(stack: ExitStack, file: IO[Any], what: str, *, close: bool) -> None:
    def finish() -> None:
        try:
            file.close() if close else file.flush()
        except OSError as exc:
            raise OutputWriteError.wrap(exc, what, file) from exc

    stack.callback(finish)


class _TextAsBytes(io.RawIOBase):
    """A text stream without a binary buffer (a test's ``StringIO`` as stdout), written bytes."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self.name = getattr(text, "name", None)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._text.write(bytes(data).decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()


def _drop_partial_line(path: str) -> None:
    if not os.path.isfile(path):  # nothing yet, or a device or pipe: nothing to drop
        return
    with open(path, "r+b") as handle:
        end = handle.seek(0, os.SEEK_END)
        pos = end
        while pos > 0:
            start = max(0, pos - 65536)
            handle.seek(start)
            newline = handle.read(pos - start).rfind(b"\n")
            if newline >= 0:
                if start + newline + 1 < end:
                    handle.truncate(start + newline + 1)
                return
            pos = start
        handle.truncate(0)


def stdout_problem(files: RunFiles) -> str | None:
    """What is wrong with the ``-`` (stdout) in ``files``, in command-line terms, or ``None``:
    two streams would mix on stdout (``--dry-run`` without ``--output`` and ``--report -``), or the
    checkpoint is ``-`` (it must be a file, read back to resume)."""
    if files.checkpoint == "-":
        return (
            "--checkpoint - is not allowed: a checkpoint must be a file, which a later run "
            "reads to resume (for example --checkpoint run.ckpt)"
        )
    streams = [
        name
        for name, to_stdout in (
            (
                "--output -" if files.output == "-" else "--dry-run without --output",
                files.dry_run and files.output in (None, "-"),
            ),
            ("--report -", files.report == "-"),
            ("--dead-letter -", files.dead_letter == "-"),
        )
        if to_stdout
    ]
    if len(streams) < 2:
        return None
    both = "both" if len(streams) == 2 else "all"
    return (
        f"{', '.join(streams[:-1])} and {streams[-1]} would {both} write to stdout, mixing "
        "their lines; give all but one of them a file (for example --report report.jsonl)"
    )


def checkpoint_problem(files: RunFiles) -> str | None:
    """Why ``--checkpoint`` cannot work with this input, or ``None``: a resume reads the same
    input again and skips what the checkpoint says is done, so the input must be a file that
    can be read again (not stdin or a pipe)."""
    if not files.checkpoint or files.checkpoint == "-":
        return None
    if files.input == "-" or (os.path.exists(files.input) and not os.path.isfile(files.input)):
        what = "stdin" if files.input == "-" else f"{files.input} (not a regular file)"
        return (
            f"--checkpoint needs --input FILE: the input is {what}, which a resume cannot read "
            "again, so it would skip lines of whatever comes next. Save the events to a file "
            "first, or run without --checkpoint"
        )
    return None


def _check_distinct(files: RunFiles) -> None:
    """Writing to the file being read would destroy it (``--dead-letter dl.jsonl`` while
    replaying ``dl.jsonl``), and two outputs sharing a file (or stdout) would interleave
    their lines: refuse both before anything is opened."""
    problem = stdout_problem(files) or checkpoint_problem(files)
    if problem is not None:
        raise ConfigError(problem)
    outputs = [
        (label, path)
        for label, path in (
            ("report", files.report),
            ("dead-letter", files.dead_letter),
            ("output", files.output if files.dry_run else None),
            ("checkpoint", files.checkpoint),
        )
        if path and path != "-"
    ]
    if files.input != "-" and os.path.exists(files.input):
        for label, path in outputs:
            if os.path.exists(path) and os.path.samefile(path, files.input):
                raise ConfigError(
                    f"the {label} file {path!r} is the input file; write it somewhere else "
                    "(to replay a dead-letter file, give the new run a new dead-letter file)"
                )
    for i, (label, path) in enumerate(outputs):
        for other_label, other in outputs[i + 1 :]:
            if _same_file(path, other):
                raise ConfigError(
                    f"the {label} file {path!r} and the {other_label} file {other!r} are the "
                    "same file; give each its own"
                )


def _same_file(a: str, b: str) -> bool:
    if os.path.exists(a) and os.path.exists(b):
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


__all__ = [
    "DRY_RUN_CONCURRENCY",
    "RunFiles",
    "RunOptions",
    "RunSummary",
    "checkpoint_problem",
    "options_for",
    "run",
    "stdout_problem",
]
