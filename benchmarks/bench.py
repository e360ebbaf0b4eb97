"""Throughput, memory and request counts of the LaunchDarkly pipeline, side by side with the
reference and with the cost of merely parsing and writing the JSON.

    python benchmarks/bench.py                       # 100k events, 5 runs per stage, 1M for memory
    python benchmarks/bench.py --reference /tmp/oracle   # also the reference's pipelineNoHttp
    python benchmarks/bench.py --n 20000 --runs 3 --memory-n 0   # quick look

Every figure is the median of ``--runs`` runs, all measured in this one process run (the
machine is noisy; compare ratios, not absolute numbers across runs). Events are the reference
bench's own (benchmarks/generate_events.py is a port of its seeded generator).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_events import write_events  # noqa: E402

from actions_core.definitions import ExecutionContext  # noqa: E402
from actions_core.errors import PayloadValidationError  # noqa: E402
from actions_core.instance import Instance, SubscriptionSpec, compile_instance  # noqa: E402
from actions_core.registry import get_destination  # noqa: E402
from actions_core.runtime.runner import RunFiles, options_for, run  # noqa: E402

SLUG = "actions-launchdarkly-audiences"
PRESET = "Sync Engage Audience to LaunchDarkly"
SETTINGS = {"apiKey": "bench-api-key", "clientId": "bench-env"}


def load_instance() -> Instance:
    destination = get_destination(SLUG)
    preset = destination.preset(PRESET)
    assert preset is not None
    spec = SubscriptionSpec(PRESET, preset.action_key, preset.trigger, preset.mapping)
    return compile_instance(destination, SETTINGS, [spec])


def timed(fn: Callable[[], Any], runs: int, *, gc_off: bool = True) -> tuple[float, Any]:
    """Median seconds of ``runs`` calls (after one warm-up call), and the last result.

    The cyclic garbage collector is off while a stage is timed (JSON data has no cycles):
    otherwise the stages that build lists of 100k payloads mostly measure collections. The
    end-to-end run keeps it on (``gc_off=False``): the runner tunes it as a real run does.
    """
    fn()
    times = []
    result = None
    for _ in range(runs):
        gc.collect()
        if gc_off:
            gc.disable()
        try:
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        finally:
            gc.enable()
    return statistics.median(times), result


# --------------------------------------------------------------------------- stages


def stage_floor(lines: Sequence[bytes], requests: Sequence[Any]) -> Callable[[], None]:
    """The floor: json.loads of every input line plus json.dumps of every output request."""

    def go() -> None:
        loads, dumps = json.loads, json.dumps
        for line in lines:
            loads(line)
        for request in requests:
            dumps(request, separators=(",", ":"), ensure_ascii=False)

    return go


def stage_trigger(instance: Instance, events: Sequence[Any]) -> Callable[[], int]:
    trigger = instance.subscriptions[0].trigger
    assert trigger is not None

    def go() -> int:
        matches = trigger.matches
        return sum(1 for e in events if matches(e))

    return go


def stage_mapping(instance: Instance, events: Sequence[Any]) -> Callable[[], list[Any]]:
    resolve = instance.subscriptions[0].mapping.resolve
    return lambda: [resolve(e) for e in events]


def stage_build(instance: Instance, events: Sequence[Any]) -> Callable[[], int]:
    """Mapping and validation as the engine runs them: one generated function."""
    build = instance.subscriptions[0].build

    def go() -> int:
        ok = 0
        for e in events:
            try:
                build(e)
            except PayloadValidationError:
                continue
            ok += 1
        return ok

    return go


def stage_validation(instance: Instance, payloads: Sequence[dict[str, Any]]) -> Callable[[], int]:
    validate = instance.subscriptions[0].validator.validate

    def go() -> int:
        ok = 0
        for p in payloads:
            try:
                validate(p)
            except PayloadValidationError:
                continue
            ok += 1
        return ok

    return go


def stage_requests(instance: Instance, payloads: Sequence[dict[str, Any]]) -> Callable[[], int]:
    """The destination's perform_batch on batches of one audience, with a stub request
    function that only serialises the body (as the reference's performBatch stage does)."""
    action = instance.subscriptions[0].action
    assert action.perform_batch is not None
    perform_batch = action.perform_batch
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for p in payloads:
        groups.setdefault((p["segment_audience_id"], p["context_kind"]), []).append(p)
    batches = [g[i : i + 1000] for g in groups.values() for i in range(0, len(g), 1000)]
    bodies = 0

    def stub(method: str, url: str, *, json: Any = None, **_: Any) -> Any:
        nonlocal bodies
        bodies += 1
        _json_dumps(json)
        return _NO_CONTENT

    ctx = ExecutionContext(settings=instance.settings, request=stub)

    def go() -> int:
        for batch in batches:
            perform_batch(ctx, batch)
        return bodies

    return go


_NO_CONTENT = SimpleNamespace(status_code=204)


def _json_dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def stage_end_to_end(instance: Instance, path: Path, out: Path) -> Callable[[], Any]:
    """``actions-core run --dry-run`` in-process: the CLI's own code path, minus process start."""
    files = RunFiles(input=str(path), dry_run=True, output=str(out))
    return lambda: run(instance, files, options_for(files))  # the CLI's own defaults


# --------------------------------------------------------------------------- memory


_MEASURE_RSS = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss_mb(config: Path, events: Path) -> float:
    """Peak RSS of a real ``actions-core run --dry-run`` process, from the kernel's rusage.

    The run is started by a small intermediate Python process: a child forked straight from
    this one would count this process's pages (the events held for the other stages) in its
    peak until it execs.
    """
    cmd = [sys.executable, "-m", "actions_core.cli.main", "run", str(config), "--input", str(events),
           "--dry-run", "--output", os.devnull]
    out = subprocess.run([sys.executable, "-c", _MEASURE_RSS, *cmd], check=True,
                         capture_output=True, text=True).stdout.split()
    code, max_rss_kib = int(out[0]), int(out[1])
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {code}")
    return max_rss_kib / 1024


# --------------------------------------------------------------------------- reference


def paired_rounds(
    end_to_end: Callable[[], Any], oracle_dir: Path, events: Path, rounds: int
) -> tuple[list[float], list[int], Any]:
    """Our end-to-end run and the reference's ``pipelineNoHttp`` taken in turns, one run of
    each per round: ``(our seconds, reference events/s, our last summary)``.

    This machine's speed drifts by tens of percent over minutes, and not by the same factor
    for Node and Python, so the two sides are measured side by side in time: the ratio of a
    round compares runs a few seconds apart, and the median over rounds is what we report.
    """
    end_to_end()  # warm-up, as timed() does
    ours: list[float] = []
    theirs: list[int] = []
    summary = None
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        summary = end_to_end()
        ours.append(time.perf_counter() - t0)
        theirs.append(reference_events_per_second(oracle_dir, events, 1))
    return ours, theirs, summary


def reference_events_per_second(oracle_dir: Path, events: Path, runs: int) -> int:
    """The reference's ``pipelineNoHttp`` on ``events``: median of ``runs`` runs in one Node
    process, after its own warm-up on 2,000 events."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            ["node", str(oracle_dir / "bench.js"), "--input", str(events.resolve()), "--stages",
             "pipelineNoHttp", "--runs", str(runs), "--json", out.name],
            check=True, cwd=oracle_dir, stdout=subprocess.DEVNULL,
        )
        report = json.loads(Path(out.name).read_text())
    return int(report["results"]["pipelineNoHttp"]["medianEventsPerSecond"])


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="events for the throughput stages")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory-n", type=int, default=1_000_000,
                        help="events for the large memory run (0 to skip memory)")
    parser.add_argument("--reference", type=Path, help="an `npm ci`-ed copy of shared/oracle")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    data = args.data
    events_path = data / f"events-{args.n}.jsonl"
    if not events_path.exists():
        write_events(events_path, args.n)
    instance = load_instance()
    results: dict[str, Any] = {"n": args.n, "runs": args.runs}

    def report(name: str, seconds: float, n: int = args.n) -> float:
        eps = n / seconds
        results[name] = {"seconds": round(seconds, 4), "events_per_second": round(eps)}
        print(f"{name:<22} {eps:>12,.0f} events/s   ({seconds:.3f} s median of {args.runs})")
        return eps

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "requests.jsonl"
        # End to end first, while this process holds nothing else (the other stages keep
        # 100k parsed events in memory); its output gives the floor's requests and the counts.
        end_to_end = stage_end_to_end(instance, events_path, out)
        if args.reference:
            ours, theirs, summary = paired_rounds(end_to_end, args.reference, events_path, args.runs)
            e2e_s = statistics.median(ours)
        else:
            e2e_s, summary = timed(end_to_end, args.runs, gc_off=False)
        requests = [json.loads(line)["json"] for line in out.read_text().splitlines()]

    raw_lines = events_path.read_bytes().splitlines()
    events = [json.loads(line) for line in raw_lines]

    sub = instance.subscriptions[0]
    payloads = [sub.mapping.resolve(e) for e in events]
    cleaned = (sub.validator.clean(dict(p)) for p in payloads)
    valid = [payload for payload, errors in cleaned if not errors]

    report("trigger", timed(stage_trigger(instance, events), args.runs)[0])
    report("mapping", timed(stage_mapping(instance, events), args.runs)[0])
    report("validation", timed(stage_validation(instance, payloads), args.runs)[0])
    report("map + validate (fused)", timed(stage_build(instance, events), args.runs)[0])
    report("request building", timed(stage_requests(instance, valid), args.runs)[0])
    floor_s, _ = timed(stage_floor(raw_lines, requests), args.runs)
    report("json floor", floor_s)
    report("end to end (dry run)", e2e_s)
    results["ratio_to_floor"] = round(e2e_s / floor_s, 2)
    print(f"{'cost vs JSON floor':<22} {e2e_s / floor_s:>12.2f} x   (target <= 3x)")

    # requests: the minimum is one per (audience, context kind) per 1000 events when batches
    # flush at size; a time-based flush can only add to it.
    per_key = Counter((p["segment_audience_id"], p["context_kind"]) for p in valid)
    minimum = sum(math.ceil(c / 1000) for c in per_key.values())
    results["requests"] = {"sent": len(requests), "minimum": minimum,
                           "outcomes": {str(k): v for k, v in summary.counts.items()}}
    print(f"{'requests':<22} {len(requests):>12}     (minimum for the batching rules: {minimum})")

    if args.reference:
        ref = round(statistics.median(theirs))
        ratios = [args.n / seconds / eps for seconds, eps in zip(ours, theirs, strict=True)]
        ratio = statistics.median(ratios)
        results["reference_pipelineNoHttp"] = ref
        results["ratio_to_reference"] = round(ratio, 2)
        results["rounds"] = [
            {"ours": round(args.n / seconds), "reference": eps, "ratio": round(r, 2)}
            for seconds, eps, r in zip(ours, theirs, ratios, strict=True)
        ]
        print(f"{'reference (Node)':<22} {ref:>12,} events/s   pipelineNoHttp, same events, "
              f"median of {args.runs} (one run per round, taken in turns with ours)")
        print(f"{'vs reference':<22} {ratio:>12.2f} x   median of the rounds' ratios "
              f"({', '.join(f'{r:.2f}' for r in ratios)}; target >= 1.5x)")

    if args.memory_n:
        config = HERE / "launchdarkly-bench.yaml"
        small = data / f"events-{args.n}.jsonl"
        large = data / f"events-{args.memory_n}.jsonl"
        if not large.exists():
            write_events(large, args.memory_n)
        rss_small = statistics.median(peak_rss_mb(config, small) for _ in range(3))
        rss_large = statistics.median(peak_rss_mb(config, large) for _ in range(3))
        growth = rss_large / rss_small - 1
        results["peak_rss_mb"] = {str(args.n): round(rss_small, 1),
                                  str(args.memory_n): round(rss_large, 1),
                                  "growth": round(growth, 3)}
        print(f"{'peak RSS':<22} {rss_small:>9.1f} MB for {args.n:,}, {rss_large:.1f} MB for "
              f"{args.memory_n:,} ({growth:+.1%}; targets < 150 MB, within 10%)")

    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
