"""Checkpoints: a stopped or killed run resumes without losing an event, resending only what
was in flight (at least once)."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions_core.errors import ConfigError
from actions_core.runtime.checkpoint import Checkpoint
from actions_core.runtime.engine import Engine, RunOptions
from actions_core.runtime.sinks import ReportWriter
from tests.toy_destination import event, toy_instance

OPTIONS = RunOptions(mode="batch", batch_size=1, concurrency=2, max_wait=0.05)
LINES = [
    json.dumps(event(f"u{i}", "aud-slow" if i == 5 else "aud-fast")) for i in range(1, 11)
]


class Recording(httpx.MockTransport):
    """Accepts every request and remembers its users; holds requests for ``aud-slow`` until
    :attr:`release` is set (the request that is in flight when the process "dies")."""

    def __init__(self, hold: bool = False) -> None:
        self.users: list[str] = []
        self.release = threading.Event()
        if not hold:
            self.release.set()
        super().__init__(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["audience"] == "aud-slow":
            self.release.wait(10.0)
        self.users.extend(item["key"] for item in body["batch"])
        return httpx.Response(204)


def wait_until(condition: Any, timeout: float = 10.0) -> bool:
    """Poll ``condition`` (a bound against hanging, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def report_lines(path: Path) -> list[int]:
    return sorted(json.loads(line)["line"] for line in path.read_text().splitlines())


def test_a_killed_run_resumes_from_its_checkpoint_and_loses_nothing(tmp_path: Path) -> None:
    checkpoint, report = tmp_path / "run.checkpoint", tmp_path / "report.jsonl"
    transport = Recording(hold=True)

    def first_run() -> None:
        with report.open("w") as out, Engine(
            toy_instance("http://toy.test"), options=OPTIONS, transport=transport,
            sinks=[ReportWriter(out)], checkpoint=Checkpoint(checkpoint),
        ) as engine:
            engine.run_lines(LINES)

    thread = threading.Thread(target=first_run)
    thread.start()
    try:
        # Lines 1-4 and 6-10 are delivered while line 5 hangs: the checkpoint must say 5.
        assert wait_until(lambda: len(transport.users) == 9)
        assert wait_until(lambda: checkpoint.exists() and Checkpoint(checkpoint).resume_from() == 5)
        # "kill -9" now: keep the files exactly as they are at this moment.
        shutil.copy(checkpoint, tmp_path / "crashed.checkpoint")
        shutil.copy(report, tmp_path / "crashed-report.jsonl")
    finally:
        transport.release.set()
        thread.join()

    crashed_report = tmp_path / "crashed-report.jsonl"
    assert set(report_lines(crashed_report)) >= {1, 2, 3, 4}  # flushed before the checkpoint
    second = Recording()
    with crashed_report.open("a") as out, Engine(
        toy_instance("http://toy.test"), options=OPTIONS, transport=second,
        sinks=[ReportWriter(out)], checkpoint=Checkpoint(tmp_path / "crashed.checkpoint"),
    ) as engine:
        summary = engine.run_lines(LINES)
    # Only line 5 was in flight: lines 6-10, resolved beyond it, are not sent again.
    assert second.users == ["u5"]
    assert summary.events == 1
    assert set(report_lines(crashed_report)) == set(range(1, 11))  # every line has its record
    assert Checkpoint(tmp_path / "crashed.checkpoint").resume_from() == 11


def test_an_interrupted_input_resumes_at_the_first_line_not_read(tmp_path: Path) -> None:
    checkpoint = Checkpoint(tmp_path / "run.checkpoint")

    def broken_input() -> Iterator[str]:
        yield from LINES[:6]
        raise OSError("the disk went away")

    first = Recording()
    with Engine(toy_instance("http://toy.test"), options=OPTIONS, transport=first,
                checkpoint=checkpoint) as engine, pytest.raises(OSError):
        engine.run_lines(broken_input())
    assert sorted(first.users) == sorted(f"u{i}" for i in range(1, 7))  # what was read got sent
    assert Checkpoint(checkpoint.path).resume_from() == 7

    second = Recording()
    with Engine(toy_instance("http://toy.test"), options=OPTIONS, transport=second,
                checkpoint=Checkpoint(checkpoint.path)) as engine:
        summary = engine.run_lines(LINES)
    assert sorted(second.users) == sorted(f"u{i}" for i in range(7, 11))
    assert summary.events == 4


def test_a_finished_run_has_nothing_left_to_resume(tmp_path: Path) -> None:
    path = tmp_path / "run.checkpoint"
    for expected_events in (10, 0):
        with Engine(toy_instance("http://toy.test"), options=OPTIONS, transport=Recording(),
                    checkpoint=Checkpoint(path)) as engine:
            assert engine.run_lines(LINES).events == expected_events
    assert Checkpoint(path).resume_from() == 11


def test_an_unreadable_checkpoint_is_an_error_not_a_fresh_start(tmp_path: Path) -> None:
    path = tmp_path / "run.checkpoint"
    path.write_text("half a wri")
    with pytest.raises(ConfigError, match="not a checkpoint file"):
        Checkpoint(path).resume_from()


def test_saving_a_checkpoint_replaces_it_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    checkpoint = Checkpoint(tmp_path / "run.checkpoint")
    assert checkpoint.resume_from() == 1
    for line in (3, 9, 42):
        checkpoint.save(line)
        assert Checkpoint(checkpoint.path).resume_from() == line
    assert [p.name for p in tmp_path.iterdir()] == ["run.checkpoint"]


def test_a_checkpoint_whose_folder_is_missing_is_refused_before_a_run(tmp_path: Path) -> None:
    checkpoint = Checkpoint(tmp_path / "gone" / "run.checkpoint")
    with pytest.raises(ConfigError, match=r"cannot save checkpoint .*run\.checkpoint: the folder .*gone does not exist"):
        checkpoint.check_writable()


def test_a_save_that_fails_names_the_checkpoint(tmp_path: Path) -> None:
    folder = tmp_path / "ckpt"
    folder.mkdir()
    checkpoint = Checkpoint(folder / "run.checkpoint")
    checkpoint.save(3)
    shutil.rmtree(folder)  # the folder goes away while the run goes on
    with pytest.raises(OSError, match=r"cannot save checkpoint .*run\.checkpoint: No such file"):
        checkpoint.save(9)
