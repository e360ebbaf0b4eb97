"""A dead-lettered event is kept exactly as it was read, by real ``actions-core run``
processes: an undecodable line byte for byte (``invalid`` again on replay), and event data
never rewritten by redaction (a replay sends the very ids that failed)."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from tests.engage import engage_event
from tests.ld_server import LaunchDarklyServer
from tests.processes import cli_env, read_jsonl, run_cli, write_config

pytestmark = pytest.mark.slow

TOKEN = "user-0"
"""A token that happens to occur inside user ids (``user-040``): redaction must not touch them."""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("run", *args, env=cli_env(token=TOKEN))


def test_a_line_that_is_not_utf8_is_kept_byte_for_byte_and_stays_invalid_on_replay(tmp_path: Path) -> None:
    raw = json.dumps(engage_event("caf\N{LATIN SMALL LETTER E WITH ACUTE}"), ensure_ascii=False).encode("latin-1")
    source = tmp_path / "events.jsonl"
    source.write_bytes(raw + b"\n")
    config = write_config(tmp_path / "config.yaml", "http://127.0.0.1:9")
    first, second = tmp_path / "dead.jsonl", tmp_path / "dead-2.jsonl"

    assert run(str(config), "--dry-run", "--input", str(source), "--dead-letter", str(first)).returncode == 1
    (entry,) = read_jsonl(first)
    assert (entry["outcome"], entry["event"]) == ("invalid", None)
    assert base64.b64decode(str(entry["raw_b64"])) == raw

    replay = run(str(config), "--dry-run", "--output", str(tmp_path / "requests.jsonl"),
                 "--input", str(first), "--dead-letter", str(second), "--report", "-")
    assert [json.loads(line)["outcome"] for line in replay.stdout.splitlines()] == ["invalid"]
    (again,) = read_jsonl(second)
    assert base64.b64decode(str(again["raw_b64"])) == raw


def test_redaction_never_rewrites_a_dead_lettered_event_and_a_replay_sends_the_real_ids(tmp_path: Path) -> None:
    users = ["user-040", "user-080"]
    source = tmp_path / "events.jsonl"
    source.write_text("".join(json.dumps(engage_event(u)) + "\n" for u in users), encoding="utf-8")
    dead = tmp_path / "dead.jsonl"
    with LaunchDarklyServer(token="a-revoked-token-for-the-first-run") as ld:
        config = write_config(tmp_path / "config.yaml", ld.url)
        first = run(str(config), "--input", str(source), "--dead-letter", str(dead))
    assert first.returncode == 1 and TOKEN not in first.stderr
    text = dead.read_text(encoding="utf-8")
    assert TOKEN not in text and "***" not in text  # neither shown nor masked
    entries = read_jsonl(dead)
    assert [e["outcome"] for e in entries] == ["pending", "pending"]  # the 401 interrupted
    assert [json.loads(base64.b64decode(str(e["raw_b64"]))) for e in entries] == [
        engage_event(u) for u in users
    ]

    with LaunchDarklyServer(token=TOKEN) as ld:  # the token is fixed: replay
        config = write_config(tmp_path / "config.yaml", ld.url)
        replay = run(str(config), "--input", str(dead))
        members = ld.state()
    assert replay.returncode == 0, replay.stderr
    assert members == {("aud_trial_001", u): True for u in users}
