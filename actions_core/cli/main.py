"""The ``actions-core`` command line.

Commands: ``run`` (events in, requests out, an outcome per event), ``validate``,
``destinations``, ``describe``, ``test-auth`` and ``init``; ``serve``, ``queue status`` and
``dead-letters export|replay`` live in :mod:`actions_core.cli.serve`, ``consume`` (a Kafka
consumer group worker) in :mod:`actions_core.cli.consume`. Exit codes: 0 success (every event
delivered or filtered), 1 some event was rejected, failed or invalid, the run was interrupted
with events pending (a 401/403, a long rate limit), a file failed once the run had started (a
full disk), or an authentication test failed, 130/143 ``run`` was stopped by SIGINT/SIGTERM
(the summary says what is pending and how to continue), 2 a usage error, found before
anything is sent (a bad option; a missing or unreadable file; an output file that is the input
file or another output; two outputs on stdout; a checkpoint file that is not a checkpoint or
cannot be saved), 3 an invalid config (the error on stderr as ``file:line:column: path:
message``).

Everything heavy is imported inside the commands, so ``actions-core --help`` stays fast.
Tests inject a registry through click's context object (:class:`CliState`); users can load a
plugin module that is not installed with ``--plugin MODULE`` (or ``ACTIONS_CORE_PLUGINS``).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from actions_core.errors import RunFailed
    from actions_core.instance import Instance
    from actions_core.registry import DestinationRegistry
    from actions_core.runtime import runner
    from actions_core.runtime.engine import RunSummary

EXIT_OK = 0
EXIT_EVENTS_NOT_DELIVERED = 1
EXIT_USAGE = 2
EXIT_INVALID_CONFIG = 3

PLUGINS_ENV = "ACTIONS_CORE_PLUGINS"


@dataclass
class CliState:
    """What the commands share: the registry (built on first use unless injected, as tests
    do with ``CliRunner().invoke(cli, args, obj=CliState(registry=...))``)."""

    registry: DestinationRegistry | None = None
    plugins: tuple[str, ...] = field(default_factory=tuple)

    def get_registry(self) -> DestinationRegistry:
        if self.registry is None:
            from actions_core.registry import get_registry

            self.registry = get_registry()
        for module_name in self.plugins:
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                raise click.BadParameter(
                    f"cannot import plugin module {module_name!r}: {exc}", param_hint="--plugin"
                ) from None
            self.registry.add_plugin(module, package=module_name, name=module_name)
        self.plugins = ()
        return self.registry


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actions-core", prog_name="actions-core")
@click.option(
    "--plugin",
    "plugins",
    multiple=True,
    metavar="MODULE",
    envvar=PLUGINS_ENV,
    help="Also load destinations from this importable plugin module (repeatable; "
    f"{PLUGINS_ENV} takes space-separated names). Installed plugins load anyway.",
)
@click.pass_context
def cli(ctx: click.Context, plugins: tuple[str, ...]) -> None:
    """Deliver Segment-style events to third-party APIs through declarative mappings."""
    state = ctx.ensure_object(CliState)
    state.plugins = (*state.plugins, *plugins)


def _state() -> CliState:
    return click.get_current_context().ensure_object(CliState)


def _load(config: str) -> Instance:
    """The compiled instance, or exit 3 with the located error on stderr."""
    from actions_core.config.loader import load_instance
    from actions_core.errors import ConfigError

    try:
        return load_instance(config, registry=_state().get_registry())
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INVALID_CONFIG)


# --------------------------------------------------------------------------------- run

_FILE = click.Path(dir_okay=False, allow_dash=True)


@cli.command()
@click.argument("config", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--input", "input_", type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    default="-", show_default=True, help="JSON lines, one event per line; - is stdin.",
)
@click.option("--dry-run", is_flag=True, help="Send nothing; write each request as a JSON line.")
@click.option("--output", type=_FILE,
              help="Where --dry-run writes requests; - (the default) is stdout.")
@click.option("--report", type=_FILE, help="Write one JSON line per outcome here; - is stdout.")
@click.option("--dead-letter", type=_FILE,
              help="Write events that were not delivered here; - is stdout.")
@click.option("--checkpoint", type=click.Path(dir_okay=False),
              help="Record progress in this file, and resume from it.")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--concurrency", type=click.IntRange(min=1),
              help="Requests in flight at once [default: 8; 1 with --dry-run, where nothing "
                   "waits on the network and more workers only add thread switching].")
@click.option("--request-timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, metavar="SECONDS",
              help="Deadline of one request attempt in all: connect, send, full response "
                   "(a timeout is retried).")
@click.option("--wait-rate-limits", is_flag=True,
              help="When the destination asks to wait longer than the retry budget (2 min), "
                   "wait instead of stopping the run (Ctrl-C still stops it).")
def run(
    config: str,
    input_: str,
    dry_run: bool,
    output: str | None,
    report: str | None,
    dead_letter: str | None,
    checkpoint: str | None,
    batch_size: int,
    concurrency: int | None,
    request_timeout: float,
    wait_rate_limits: bool,
) -> None:
    """Send the events of --input (JSON lines) through the mappings of CONFIG.

    --output, --report and --dead-letter take - for stdout (one of them at most; a dry run
    without --output already writes there). The summary goes to stderr.

    Ctrl-C (or SIGTERM) stops sending and leaves what was not sent pending; with --checkpoint
    the same command continues. A second one stops at once.

    Exits 0 when every event was delivered or filtered, 1 when any was rejected, failed or
    invalid, when the run was interrupted with events pending (a 401/403), or when a file
    failed after the run had started (a full disk: the error, the summary so far, and how to
    resume are printed), 2 on a usage error, found before anything is sent (also when an output
    file is the input file or another output, two outputs go to stdout, --checkpoint is given
    with stdin, or the --checkpoint file is not a checkpoint, belongs to another input or
    config, or cannot be saved), 3 when CONFIG is invalid, 130/143 after SIGINT/SIGTERM.
    """
    from actions_core.errors import ConfigError, RunFailed, describe_os_error
    from actions_core.runtime import runner

    if output is not None and not dry_run:
        raise click.UsageError("--output only applies with --dry-run")
    files = runner.RunFiles(
        input=input_,
        dry_run=dry_run,
        output=output,
        report=report,
        dead_letter=dead_letter,
        checkpoint=checkpoint,
        config=config,
    )
    problem = runner.stdout_problem(files) or runner.checkpoint_problem(files)
    if problem is not None:
        raise click.UsageError(problem)
    instance = _load(config)
    options = runner.options_for(
        files,
        batch_size=batch_size,
        concurrency=concurrency,
        timeout=request_timeout,
        wait_rate_limits=wait_rate_limits,
    )
    progress = _ProgressLine() if _stderr_is_tty() else None
    signals = _SignalInterrupter()
    try:
        with signals.installed():
            summary = runner.run(
                instance, files, options, progress=progress, on_engine=signals.attach
            )
    except KeyboardInterrupt:  # a second signal outside the engine's run (opening, closing)
        click.echo("Stopped at once.", err=True)
        sys.exit(signals.exit_code or 130)
    except RunFailed as exc:
        if progress is not None:
            progress.clear()
            progress = None
        _report_failed_run(exc)
        sys.exit(EXIT_EVENTS_NOT_DELIVERED)
    except OSError as exc:
        # Before anything was sent: a file the command line names cannot be opened, like a
        # missing --input (which click reports as 2).
        click.echo(f"error: {describe_os_error(exc)}", err=True)
        sys.exit(EXIT_USAGE)
    except ConfigError as exc:
        # Also before anything was sent: a file given twice, a checkpoint that is not one.
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    finally:
        if progress is not None:
            progress.clear()
    click.echo(_summary_text(summary), err=True)
    if summary.aborted is not None:
        click.echo(_how_to_continue(summary, files), err=True)
    if signals.exit_code is not None:
        sys.exit(signals.exit_code)
    sys.exit(EXIT_OK if summary.exit_ok else EXIT_EVENTS_NOT_DELIVERED)


class _SignalInterrupter:
    """SIGINT and SIGTERM during ``run``: the first interrupts the engine (stop sending; what
    was not sent stays pending; the summary and how to continue are printed; exit 130 or 143),
    a second stops at once (KeyboardInterrupt), still never moving the checkpoint past an
    unsent event.

    A signal handler runs on the main thread between two bytecodes, perhaps while that thread
    holds a lock the engine's interrupt takes, so the handler only hands the interruption to a
    new thread."""

    def __init__(self) -> None:
        self.exit_code: int | None = None
        self._engine: Any = None
        self._cause: Any = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self._handle) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def attach(self, engine: Any) -> None:
        with self._lock:
            self._engine = engine
            cause = self._cause
        if cause is not None:
            engine.interrupt(cause)

    def _handle(self, signum: int, frame: object) -> None:
        if self.exit_code is not None:
            raise KeyboardInterrupt  # the second signal: stop at once
        self.exit_code = 128 + signum
        from actions_core.errors import DeliveryInterrupted

        name = signal.Signals(signum).name
        cause = DeliveryInterrupted(f"{name} received")
        threading.Thread(target=self._deliver, args=(cause,), daemon=True).start()

    def _deliver(self, cause: Any) -> None:
        again = "Ctrl-C again" if cause.reason.startswith("SIGINT") else "the signal again"
        click.echo(
            f"\n{cause.reason}: nothing more is sent; waiting for the requests in flight "
            f"({again} stops at once).",
            err=True,
        )
        with self._lock:
            self._cause = cause
            engine = self._engine
        if engine is not None:
            engine.interrupt(cause)


def _how_to_continue(summary: RunSummary, files: runner.RunFiles) -> str:
    """After an interruption: what is pending, and the command that continues."""
    lines = []
    if summary.stopped_at_once:
        lines.append(
            "Stopped at once: the outcomes of requests in flight were not recorded (they may "
            "have been delivered)."
        )
    pending = f"{summary.pending} events are pending (not sent)"
    if files.checkpoint is not None:
        line = summary.next_line or 1
        lines.append(
            f"{pending}. Run the same command again to resume from line {line} (checkpoint "
            f"{files.checkpoint}): it sends what was pending, in flight or not read yet, and "
            "nothing that was resolved."
        )
    elif files.dead_letter is not None and files.dead_letter != "-":
        unread = (
            f" Lines from {summary.unread_from} on were not read: they are not in it."
            if summary.unread_from is not None
            else ""
        )
        if summary.stopped_at_once:
            unread += (
                " The events of the requests in flight are not in it either: check the "
                "report for lines with no outcome, or run with --checkpoint next time."
            )
        lines.append(
            f"{pending}; they are in the dead-letter file {files.dead_letter} (outcome "
            f"pending). Once the cause is fixed, replay it: actions-core run CONFIG --input "
            f"{files.dead_letter} --dead-letter NEW-FILE.{unread}"
        )
    else:
        lines.append(
            f"{pending}. Without --checkpoint or --dead-letter nothing keeps them for later: a "
            "new run starts again from the first line."
        )
    return "\n".join(lines)


def _report_failed_run(failure: RunFailed) -> None:
    """A run that broke after it started: what failed, what that means, how to go on."""
    click.echo(f"error: {failure}", err=True)
    click.echo(
        "The run failed after it had started sending: events after the failure may have no "
        "recorded outcome.",
        err=True,
    )
    if failure.checkpoint is not None:
        click.echo(
            f"Once the problem is fixed, run the same command again to resume from the "
            f"checkpoint {failure.checkpoint} (it never gets ahead of the recorded outcomes).",
            err=True,
        )
    else:
        click.echo(
            "There is no --checkpoint, so a new run starts again from the first line.",
            err=True,
        )
    if failure.summary is not None:
        click.echo(f"So far: {_summary_text(failure.summary)}", err=True)


def _stderr_is_tty() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty is not None and isatty())


class _ProgressLine:
    """A single stderr line rewritten in place while a run goes on (terminals only)."""

    def __init__(self) -> None:
        self._width = 0

    def __call__(self, summary: RunSummary) -> None:
        text = _counts_text(summary)
        pad = max(0, self._width - len(text))
        self._width = len(text)
        click.echo("\r" + text + " " * pad, err=True, nl=False)

    def clear(self) -> None:
        if self._width:
            click.echo("\r" + " " * self._width + "\r", err=True, nl=False)


def _counts_text(summary: RunSummary) -> str:
    from actions_core.runtime.outcomes import Outcome

    counts = ", ".join(
        f"{summary.counts.get(o, 0)} {o.value}"
        for o in Outcome
        if o is not Outcome.PENDING or summary.counts.get(o)  # pending: only when there are some
    )
    return f"{summary.events} events: {counts}"


def _summary_text(summary: RunSummary) -> str:
    text = (
        f"{_counts_text(summary)}; {summary.requests} requests, {summary.retries} retries, "
        f"{summary.elapsed:.2f}s"
    )
    if summary.aborted:
        text += f"\nstopped early: {summary.aborted}"
    return text


# --------------------------------------------------------------------- validate & co


@cli.command()
@click.argument("config", type=click.Path(exists=True, dir_okay=False))
def validate(config: str) -> None:
    """Check CONFIG as `run` would (YAML, schema, environment, destination, settings,
    mappings, triggers), sending no event; a destination with dynamic fields is asked for
    their choices, and literal values outside them are errors. Exits 0 when valid, 3 when
    not."""
    from actions_core.dynamic import dynamic_problems, fetch_dynamic_choices

    instance = _load(config)
    answers = fetch_dynamic_choices(instance)  # asks the vendor only for dynamic fields
    for (action, key), answer in answers.items():
        if answer.error is not None:
            click.echo(f"warning: {action}.{key}: choices unavailable: {answer.error}", err=True)
    problems = dynamic_problems(instance, answers)
    if problems:
        click.echo("\n".join(f"{config}: {p}" for p in problems), err=True)
        sys.exit(EXIT_INVALID_CONFIG)
    enabled = sum(1 for s in instance.subscriptions if s.enabled)
    click.echo(
        f"{config}: valid ({instance.destination.slug}, {len(instance.subscriptions)} "
        f"mappings, {enabled} enabled)"
    )


@cli.command()
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def destinations(format_: str) -> None:
    """List installed destinations and the package that provides each."""
    registry = _state().get_registry()
    installed = registry.installed()
    if format_ == "json":
        rows = [
            {"slug": e.destination.slug, "name": e.destination.name, "package": e.package,
             "version": e.version}
            for e in installed
        ]
        click.echo(json.dumps(rows, indent=2))
    elif not installed:
        click.echo("No destinations are installed.")
    else:
        width = max(len(e.destination.slug) for e in installed)
        for e in installed:
            version = f" {e.version}" if e.version else ""
            click.echo(f"{e.destination.slug:<{width}}  {e.destination.name}  "
                       f"(package {e.package}{version})")
    for failure in registry.failures:
        click.echo(f"warning: {failure}", err=True)
    for slug, packages in registry.conflicts().items():
        click.echo(f"warning: {slug} is registered by several packages: {', '.join(packages)}",
                   err=True)


@cli.command()
@click.argument("slug")
@click.option("--format", "format_", type=click.Choice(["markdown", "json"]),
              default="markdown", show_default=True)
@click.option("--config", type=click.Path(exists=True, dir_okay=False),
              help="A config of this destination: its settings are used to fetch the current "
                   "choices of dynamic fields.")
def describe(slug: str, format_: str, config: str | None) -> None:
    """Print the documentation page of destination SLUG: settings, presets, actions and
    their fields (JSON: the full definition with default mappings)."""
    from actions_core.cli.describe import describe_json, describe_markdown
    from actions_core.dynamic import fetch_dynamic_choices
    from actions_core.errors import PluginError

    try:
        destination = _state().get_registry().get(slug)
    except PluginError as exc:
        raise click.BadParameter(str(exc), param_hint="SLUG") from None
    answers = {}
    if config is not None:
        instance = _load(config)
        if instance.destination.slug != slug:
            raise click.BadParameter(
                f"{config} configures {instance.destination.slug}, not {slug}", param_hint="--config"
            )
        answers = fetch_dynamic_choices(instance)
    if format_ == "json":
        page = describe_json(destination, answers)
        click.echo(json.dumps(page, indent=2, ensure_ascii=False))
    else:
        click.echo(describe_markdown(destination, answers), nl=False)


@cli.command("test-auth")
@click.argument("config", type=click.Path(exists=True, dir_okay=False))
def test_auth(config: str) -> None:
    """Run the destination's authentication test with the settings of CONFIG.

    On a pass, also prints the destination's note on what the test does not prove. Exits 0
    when it passes, 1 when the credentials are refused or the check fails, 3 when CONFIG is
    invalid.
    """
    from actions_core.errors import ActionsCoreError
    from actions_core.http.authentication import run_authentication_test
    from actions_core.redaction import Redactor

    instance = _load(config)
    destination = instance.destination
    if destination.authentication_test is None:
        click.echo(f"{destination.slug} has no authentication test; nothing to check.")
        return
    redactor = Redactor(instance.secrets)
    try:
        run_authentication_test(instance, redactor=redactor)
    except ActionsCoreError as exc:
        click.echo(f"Authentication failed: {redactor.redact(str(exc))}", err=True)
        sys.exit(EXIT_EVENTS_NOT_DELIVERED)
    click.echo(f"Authentication succeeded for {destination.slug}.")
    if destination.authentication_note:
        click.echo(f"Note: {destination.authentication_note}")


@cli.command()
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".",
              show_default=True, help="Where to create the package.")
def init(name: str, directory: str) -> None:
    """Create a new destination plugin package NAME (a pyproject, a module, tests)."""
    from actions_core.cli.scaffold import create_destination_package

    try:
        created = create_destination_package(name, Path(directory))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    except FileExistsError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"Created {created}")


from actions_core.cli.serve import COMMANDS as _SERVICE_COMMANDS  # noqa: E402

for _command in _SERVICE_COMMANDS:
    cli.add_command(_command)
from actions_core.cli.consume import consume as _consume  # noqa: E402

cli.add_command(_consume)


def main() -> None:
    """The console script (``actions-core``)."""
    cli()


if __name__ == "__main__":
    main()
