"""``actions-core`` driven as a user would (click's runner): every command and exit code.

Config mistakes have their own file (``test_cli_config_errors.py``); real processes are in
``test_cli_subprocess.py``. HTTP goes to a server on 127.0.0.1 started by the test.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import actions_launchdarkly_audiences as launchdarkly
import pytest
from click.testing import CliRunner, Result

from actions_core.cli.main import CliState, cli
from actions_core.definitions import Action, Destination, Field
from actions_core.hookspecs import hookimpl
from actions_core.registry import DestinationRegistry
from tests.http_server import LocalServer, Reply, serve

TOKEN = "s3cret-token"
PRESET = "Sync Engage Audience to LaunchDarkly"
SYNC_PATH = "/api/v2/segment-targets/segment-audiences"

Invoke = Callable[..., Result]


def engage_identify(user: str, member: bool, **personas: str) -> dict[str, Any]:
    """An Engage audience identify event for the trial_users audience."""
    return {
        "type": "identify",
        "userId": user,
        "traits": {"trial_users": member},
        "context": {
            "personas": {
                "computation_class": "audience",
                "computation_key": "trial_users",
                "computation_id": "aud_trial_001",
                **personas,
            }
        },
    }


ADD = json.dumps(engage_identify("user-1", True))
REMOVE = json.dumps(engage_identify("user-2", False))
PAGE = json.dumps({"type": "page", "userId": "user-3", "name": "Pricing"})
COMPUTED_TRAIT = json.dumps(engage_identify("user-4", True, computation_class="computed_trait"))
NOT_JSON = '{"type": "identify",'


def lines(*events: str) -> str:
    return "".join(e + "\n" for e in events)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    yield from serve()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_config(base_url: str = "http://127.0.0.1:9") -> str:
    """``config.yaml`` syncing through the preset; LaunchDarkly's hosts replaced by a local
    address (port 9 refuses, so nothing can leave the machine by accident)."""
    Path("config.yaml").write_text(
        textwrap.dedent(f"""\
            destination: actions-launchdarkly-audiences
            settings:
              apiKey: {TOKEN}
              clientId: env-1
              apiBaseUrl: {base_url}
              clientSdkBaseUrl: {base_url}
            mappings:
              - name: Sync
                preset: {PRESET}
        """),
        encoding="utf-8",
    )
    return "config.yaml"


@pytest.fixture
def invoke(workdir: Path) -> Invoke:
    """``invoke("run", "config.yaml", input=...)`` with the LaunchDarkly destination registered."""

    def run(*args: str, input: str | None = None, registry: DestinationRegistry | None = None) -> Result:
        registry = registry or DestinationRegistry.from_plugins({"actions-core": launchdarkly})
        return CliRunner().invoke(cli, list(args), input=input, obj=CliState(registry=registry))

    return run


def read_jsonl(path: str) -> list[Any]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def by_line(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (r["line"], r["mapping"] or ""))


# ------------------------------------------------------------------------------ run


def test_a_dry_run_prints_each_request_with_secrets_masked(invoke: Invoke) -> None:
    result = invoke("run", write_config(), "--dry-run", input=lines(ADD, REMOVE))
    assert result.exit_code == 0
    [request] = [json.loads(line) for line in result.stdout.splitlines()]
    assert request == {
        "method": "POST",
        "url": f"http://127.0.0.1:9{SYNC_PATH}",
        "headers": {
            "user-agent": "SegmentSyncAudiences/1.1.0",
            "content-type": "application/json",
            "authorization": "***",
            "ld-api-version": "20240415",
        },
        "json": {
            "environmentId": "env-1",
            "contextKind": "user",
            "batch": [
                {"userId": "user-1", "cohortName": "Trial users", "cohortId": "aud_trial_001", "value": True},
                {"userId": "user-2", "cohortName": "Trial users", "cohortId": "aud_trial_001", "value": False},
            ],
        },
    }
    assert TOKEN not in result.output


def test_a_dry_run_writes_requests_to_the_output_file(invoke: Invoke) -> None:
    result = invoke("run", write_config(), "--dry-run", "--output", "requests.jsonl", input=ADD)
    assert (result.exit_code, result.stdout) == (0, "")
    assert [r["method"] for r in read_jsonl("requests.jsonl")] == ["POST"]


def test_the_report_has_one_line_per_outcome(invoke: Invoke) -> None:
    events = lines(ADD, PAGE, NOT_JSON, COMPUTED_TRAIT)
    result = invoke("run", write_config(), "--dry-run", "--report", "report.jsonl", input=events)
    assert result.exit_code == 1
    assert by_line(read_jsonl("report.jsonl")) == [
        {"line": 1, "mapping": "Sync", "outcome": "delivered", "status": 204, "error": None},
        {"line": 2, "mapping": None, "outcome": "filtered", "status": None, "error": None},
        {"line": 3, "mapping": None, "outcome": "invalid", "status": None,
         "error": "Expecting property name enclosed in double quotes: line 1 column 21 (char 20)"},
        {"line": 4, "mapping": "Sync", "outcome": "rejected", "status": None,
         "error": 'Segment Computation Action must be one of: "audience" or "journey_step".'},
    ]


def test_run_exits_0_when_every_event_was_delivered_or_filtered(invoke: Invoke) -> None:
    result = invoke("run", write_config(), "--dry-run", input=lines(ADD, PAGE))
    assert result.exit_code == 0


def test_run_exits_1_when_a_line_is_not_a_json_object(invoke: Invoke) -> None:
    result = invoke("run", write_config(), "--dry-run", input=lines(ADD, "[1, 2]"))
    assert result.exit_code == 1


def test_the_summary_on_stderr_counts_every_outcome(invoke: Invoke) -> None:
    events = lines(ADD, PAGE, NOT_JSON, COMPUTED_TRAIT)
    result = invoke("run", write_config(), "--dry-run", input=events)
    summary = result.stderr.strip()
    assert summary.startswith(
        "4 events: 1 delivered, 1 rejected, 0 failed, 1 filtered, 1 invalid; "
        "1 requests, 0 retries, "
    )
    assert summary.endswith("s")


def test_there_is_no_progress_line_when_stderr_is_not_a_terminal(invoke: Invoke) -> None:
    result = invoke("run", write_config(), "--dry-run", input=lines(ADD))
    assert "\r" not in result.stderr


def test_run_delivers_to_the_destination(invoke: Invoke, server: LocalServer) -> None:
    server.default = Reply(status=204)
    result = invoke("run", write_config(server.url), input=lines(ADD, REMOVE))
    assert result.exit_code == 0
    [sent] = server.requests
    assert (sent.method, sent.path, sent.header("Authorization")) == ("POST", SYNC_PATH, TOKEN)
    assert [m["userId"] for m in sent.json()["batch"]] == ["user-1", "user-2"]


def test_a_refused_request_fails_its_events_and_exits_1(invoke: Invoke, server: LocalServer) -> None:
    server.default = Reply(status=400, body={"code": "invalid_request", "message": "bad"})
    result = invoke("run", write_config(server.url), "--report", "report.jsonl", input=ADD)
    assert result.exit_code == 1
    [record] = read_jsonl("report.jsonl")
    assert (record["outcome"], record["status"], record["error"]) == (
        "failed", 400, "400 Bad Request: bad"
    )


def test_events_not_delivered_go_to_the_dead_letter_file(invoke: Invoke) -> None:
    events = lines(ADD, COMPUTED_TRAIT)
    result = invoke("run", write_config(), "--dry-run", "--dead-letter", "dead.jsonl", input=events)
    assert result.exit_code == 1
    [entry] = read_jsonl("dead.jsonl")
    assert (entry["line"], entry["outcome"], entry["event"]) == (2, "rejected", json.loads(COMPUTED_TRAIT))


def test_a_run_resumes_after_its_checkpoint(invoke: Invoke, workdir: Path) -> None:
    Path("events.jsonl").write_text(lines(ADD, REMOVE), encoding="utf-8")
    args = ("run", write_config(), "--input", "events.jsonl", "--dry-run", "--checkpoint", "ckpt")
    invoke(*args)
    again = invoke(*args)
    assert (again.exit_code, again.stdout) == (0, "")  # nothing left to send
    assert again.stderr.startswith("0 events:")


def test_run_exits_3_on_an_invalid_config_before_reading_events(invoke: Invoke) -> None:
    Path("config.yaml").write_text("destination: actions-launchdarkly-audiences\nmappings: 3\n")
    result = invoke("run", "config.yaml", "--dry-run", input=ADD)
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == "config.yaml:2:11: mappings: expected a list, found a number\n"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["run", "missing.yaml"], id="config-file-missing"),
        pytest.param(["run", "config.yaml", "--input", "missing.jsonl"], id="input-file-missing"),
        pytest.param(["run", "config.yaml", "--batch-size", "0"], id="batch-size-zero"),
        pytest.param(["run", "config.yaml", "--concurrency", "lots"], id="concurrency-not-a-number"),
        pytest.param(["run", "config.yaml", "--output", "out.jsonl"], id="output-without-dry-run"),
        pytest.param(["run", "config.yaml", "--speed", "11"], id="unknown-option"),
        pytest.param(["send", "config.yaml"], id="unknown-command"),
    ],
)
def test_a_usage_error_exits_2(invoke: Invoke, args: list[str]) -> None:
    write_config()
    result = invoke(*args, input="")
    assert result.exit_code == 2
    assert "Usage: " in result.stderr


def test_writing_over_the_input_is_refused_with_exit_2(invoke: Invoke) -> None:
    Path("events.jsonl").write_text(ADD + "\n", encoding="utf-8")
    args = ("run", write_config(), "--input", "events.jsonl", "--dead-letter", "events.jsonl")
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: the dead-letter file 'events.jsonl' is the input file")


def test_two_outputs_in_one_file_are_refused_with_exit_2(invoke: Invoke) -> None:
    Path("events.jsonl").write_text(ADD + "\n", encoding="utf-8")
    args = ("--input", "events.jsonl", "--report", "out.jsonl", "--dead-letter", "out.jsonl")
    result = invoke("run", write_config(), *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: the report file 'out.jsonl' and the dead-letter file 'out.jsonl' are the same "
        "file; give each its own\n"
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("half a line", id="not-json"),
        pytest.param('{"version": 1}', id="no-next-line"),
        pytest.param("[3]", id="not-an-object"),
    ],
)
def test_a_file_that_is_not_a_checkpoint_is_refused_with_exit_2(
    invoke: Invoke, server: LocalServer, content: str
) -> None:
    Path("events.jsonl").write_text(ADD + "\n", encoding="utf-8")
    Path("run.ckpt").write_text(content, encoding="utf-8")
    Path("report.jsonl").write_text('{"line": 1}\n', encoding="utf-8")
    args = ("--input", "events.jsonl", "--checkpoint", "run.ckpt", "--report", "report.jsonl")
    result = invoke("run", write_config(server.url), *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        'error: checkpoint run.ckpt is not a checkpoint file (expected {"next_line": <n>}); '
        "delete it to start from the first line\n"
    )
    assert server.requests == []  # refused before anything was sent or truncated
    assert Path("report.jsonl").read_text(encoding="utf-8") == '{"line": 1}\n'


def test_a_checkpoint_in_a_missing_folder_is_refused_with_exit_2_before_anything_is_sent(
    invoke: Invoke, server: LocalServer
) -> None:
    Path("events.jsonl").write_text(ADD + "\n", encoding="utf-8")
    args = ("--input", "events.jsonl", "--checkpoint", "no-such-folder/run.ckpt")
    result = invoke("run", write_config(server.url), *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: cannot save checkpoint no-such-folder/run.ckpt: the folder no-such-folder does "
        "not exist\n"
    )
    assert server.requests == []


def test_a_checkpoint_with_a_line_below_1_is_refused_with_exit_2(invoke: Invoke) -> None:
    Path("events.jsonl").write_text(ADD + "\n", encoding="utf-8")
    Path("run.ckpt").write_text('{"version": 1, "next_line": 0}\n', encoding="utf-8")
    args = ("--input", "events.jsonl", "--dry-run", "--checkpoint", "run.ckpt")
    result = invoke("run", write_config(), *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: checkpoint run.ckpt: next_line must be a positive integer\n"


# ------------------------------------------------------------------- - for stdout


def test_report_dash_writes_one_line_per_outcome_to_stdout(invoke: Invoke) -> None:
    args = ("--dry-run", "--output", "requests.jsonl", "--report", "-")
    result = invoke("run", write_config(), *args, input=lines(ADD, PAGE))
    assert result.exit_code == 0
    assert by_line([json.loads(line) for line in result.stdout.splitlines()]) == [
        {"line": 1, "mapping": "Sync", "outcome": "delivered", "status": 204, "error": None},
        {"line": 2, "mapping": None, "outcome": "filtered", "status": None, "error": None},
    ]
    assert not Path("-").exists()


def test_dead_letter_dash_writes_the_events_not_delivered_to_stdout(invoke: Invoke) -> None:
    args = ("--dry-run", "--output", "requests.jsonl", "--dead-letter", "-")
    result = invoke("run", write_config(), *args, input=lines(ADD, COMPUTED_TRAIT))
    assert result.exit_code == 1
    [entry] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (entry["line"], entry["outcome"], entry["event"]) == (2, "rejected", json.loads(COMPUTED_TRAIT))
    assert not Path("-").exists()


@pytest.mark.parametrize(
    ("args", "streams"),
    [
        pytest.param(["--dry-run", "--report", "-"], "--dry-run without --output and --report -",
                     id="dry-run-and-report"),
        pytest.param(["--dry-run", "--dead-letter", "-"],
                     "--dry-run without --output and --dead-letter -", id="dry-run-and-dead-letter"),
        pytest.param(["--dry-run", "--output", "-", "--report", "-"], "--output - and --report -",
                     id="output-and-report"),
        pytest.param(["--report", "-", "--dead-letter", "-"], "--report - and --dead-letter -",
                     id="report-and-dead-letter"),
    ],
)
def test_two_streams_on_stdout_are_refused_with_exit_2_naming_both(
    invoke: Invoke, server: LocalServer, args: list[str], streams: str
) -> None:
    result = invoke("run", write_config(server.url), *args, input=ADD)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "Usage: " in result.stderr
    assert f"Error: {streams} would both write to stdout" in result.stderr
    assert server.requests == []
    assert not Path("-").exists()


def test_a_checkpoint_on_stdout_is_refused_with_exit_2(invoke: Invoke, server: LocalServer) -> None:
    result = invoke("run", write_config(server.url), "--checkpoint", "-", input=ADD)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "Error: --checkpoint - is not allowed: a checkpoint must be a file" in result.stderr
    assert server.requests == []
    assert not Path("-").exists()


# ------------------------------------------------------------ files failing mid-run

needs_dev_full = pytest.mark.skipif(
    not Path("/dev/full").exists(), reason="needs /dev/full (writes to it fail: disk full)"
)


@needs_dev_full
def test_a_report_that_fills_the_disk_mid_run_exits_1_with_the_error_and_the_summary_so_far(
    invoke: Invoke,
) -> None:
    args = ("--dry-run", "--output", "requests.jsonl", "--report", "/dev/full")
    result = invoke("run", write_config(), *args, input=lines(ADD, REMOVE))
    assert result.exit_code == 1
    error, consequence, resume, summary = result.stderr.splitlines()
    assert error == "error: cannot write the report /dev/full: No space left on device"
    assert consequence == (
        "The run failed after it had started sending: events after the failure may have no "
        "recorded outcome."
    )
    assert resume == "There is no --checkpoint, so a new run starts again from the first line."
    assert summary.startswith("So far: 2 events: 2 delivered, 0 rejected, 0 failed, 0 filtered, 0 invalid; ")


@needs_dev_full
def test_a_run_that_failed_mid_way_says_it_resumes_from_its_checkpoint(invoke: Invoke) -> None:
    Path("events.jsonl").write_text(lines(ADD, REMOVE), encoding="utf-8")
    args = ("--input", "events.jsonl", "--dry-run", "--output", "requests.jsonl", "--report",
            "/dev/full", "--checkpoint", "run.ckpt")
    result = invoke("run", write_config(), *args)
    assert result.exit_code == 1
    assert (
        "Once the problem is fixed, run the same command again to resume from the checkpoint "
        "run.ckpt (it never gets ahead of the recorded outcomes)."
    ) in result.stderr.splitlines()


def test_a_checkpoint_that_cannot_be_saved_mid_run_exits_1_after_sending(
    invoke: Invoke, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def folder_removed(**_: Any) -> Any:  # the checkpoint's folder vanished after the start
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr("actions_core.runtime.checkpoint.tempfile.mkstemp", folder_removed)
    server.default = Reply(status=204)
    Path("events.jsonl").write_text(lines(ADD), encoding="utf-8")
    args = ("--input", "events.jsonl", "--checkpoint", "run.ckpt")
    result = invoke("run", write_config(server.url), *args)
    assert result.exit_code == 1
    assert len(server.requests) == 1
    lines_out = result.stderr.splitlines()
    assert lines_out[0] == "error: cannot save checkpoint run.ckpt: No such file or directory"
    assert lines_out[-1].startswith("So far: 1 events: 1 delivered, ")


def test_a_report_in_a_missing_folder_is_refused_with_exit_2_before_anything_is_sent(
    invoke: Invoke, server: LocalServer
) -> None:
    args = ("--report", "no-such-folder/report.jsonl")
    result = invoke("run", write_config(server.url), *args, input=ADD)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: no-such-folder/report.jsonl: No such file or directory\n"
    assert server.requests == []


# ------------------------------------------------------------------- validate & co


def test_validate_accepts_a_valid_config_and_sends_nothing(invoke: Invoke, server: LocalServer) -> None:
    result = invoke("validate", write_config(server.url))
    assert (result.exit_code, result.stdout) == (
        0, "config.yaml: valid (actions-launchdarkly-audiences, 1 mappings, 1 enabled)\n"
    )
    assert server.requests == []


def test_destinations_lists_each_destination_with_its_package(invoke: Invoke) -> None:
    result = invoke("destinations")
    assert (result.exit_code, result.stdout) == (
        0, "actions-launchdarkly-audiences  LaunchDarkly Audiences  (package actions-core)\n"
    )


def test_destinations_as_json(invoke: Invoke) -> None:
    result = invoke("destinations", "--format", "json")
    assert json.loads(result.stdout) == [
        {"slug": "actions-launchdarkly-audiences", "name": "LaunchDarkly Audiences",
         "package": "actions-core", "version": None}
    ]


def test_describe_prints_a_docs_page_with_settings_presets_and_fields(invoke: Invoke) -> None:
    result = invoke("describe", "actions-launchdarkly-audiences")
    page = result.stdout
    assert result.exit_code == 0
    assert page.startswith("# LaunchDarkly Audiences Destination\n")
    assert "| LaunchDarkly client-side ID | `clientId` | string | Yes |  | Copy the [client-side" in page
    assert f'| {PRESET} | `type = "identify" or type = "track"` | Sync Audience |' in page
    # A `|` inside a cell is escaped, so the table keeps its columns.
    assert (
        '| Email address (hidden) | `user_email` | string | No | '
        '`{"@path": "traits.email \\|\\| context.traits.email"}` | The user\'s email address |'
    ) in page


def test_describe_as_json_gives_fields_with_their_default_mappings(invoke: Invoke) -> None:
    result = invoke("describe", "actions-launchdarkly-audiences", "--format", "json")
    definition = json.loads(result.stdout)
    [action] = definition["actions"]
    fields = {f["key"]: f for f in action["fields"]}
    assert fields["segment_audience_id"]["default"] == {"@path": "context.personas.computation_id"}
    assert [p["name"] for p in definition["presets"]] == [PRESET]
    assert [s["key"] for s in definition["settings"]][:2] == ["apiKey", "clientId"]


def test_describe_an_unknown_destination_exits_2(invoke: Invoke) -> None:
    result = invoke("describe", "actions-nope")
    assert result.exit_code == 2
    assert "No installed destination has the slug 'actions-nope'" in result.stderr


# ----------------------------------------------------------------------- test-auth


def test_test_auth_passes_when_both_checks_pass(invoke: Invoke, server: LocalServer) -> None:
    result = invoke("test-auth", write_config(server.url))
    assert result.exit_code == 0
    assert result.stdout.startswith("Authentication succeeded for actions-launchdarkly-audiences.\n")
    assert [(r.method, r.path) for r in server.requests] == [
        ("HEAD", "/sdk/goals/env-1"),
        ("GET", "/api/v2/versions"),
    ]


def test_test_auth_exits_1_when_the_token_is_refused(invoke: Invoke, server: LocalServer) -> None:
    server.queue(Reply(status=200), Reply(status=401))
    result = invoke("test-auth", write_config(server.url))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Authentication failed: Invalid credentials: LaunchDarkly rejected the service token "
        "(401 Unauthorized from the token check)."
    )
    assert TOKEN not in result.output


def test_test_auth_exits_3_on_an_invalid_config(invoke: Invoke) -> None:
    Path("config.yaml").write_text("destination: actions-launchdarkly-audiences\n")
    result = invoke("test-auth", "config.yaml")
    assert result.exit_code == 3
    assert result.stderr == (
        "config.yaml:1:1: settings: The root value is missing the required field 'apiKey'. "
        "The root value is missing the required field 'clientId'.\n"
    )


def test_test_auth_says_so_when_a_destination_has_no_authentication_test(invoke: Invoke) -> None:
    Path("config.yaml").write_text("destination: actions-bare\n")
    registry = DestinationRegistry.from_plugins({"bare": _BarePlugin()})
    result = invoke("test-auth", "config.yaml", registry=registry)
    assert (result.exit_code, result.stdout) == (
        0, "actions-bare has no authentication test; nothing to check.\n"
    )


class _BarePlugin:
    """A destination with no settings, no authentication test and one action."""

    @hookimpl
    def actions_core_register_destinations(self, register: Callable[[Destination], None]) -> None:
        action = Action("post", "Post", (Field("id", "ID", "string"),), lambda ctx, payload: None)
        register(Destination("Bare", "actions-bare", (), (action,)))


# ------------------------------------------------------------------ init & plugins


def test_init_creates_a_destination_package(invoke: Invoke, workdir: Path) -> None:
    result = invoke("init", "acme-widgets", "--dir", "plugins")
    created = workdir / "plugins" / "actions-acme-widgets"
    assert (result.exit_code, result.stdout) == (0, f"Created {Path('plugins') / 'actions-acme-widgets'}\n")
    assert (created / "pyproject.toml").is_file()


def test_init_refuses_to_overwrite_a_package_with_exit_2(invoke: Invoke, workdir: Path) -> None:
    (workdir / "actions-acme-widgets").mkdir()
    (workdir / "actions-acme-widgets" / "keep.txt").write_text("mine")
    result = invoke("init", "acme-widgets")
    assert result.exit_code == 2
    assert "already exists and is not empty" in result.stderr


def test_a_plugin_module_can_be_loaded_without_installing_it(invoke: Invoke) -> None:
    result = invoke(
        "--plugin", "actions_launchdarkly_audiences", "destinations", registry=DestinationRegistry()
    )
    assert result.stdout.startswith("actions-launchdarkly-audiences  LaunchDarkly Audiences")


def test_a_plugin_module_that_does_not_import_exits_2(invoke: Invoke) -> None:
    result = invoke("--plugin", "no_such_plugin_module", "destinations", registry=DestinationRegistry())
    assert result.exit_code == 2
    assert "cannot import plugin module 'no_such_plugin_module'" in result.stderr
