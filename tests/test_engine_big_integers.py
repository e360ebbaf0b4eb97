"""A valid JSON event may hold an integer longer than Python's int/str conversion limit
(4,300 digits): it is read, routed and kept in dead letters as the number it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actions_core.runtime.big_integers import MAX_DIGITS, loads
from actions_core.runtime.engine import RunOptions
from actions_core.runtime.outcomes import Outcome
from actions_core.runtime.runner import RunFiles, run
from tests.engine_server import AudienceServer
from tests.processes import REPO, run_cli
from tests.toy_destination import event, toy_instance

BIG = (10**5000 - 1) // 9 * 7  # 777...7, 5,000 digits (int("7" * 5000) is refused)


def first_example_event() -> dict[str, object]:
    with (REPO / "examples" / "engage-events.jsonl").open(encoding="utf-8") as f:
        first: dict[str, object] = json.loads(f.readline())
    return first


def big_integer_line(payload: dict[str, object]) -> str:
    """``payload`` as a JSON line with ``"score": 777...7`` (5,000 digits) added at the top."""
    return json.dumps(payload)[:-1] + ', "score": ' + "7" * 5000 + "}"


@pytest.mark.slow
def test_an_event_with_a_5000_digit_integer_in_an_unrelated_trait_is_delivered(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(big_integer_line(first_example_event()) + "\n", encoding="utf-8")
    result = run_cli(
        "run", "examples/launchdarkly.yaml", "--input", str(events),
        "--dry-run", "--output", str(tmp_path / "requests.jsonl"), "--report", "-",
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["outcome"] for line in result.stdout.splitlines()] == ["delivered"]


def test_a_dead_lettered_event_keeps_its_long_integer_digit_for_digit(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(big_integer_line(event("has space")) + "\n", encoding="utf-8")
    dead = tmp_path / "dead.jsonl"
    with AudienceServer() as server:
        summary = run(
            toy_instance(server.url), RunFiles(input=str(source), dead_letter=str(dead)),
            RunOptions(mode="batch"),
        )
    assert summary.counts[Outcome.REJECTED] == 1  # the toy refuses a key with a space
    (entry,) = [loads(line) for line in dead.read_text(encoding="utf-8").splitlines()]
    assert entry["event"] == {**event("has space"), "score": BIG}


def test_an_integer_beyond_the_longest_read_is_invalid_with_its_length(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"type": "track", "n": ' + "1" * (MAX_DIGITS + 1) + "}\n", encoding="utf-8")
    report = tmp_path / "report.jsonl"
    with AudienceServer() as server:
        run(toy_instance(server.url), RunFiles(input=str(source), report=str(report)), RunOptions())
    (line,) = [json.loads(text) for text in report.read_text(encoding="utf-8").splitlines()]
    assert (line["outcome"], line["error"]) == (
        "invalid", f"an integer of {MAX_DIGITS + 1:,} digits; at most {MAX_DIGITS:,} are read"
    )
