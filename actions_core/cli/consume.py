"""``actions-core consume CONFIG --queue kafka://HOST:PORT/TOPIC --group NAME``: one worker of
a consumer group, delivering the topic's events with the engine of ``run`` (docs/kafka.md).

Runs until SIGTERM or Ctrl-C, then drains within ``--drain-timeout``, commits, leaves the
group and exits 0. Exit codes: 2 a bad option, 3 an invalid config, 1 the broker could not
be reached at start or a dead letter could not be stored.
"""

from __future__ import annotations

import signal
import sys
from typing import IO

import click


@click.command()
@click.argument("config", type=click.Path(exists=True, dir_okay=False))
@click.option("--queue", required=True, metavar="kafka://HOST:PORT[,HOST:PORT...]/TOPIC",
              help="The brokers and the topic to consume.")
@click.option("--group", required=True, help="The consumer group this worker joins.")
@click.option("--dead-letter-topic", metavar="TOPIC",
              help="Where rejected, failed and invalid events go (default: TOPIC.dead-letter).")
@click.option("--metrics-port", type=click.IntRange(0, 65535),
              help="Serve Prometheus metrics on this port.")
@click.option("--drain-timeout", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Seconds to finish in-flight events after SIGTERM or a revocation.")
@click.option("--partitions", type=click.IntRange(min=1), default=12, show_default=True,
              help="Partitions of a topic this command creates (an existing one is kept).")
@click.option("--session-timeout", type=click.FloatRange(min=1), default=45.0,
              show_default=True, help="Seconds without a heartbeat before the group drops "
              "this worker and hands its partitions on.")
@click.option("--dry-run", is_flag=True, help="Send nothing; write each request as a JSON line.")
@click.option("--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Where --dry-run writes (default: stdout).")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--concurrency", type=click.IntRange(min=1),
              help="Requests in flight (default 8; 1 with --dry-run).")
@click.option("--max-wait", type=click.FloatRange(min=0.001), default=1.0, show_default=True,
              help="Send a batch older than this many seconds even when not full.")
def consume(
    config: str,
    queue: str,
    group: str,
    dead_letter_topic: str | None,
    metrics_port: int | None,
    drain_timeout: float,
    partitions: int,
    session_timeout: float,
    dry_run: bool,
    output: str | None,
    batch_size: int,
    concurrency: int | None,
    max_wait: float,
) -> None:
    """Deliver the events of a Kafka topic as one worker of consumer group GROUP."""
    from actions_core.cli.main import EXIT_EVENTS_NOT_DELIVERED, EXIT_USAGE, _load
    from actions_core.errors import ConfigError, QueueError
    from actions_core.http.dry_run import DryRunTransport
    from actions_core.kafka.address import check_topic, parse_address
    from actions_core.kafka.metrics import WorkerMetrics
    from actions_core.kafka.topics import ensure_topics
    from actions_core.kafka.worker import ConsumeOptions, ConsumeWorker
    from actions_core.redaction import Redactor
    from actions_core.runtime.engine import RunOptions
    from actions_core.runtime.runner import RunFiles, options_for

    try:
        address = parse_address(queue)
        dead_letters = check_topic(dead_letter_topic, "--dead-letter-topic") if dead_letter_topic \
            else address.dead_letter_topic
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None
    instance = _load(config)
    defaults = options_for(RunFiles(dry_run=dry_run), batch_size=batch_size, concurrency=concurrency)
    run_options = RunOptions(
        batch_size=defaults.batch_size, concurrency=defaults.concurrency, max_wait=max_wait
    )
    out: IO[bytes] | None = None
    transport = None
    if dry_run:
        out = sys.stdout.buffer if output in (None, "-") else open(output, "wb")  # noqa: SIM115

        def write(line: bytes, out: IO[bytes] = out) -> None:
            out.write(line)
            out.write(b"\n")

        transport = DryRunTransport(write, redactor=Redactor(instance.secrets))
    try:
        ensure_topics(address.bootstrap_servers, [address.topic, dead_letters],
                      partitions=partitions)
    except QueueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_EVENTS_NOT_DELIVERED)
    metrics = WorkerMetrics()
    if metrics_port is not None:
        try:
            metrics.serve(metrics_port)
        except OSError as exc:
            click.echo(f"error: cannot serve metrics on port {metrics_port}: {exc}", err=True)
            sys.exit(EXIT_USAGE)
    options = ConsumeOptions(
        address=address, group=group, dead_letter_topic=dead_letters,
        drain_timeout=drain_timeout, session_timeout=session_timeout,
    )
    worker = ConsumeWorker(
        instance, options, run_options, transport=transport, metrics=metrics,
        log=lambda message: click.echo(message, err=True),
    )
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda _signum, _frame: worker.stop())
    click.echo(f"consuming {address} in group {group!r}", err=True)
    try:
        summary = worker.run()
    except QueueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_EVENTS_NOT_DELIVERED)
    finally:
        if out is not None:
            out.flush()
            if out is not sys.stdout.buffer:
                out.close()
    click.echo(
        f"stopped: {summary.messages} messages, {summary.commits} commits, "
        f"{summary.pauses} pauses", err=True,
    )
