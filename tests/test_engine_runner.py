"""The runner (files around a run) and the engine's plumbing: chunked reading of input,
ordered dispatch, report lines, progress."""

from __future__ import annotations

import errno
import io
import json
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions_core.errors import ConfigError, RunFailed
from actions_core.runtime import reading
from actions_core.runtime.batching import Batch, Batcher
from actions_core.runtime.checkpoint import Checkpoint
from actions_core.runtime.dispatch import Dispatcher
from actions_core.runtime.engine import Engine, RunOptions, RunSummary
from actions_core.runtime.outcomes import Outcome, OutcomeRecord
from actions_core.runtime.runner import RunFiles, run
from actions_core.runtime.sinks import ReportWriter
from tests.toy_destination import TOKEN, event, toy_instance


def write_events(path: Path, count: int, first: int = 0) -> str:
    path.write_text("".join(json.dumps(event(f"u{i}")) + "\n" for i in range(first, first + count)))
    return str(path)


def test_a_dry_run_writes_each_request_as_a_json_line_with_the_token_masked(tmp_path: Path) -> None:
    source = write_events(tmp_path / "in.jsonl", 3)
    output = tmp_path / "requests.jsonl"
    summary = run(
        toy_instance("http://toy.test"), RunFiles(input=source, dry_run=True, output=str(output)),
        RunOptions(mode="batch"),
    )
    (request,) = [json.loads(line) for line in output.read_text().splitlines()]
    assert request["url"] == "http://toy.test/audiences"
    assert request["json"]["batch"] == [{"key": f"u{i}", "value": True} for i in range(3)]
    assert request["headers"]["authorization"] == "***"
    assert TOKEN not in output.read_text()
    assert summary.counts[Outcome.DELIVERED] == 3


def test_a_dry_run_to_a_text_only_stdout_still_writes_its_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdout = io.StringIO()  # no binary buffer underneath, as under contextlib.redirect_stdout
    monkeypatch.setattr("sys.stdout", stdout)
    source = write_events(tmp_path / "in.jsonl", 2)
    run(toy_instance("http://toy.test"), RunFiles(input=source, dry_run=True), RunOptions(mode="batch"))
    (request,) = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert request["json"]["batch"] == [{"key": "u0", "value": True}, {"key": "u1", "value": True}]


def test_the_report_is_appended_to_on_resume_without_a_killed_run_s_partial_line(tmp_path: Path) -> None:
    files = RunFiles(
        input=write_events(tmp_path / "in.jsonl", 4),
        dry_run=True,
        output=str(tmp_path / "out.jsonl"),
        report=str(tmp_path / "report.jsonl"),
        checkpoint=str(tmp_path / "run.checkpoint"),
    )
    # the first run was killed while writing line 2's record: that partial line goes
    (tmp_path / "report.jsonl").write_text('{"line":1,"from":"the first run"}\n{"line":2,"mapp')
    Checkpoint(tmp_path / "run.checkpoint").save(3)  # lines 1-2 were done by a killed run
    run(toy_instance("http://toy.test"), files, RunOptions(mode="batch"))
    lines = [json.loads(line) for line in (tmp_path / "report.jsonl").read_text().splitlines()]
    assert [line["line"] for line in lines] == [1, 3, 4]
    assert lines[0] == {"line": 1, "from": "the first run"}


def test_the_runner_refuses_to_overwrite_its_own_input(tmp_path: Path) -> None:
    source = write_events(tmp_path / "dead.jsonl", 1)
    with pytest.raises(ConfigError, match="is the input file"):
        run(toy_instance("http://toy.test"), RunFiles(input=source, dead_letter=source))
    assert len(Path(source).read_text().splitlines()) == 1


class FillsUpAfter(io.StringIO):
    """A report file on a disk that fills up: writes after the first ``room`` fail."""

    name = "report.jsonl"

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, text: str) -> int:
        if self.room == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= 1
        return super().write(text)


def test_a_report_write_failing_mid_run_raises_run_failed_with_the_summary_so_far(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("actions_core.runtime.runner._open_file", lambda path, append, binary: FillsUpAfter(room=1))
    files = RunFiles(input=write_events(tmp_path / "in.jsonl", 3), report="report.jsonl")
    with pytest.raises(RunFailed) as failed:
        run(toy_instance("http://toy.test"), files, RunOptions(mode="single", concurrency=1),
            transport=httpx.MockTransport(lambda request: httpx.Response(204)))
    assert str(failed.value) == "cannot write the report report.jsonl: No space left on device"
    assert failed.value.summary is not None
    assert (failed.value.summary.events, failed.value.summary.requests) == (3, 3)
    assert failed.value.checkpoint is None


def test_the_runner_refuses_two_streams_on_stdout(tmp_path: Path) -> None:
    files = RunFiles(input=write_events(tmp_path / "in.jsonl", 1), dry_run=True, report="-")
    with pytest.raises(ConfigError, match="--dry-run without --output and --report - would both"):
        run(toy_instance("http://toy.test"), files)


def test_a_report_line_has_the_documented_fields() -> None:
    out = io.StringIO()
    ReportWriter(out).record([
        OutcomeRecord(3, "sync", Outcome.DELIVERED, 204, None, event("u1"), 1),
        OutcomeRecord(4, None, Outcome.INVALID, None, 'bad "quote"', "{oops", 0, "INVALID_JSON"),
    ])
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        {"line": 3, "mapping": "sync", "outcome": "delivered", "status": 204, "error": None},
        {"line": 4, "mapping": None, "outcome": "invalid", "status": None, "error": 'bad "quote"'},
    ]


def test_stream_input_is_numbered_across_chunks_and_long_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "CHUNK_BYTES", 4)
    data = "ab\n\nxyz-long-line\né€\n".encode() + b"\xff\nlast"
    chunks = list(reading.line_chunks(io.BytesIO(data), 10))
    numbered = [(first + i, line) for first, lines, _ in chunks for i, line in enumerate(lines)]
    assert numbered == [
        (10, b"ab"), (11, b""), (12, b"xyz-long-line"), (13, "é€".encode()), (14, b"\xff"),
        (15, b"last"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        b'{"id": 12345678901234567890123, "n": -9223372036854775809}',  # beyond 64 bits
        b'{"x": NaN, "y": Infinity, "big": 1e400}',
        b'{"s": "\\ud800 lone surrogate"}',
        b"\xef\xbb\xbf{\"bom\": true}",
        b'{"a": 1, "a": 2, "f": 0.1, "e": 1.5e300, "z": -0}',
    ],
    ids=["big-ints", "nan", "surrogate", "bom", "plain"],
)
def test_stream_lines_parse_exactly_as_json_loads_does(line: bytes, tmp_path: Path) -> None:
    """Stream chunks may use a faster parser; what it yields must be what json.loads yields,
    from a pipe-like stream and from a regular file alike."""
    path = tmp_path / "in.jsonl"
    path.write_bytes(line + b"\n")
    with path.open("rb") as file:
        chunks = list(reading.line_chunks(io.BytesIO(line + b"\n"))) + list(reading.line_chunks(file))
    expected = json.loads(line)
    for _, lines, loads in chunks:
        try:
            parsed = loads(lines[0])
        except ValueError:
            parsed = json.loads(lines[0])  # the engine's fallback
        assert repr(parsed) == repr(expected)  # repr: NaN != NaN, and int vs float shows


def test_a_regular_file_is_numbered_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "CHUNK_BYTES", 4)
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"ab\n\nxyz-long-line\n\xff\nlast")
    with path.open("rb") as file:
        chunks = list(reading.line_chunks(file, 10))
    numbered = [(first + i, line.rstrip(b"\n")) for first, lines, _ in chunks for i, line in enumerate(lines)]
    assert numbered == [(10, b"ab"), (11, b""), (12, b"xyz-long-line"), (13, b"\xff"), (14, b"last")]
    assert len(chunks) > 1


def test_items_of_one_key_run_in_order_and_other_keys_are_not_held_up() -> None:
    """Key "a"'s first item waits until key "b"'s item ran; "a"'s second item must still wait
    for "a"'s first (bounds of 5 s only keep a broken dispatcher from hanging)."""
    b_done = threading.Event()
    done: list[str] = []

    def perform(item: str) -> None:
        if item == "a1":
            assert b_done.wait(5.0)
        done.append(item)
        if item == "b1":
            b_done.set()

    dispatcher: Dispatcher[str] = Dispatcher(perform, workers=2, max_pending=8)
    for key, item in (("a", "a1"), ("a", "a2"), ("b", "b1")):
        dispatcher.submit(key, item)
    dispatcher.wait_idle()
    dispatcher.close()
    assert done == ["b1", "a1", "a2"]


def test_progress_is_reported_while_a_run_goes_on() -> None:
    reported: list[RunSummary] = []
    seen = threading.Event()

    def progress(summary: RunSummary) -> None:
        reported.append(summary)
        seen.set()

    def stream() -> Iterator[dict[str, Any]]:
        yield event("u1")
        assert seen.wait(10.0)

    with Engine(toy_instance("http://toy.test"), options=RunOptions(max_wait=0.02),
                transport=httpx.MockTransport(lambda request: httpx.Response(204)),
                progress=progress, progress_interval=0.0) as engine:
        engine.run_events(stream())
    assert reported and reported[0].events == 1


def test_input_dash_is_read_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"".join(json.dumps(event(f"u{i}")).encode() + b"\n" for i in range(2))))
    monkeypatch.setattr("sys.stdin", stdin)
    summary = run(
        toy_instance("http://toy.test"), RunFiles(input="-"), RunOptions(mode="batch"),
        transport=httpx.MockTransport(lambda request: httpx.Response(204)),
    )
    assert summary.counts[Outcome.DELIVERED] == 2


def test_unhashable_batch_key_values_still_share_a_batch() -> None:
    sent: deque[Batch] = deque()
    (sub,) = toy_instance("http://toy.test").subscriptions
    batcher = Batcher(sub, size=2, mode="batch", outbox=sent, clock=lambda: 0.0)
    for line in (1, 2):
        batcher.add(line, {}, {"audience_id": ["a", "b"], "key": f"u{line}"})
    assert [b.lines for b in sent] == [[1, 2]]


def test_a_dry_run_defaults_to_one_worker_and_a_real_run_to_eight() -> None:
    from actions_core.runtime.runner import RunFiles, options_for

    assert options_for(RunFiles(dry_run=True)).concurrency == 1
    assert options_for(RunFiles(dry_run=False)).concurrency == 8
    assert options_for(RunFiles(dry_run=True), concurrency=4).concurrency == 4


def test_a_report_that_cannot_be_written_stops_the_run_instead_of_sending_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("actions_core.runtime.runner._open_file", lambda path, append, binary: FillsUpAfter(room=1))
    files = RunFiles(input=write_events(tmp_path / "in.jsonl", 3000), report="report.jsonl")
    with pytest.raises(RunFailed) as failed:
        run(toy_instance("http://toy.test"), files, RunOptions(mode="single", concurrency=1),
            transport=httpx.MockTransport(lambda request: httpx.Response(204)))
    assert failed.value.summary is not None
    # The reader stops at the first chunk after the failure; backpressure keeps it close.
    assert failed.value.summary.requests < 1000
