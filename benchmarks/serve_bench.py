"""Benchmarks of ``actions-core serve`` (one report; not timed tests).

* ``intake``: events/s acknowledged durably from several concurrent clients posting batches
  of 100, next to the same aiohttp intake with no store (the commit replaced by an immediate
  answer), and next to the whole service (delivery running, dry run to /dev/null).
* ``delay``: acknowledgement to the LaunchDarkly stand-in at a steady 1,000 events/s with the
  default 1 s batch age: p50 and p99.
* ``backlog``: N events queued before start, a stand-in allowing R requests/s (429 beyond):
  achieved requests/s as a share of R, share of requests answered 429, peak RSS of the
  service, bytes on disk per queued event. Run with N = 100k and 1M to see RSS stay flat.

    python benchmarks/serve_bench.py                       # everything (about 5 minutes)
    python benchmarks/serve_bench.py intake delay          # some sections
    python benchmarks/serve_bench.py backlog --backlog 100000,1000000 --rate 10

Servers run as separate processes (the load generator must not share the server's core).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "destinations")]

from tests.ld_server import LaunchDarklyServer  # noqa: E402

WRITE_KEY = "bench-write-key"
TOKEN = "bench-token-0123456789"
CLIENT_ID = "env-bench"
AUDIENCES = (
    ("aud_trial_001", "trial_users"), ("aud_power_002", "power_users"),
    ("aud_churn_003", "churn_risk"), ("aud_vip_004", "VIP_big_Spenders"),
)


def event(n: int, user: str | None = None, message_id: str | None = None) -> dict[str, Any]:
    audience_id, key = AUDIENCES[n % 4]
    return {
        "type": "identify", "userId": user or f"user-{n % 50_000}",
        "messageId": message_id or f"bench-{n}",
        "traits": {key: n % 3 != 0, "email": f"user{n % 50_000}@example.com"},
        "context": {"personas": {
            "computation_class": "audience", "computation_key": key, "computation_id": audience_id,
        }, "library": {"name": "analytics-python", "version": "2.4.0"}},
        "timestamp": "2026-01-01T00:00:00.000Z",
    }


def config(path: Path, url: str) -> Path:
    path.write_text(
        "destination: actions-launchdarkly-audiences\n"
        "settings:\n"
        f"  apiKey: {TOKEN}\n  clientId: {CLIENT_ID}\n  apiBaseUrl: {url}\n  clientSdkBaseUrl: {url}\n"
        "mappings:\n  - name: Sync\n    preset: Sync Engage Audience to LaunchDarkly\n",
        encoding="utf-8",
    )
    return path


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["ACTIONS_CORE_WRITE_KEY"] = WRITE_KEY
    e["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "destinations"), e.get("PYTHONPATH", "")])
    return e


def actions_core() -> list[str]:
    script = Path(sys.executable).with_name("actions-core")
    return [str(script)] if script.exists() else [sys.executable, "-m", "actions_core.cli.main"]


def start(command: list[str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    out = open(log, "wb")  # noqa: SIM115 (the process keeps it)
    process = subprocess.Popen(command, stdout=out, stderr=out, env=env())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if '"event":"start"' in line:
                return process, json.loads(line)["url"]
        if process.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()}")
        time.sleep(0.05)
    raise SystemExit("server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------ intake


def intake_server(store: bool, queue: str) -> None:
    """(Subprocess.) The intake alone: aiohttp + the queue's writer, or no store at all."""
    from aiohttp import web

    from actions_core.intake.app import Intake
    from actions_core.intake.auth import WriteKeys
    from actions_core.queue.url import sqlite_path
    from actions_core.queue.writer import Writer
    from actions_core.serve.logs import LifecycleLog
    from actions_core.serve.metrics import Metrics

    class NoStore:
        depth = 0
        error = None

        def append(self, ids: Any, bodies: Any, done: Any) -> None:
            done(len(bodies), None)

    writer: Any = Writer(sqlite_path(queue)) if store else NoStore()
    intake = Intake(
        writer, WriteKeys((WRITE_KEY,)), Metrics(), LifecycleLog(), disk_used=lambda: 0,
        not_ready=lambda: None,
    )

    async def main() -> None:
        runner = web.AppRunner(intake.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        print(json.dumps({"event": "start", "url": f"http://{host}:{port}"}, separators=(",", ":")), flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


async def post_load(url: str, requests: int, clients: int, first: int = 0) -> float:
    """``requests`` batches of 100 unique events from ``clients`` concurrent connections;
    events/s acknowledged (every answer must be 200)."""
    import aiohttp

    template = json.dumps({"batch": [event(i, message_id="MSGID") for i in range(100)]})
    parts = template.split('"MSGID"')
    auth = "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": auth}
    counter = iter(range(requests))

    def body(r: int) -> bytes:
        out = [parts[0]]
        for i in range(100):
            out += (f'"r{first + r}-{i}"', parts[i + 1])
        return "".join(out).encode()

    bodies = [body(r) for r in range(requests)]  # built before the clock starts

    async def client(session: aiohttp.ClientSession) -> None:
        for r in counter:
            async with session.post(url + "/v1/batch", data=bodies[r], headers=headers) as resp:
                assert resp.status == 200, await resp.text()
                await resp.read()

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        return requests * 100 / (time.perf_counter() - started)


def bench_intake(work: Path, requests: int, clients: int, runs: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    cfg = config(work / "intake.yaml", "http://127.0.0.1:9")
    rows = {
        "no store (aiohttp intake, answer at once)": lambda q: [
            sys.executable, __file__, "_intake-server", "--no-store", "--queue", q],
        "durable store (intake + SQLite group commit)": lambda q: [
            sys.executable, __file__, "_intake-server", "--queue", q],
        "whole service (delivery running, dry run)": lambda q: [
            *actions_core(), "serve", str(cfg), "--port", "0", "--queue", q, "--dry-run",
            "--output", os.devnull],
    }
    for name, command in rows.items():
        figures, cpu = [], []
        for run in range(runs):
            queue = f"sqlite:{work / f'intake-{len(results)}-{run}.db'}"
            process, url = start(command(queue), work / "intake-server.log")
            try:
                asyncio.run(post_load(url, 50, clients))  # warm-up
                before = cpu_seconds(process.pid)
                figures.append(asyncio.run(post_load(url, requests, clients, first=10_000)))
                cpu.append((cpu_seconds(process.pid) - before) / (requests * 100))
            finally:
                stop(process)
        rate, per_event = statistics.median(figures), statistics.median(cpu)
        results[name] = {"events_per_s": rate, "server_cpu_us_per_event": per_event * 1e6}
        print(
            f"intake  {name}: {rate:,.0f} events/s (median of {runs}); server CPU "
            f"{per_event * 1e6:.1f} us/event = {1 / per_event:,.0f} events per CPU-second",
            flush=True,
        )
    return results


# ------------------------------------------------------------------ delay


class TimingServer(LaunchDarklyServer):
    """The stand-in, noting when each member was applied."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.applied_at: dict[str, float] = {}

    def _answer(self, method: str, path: str, authorization: str | None, body: Any) -> Any:
        status, answer = super()._answer(method, path, authorization, body)
        if status == 204 and isinstance(body, dict):
            now = time.time()
            for item in body.get("batch", ()):
                self.applied_at.setdefault(item["userId"], now)
        return status, answer


def bench_delay(work: Path, seconds: float, rate: int) -> dict[str, Any]:
    import urllib.request

    auth = "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    with TimingServer(token=TOKEN, client_id=CLIENT_ID) as ld:
        cfg = config(work / "delay.yaml", ld.url)
        process, url = start(
            [*actions_core(), "serve", str(cfg), "--port", "0", "--queue", f"sqlite:{work / 'delay.db'}"],
            work / "delay.log",
        )
        acked: dict[str, float] = {}
        try:
            per_tick, tick = rate // 10, 0.1
            started = time.monotonic()
            n = 0
            while time.monotonic() - started < seconds:
                users = [f"delay-{n + i}" for i in range(per_tick)]
                batch = [event(n + i, user=u, message_id=f"d-{n + i}") for i, u in enumerate(users)]
                request = urllib.request.Request(
                    url + "/v1/batch", data=json.dumps({"batch": batch}).encode(), method="POST",
                    headers={"Content-Type": "application/json", "Authorization": auth},
                )
                with urllib.request.urlopen(request, timeout=30) as answer:
                    assert answer.status == 200
                now = time.time()
                acked.update(dict.fromkeys(users, now))
                n += per_tick
                time.sleep(max(0.0, started + (n // per_tick) * tick - time.monotonic()))
            assert ld.wait_until(lambda s: len(s.applied_at) >= len(acked), timeout=60)
        finally:
            stop(process)
    delays = sorted(ld.applied_at[u] - t for u, t in acked.items())
    p50 = delays[len(delays) // 2]
    p99 = delays[int(len(delays) * 0.99)]
    print(f"delay   {len(delays):,} events at {rate}/s: p50 {p50:.3f} s, p99 {p99:.3f} s", flush=True)
    return {"events": len(delays), "rate": rate, "p50": p50, "p99": p99, "max": delays[-1]}


# ------------------------------------------------------------------ backlog


def fill_queue(path: Path, count: int) -> float:
    """Queue ``count`` events directly (the writer's own path); seconds taken."""
    from actions_core.queue.codec import dumps
    from actions_core.queue.writer import Writer

    writer = Writer(path)
    done = threading.Semaphore(0)
    started = time.perf_counter()
    chunk = 10_000
    for first in range(0, count, chunk):
        ids = [f"b-{n}" for n in range(first, min(count, first + chunk))]
        bodies = [dumps(event(n, message_id=ids[i])) for i, n in enumerate(range(first, first + len(ids)))]
        writer.append(ids, bodies, lambda result, error: done.release())
    for _ in range(0, count, chunk):
        done.acquire()
    writer.close()
    return time.perf_counter() - started


def bench_backlog(work: Path, count: int, rate: int) -> dict[str, Any]:
    queue = work / f"backlog-{count}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{queue}{suffix}").unlink(missing_ok=True)
    filled = fill_queue(queue, count)
    from actions_core.queue import store

    conn = store.connect(queue)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    disk = store.bytes_on_disk(queue)
    with LaunchDarklyServer(token=TOKEN, client_id=CLIENT_ID, rate_limit=rate) as ld:
        cfg = config(work / "backlog.yaml", ld.url)
        process, _ = start(
            [*actions_core(), "serve", str(cfg), "--port", "0", "--queue", f"sqlite:{queue}"],
            work / f"backlog-{count}.log",
        )
        try:
            expected = -(-count // 1000)  # requests: batches of 1000 (4 audiences, 1000 each)
            def ok(s: LaunchDarklyServer) -> int:
                return s.syncs  # sync requests applied (answered 204)

            assert ld.wait_until(lambda s: ok(s) >= 1, timeout=120)
            first = time.monotonic()
            first_count = ok(ld)
            assert ld.wait_until(lambda s: ok(s) >= expected, timeout=count / 100 + 600)
            elapsed = time.monotonic() - first
            rss = peak_rss_mb(process.pid)
            sent = ok(ld)
            limited = ld.limited
        finally:
            stop(process)
    achieved = (sent - first_count) / elapsed
    share_429 = limited / (sent + limited)
    print(
        f"backlog {count:,} events at R={rate}/s: {achieved:.2f} requests/s = "
        f"{achieved / rate:.0%} of R, 429s {share_429:.1%} of requests, peak RSS {rss:.0f} MB, "
        f"{disk / count:.0f} bytes on disk per queued event (filled in {filled:.1f} s)", flush=True,
    )
    return {
        "events": count, "rate": rate, "requests": sent, "answered_429": limited,
        "achieved_per_s": achieved, "share_of_rate": achieved / rate, "share_429": share_429,
        "peak_rss_mb": rss, "bytes_per_event": disk / count, "fill_seconds": filled,
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_intake-server":
        p = argparse.ArgumentParser()
        p.add_argument("role")
        p.add_argument("--no-store", action="store_true")
        p.add_argument("--queue", required=True)
        a = p.parse_args()
        intake_server(not a.no_store, a.queue)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", default=["intake", "delay", "backlog"])
    parser.add_argument("--requests", type=int, default=3000, help="intake: batches per run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delay-seconds", type=float, default=30.0)
    parser.add_argument("--backlog", default="100000,1000000")
    parser.add_argument("--rate", type=int, default=10, help="backlog: requests/s allowed")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        work = Path(tmp)
        if "intake" in args.sections:
            report["intake"] = bench_intake(work, args.requests, args.clients, args.runs)
        if "delay" in args.sections:
            report["delay"] = bench_delay(work, args.delay_seconds, 1000)
        if "backlog" in args.sections:
            report["backlog"] = [
                bench_backlog(work, int(n), args.rate) for n in args.backlog.split(",")
            ]
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
