"""The service commands: ``serve``, ``queue status`` and ``dead-letters export|replay``.

``serve`` checks everything before the port opens: the config (exit 3, as ``run``), the
``--queue`` URL and the address (exit 2: binding a non-loopback address without a write key
is refused). See docs/serve.md.
"""

from __future__ import annotations

import json
import sqlite3
import sys

import click

from actions_core.queue.url import DEFAULT_QUEUE

EXIT_OK = 0
EXIT_USAGE = 2

_QUEUE_HELP = "The queue: sqlite:PATH (the embedded store; its folder is created)."
_SERVE_QUEUE_HELP = (
    "The queue: sqlite:PATH (the embedded store; its folder is created), or "
    "kafka://HOST:PORT[,HOST:PORT...]/TOPIC (events go to the topic; actions-core consume "
    "workers deliver them; docs/kafka.md)."
)


@click.command()
@click.argument("config", type=click.Path(exists=True, dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0: any free port, named in the start log).")
@click.option("--queue", "queue_url", default=DEFAULT_QUEUE, show_default=True,
              help=_SERVE_QUEUE_HELP)
@click.option("--partitions", type=click.IntRange(min=1), default=12, show_default=True,
              help="Partitions of a Kafka topic serve creates (an existing one is kept).")
@click.option("--dry-run", is_flag=True, help="Send nothing; write each request as a JSON line.")
@click.option("--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Where --dry-run writes (default: stdout).")
@click.option("--drain-timeout", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Seconds to finish in-flight work after SIGTERM/SIGINT.")
@click.option("--max-queue-depth", type=click.IntRange(min=1), default=10_000_000,
              show_default=True, help="Pending events above which intake answers 429.")
@click.option("--max-disk-mb", type=click.IntRange(min=1), default=20_480, show_default=True,
              help="Queue size on disk (MB) above which intake answers 429.")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--batch-age", type=click.FloatRange(min=0.001), default=1.0, show_default=True,
              help="Seconds after which a batch that is not full is sent.")
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--probe-interval", type=click.FloatRange(min=0.01), default=5.0,
              show_default=True, help="Seconds between checks of the destination while paused.")
@click.option("--dedup-window", type=click.FloatRange(min=0), default=24 * 3600.0,
              show_default=True, help="Seconds a messageId is remembered.")
def serve(
    config: str,
    host: str,
    port: int,
    queue_url: str,
    partitions: int,
    dry_run: bool,
    output: str | None,
    drain_timeout: float,
    max_queue_depth: int,
    max_disk_mb: int,
    batch_size: int,
    batch_age: float,
    concurrency: int,
    probe_interval: float,
    dedup_window: float,
) -> None:
    """Take events over HTTP (Segment's Tracking API), queue them durably and deliver them
    through CONFIG's mappings until stopped (SIGTERM/SIGINT drain and exit 0).

    Write keys come from ACTIONS_CORE_WRITE_KEY (comma-separated); without one, only a
    loopback address may be bound.
    """
    from actions_core.cli.main import _load
    from actions_core.errors import ConfigError, QueueError
    from actions_core.intake.app import IntakeLimits
    from actions_core.intake.auth import WriteKeys, check_bind
    from actions_core.queue.url import sqlite_path
    from actions_core.runtime.engine import RunOptions
    from actions_core.serve.service import ServeOptions
    from actions_core.serve.service import serve as run_service

    if output is not None and not dry_run:
        raise click.UsageError("--output is only for --dry-run")
    instance = _load(config)
    keys = WriteKeys.from_env()
    problem = check_bind(host, keys)
    if problem:
        raise click.UsageError(problem)
    try:
        if queue_url.startswith("kafka:"):
            from actions_core.kafka.address import parse_address

            parse_address(queue_url)
        else:
            sqlite_path(queue_url)
    except (QueueError, ConfigError) as exc:
        raise click.UsageError(str(exc)) from None
    options = ServeOptions(
        host=host, port=port, queue=queue_url, dry_run=dry_run, output=output,
        drain_timeout=drain_timeout, probe_interval=probe_interval, dedup_window=dedup_window,
        partitions=partitions,
        limits=IntakeLimits(max_depth=max_queue_depth, max_disk_bytes=max_disk_mb * 1024 * 1024),
        run=RunOptions(
            batch_size=batch_size, max_wait=batch_age,
            concurrency=1 if dry_run else concurrency,
            wait_rate_limits=True,  # a service waits a rate limit out; events stay queued
        ),
    )
    try:
        code = run_service(instance, options, keys)
    except QueueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(code)


def _open_queue(queue_url: str) -> tuple[sqlite3.Connection, str]:
    from actions_core.errors import QueueError
    from actions_core.queue import store
    from actions_core.queue.url import sqlite_path

    try:
        path = sqlite_path(queue_url)
        return store.connect(path, create=False), str(path)
    except QueueError as exc:
        raise click.UsageError(str(exc)) from None


@click.group()
def queue() -> None:
    """Inspect the queue of ``serve``."""


@queue.command()
@click.option("--queue", "queue_url", default=DEFAULT_QUEUE, show_default=True, help=_QUEUE_HELP)
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def status(queue_url: str, format_: str) -> None:
    """Depth, oldest pending age, counts per outcome and dead letters."""
    from actions_core.queue import store

    conn, path = _open_queue(queue_url)
    try:
        st = store.status(conn, path)
    finally:
        conn.close()
    if format_ == "json":
        click.echo(json.dumps({
            "depth": st.depth,
            "oldest_pending_age_seconds": st.oldest_age,
            "outcomes": [
                {"mapping": m, "outcome": o, "count": n} for (m, o), n in st.outcomes.items()
            ],
            "dead_letters": st.dead_letters,
            "bytes_on_disk": st.bytes_on_disk,
        }))
        return
    age = "-" if st.oldest_age is None else f"{st.oldest_age:.1f} s"
    click.echo(f"queue: {path}")
    click.echo(f"pending: {st.depth}")
    click.echo(f"oldest pending age: {age}")
    click.echo(f"dead letters: {st.dead_letters}")
    click.echo(f"bytes on disk: {st.bytes_on_disk}")
    for (mapping, outcome), count in st.outcomes.items():
        click.echo(f"{outcome}: {count}  ({mapping or '-'})")


@click.group("dead-letters")
def dead_letters() -> None:
    """Export or replay the dead letters ``serve`` kept."""


@dead_letters.command()
@click.option("--queue", "queue_url", default=DEFAULT_QUEUE, show_default=True, help=_QUEUE_HELP)
@click.option("--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="Where to write the JSON lines (- is stdout).")
def export(queue_url: str, output: str) -> None:
    """Write each dead-lettered event once, as JSON lines that ``run`` accepts."""
    from actions_core.queue import store

    conn, _ = _open_queue(queue_url)
    count = 0
    try:
        with click.open_file(output, "w", encoding="utf-8") as out:
            for line in store.dead_letter_lines(conn):
                out.write(line + "\n")
                count += 1
    finally:
        conn.close()
    click.echo(f"{count} dead letters exported", err=True)


@dead_letters.command()
@click.option("--queue", "queue_url", default=DEFAULT_QUEUE, show_default=True, help=_QUEUE_HELP)
def replay(queue_url: str) -> None:
    """Queue every dead letter again (a running ``serve`` delivers them to the mapping each
    failed for); they leave the dead letters in the same transaction."""
    import time

    from actions_core.queue import store

    conn, _ = _open_queue(queue_url)
    try:
        conn.execute("BEGIN IMMEDIATE")
        lines = store.take_dead_letters(conn)
        store.requeue(conn, [line.encode() for line in lines], time.time())
        conn.execute("COMMIT")
    finally:
        conn.close()
    click.echo(f"{len(lines)} dead letters queued again", err=True)


COMMANDS = (serve, queue, dead_letters)

__all__ = ["COMMANDS", "dead_letters", "queue", "serve"]
