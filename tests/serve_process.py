"""A real ``actions-core serve`` process for tests, on a free 127.0.0.1 port.

``ServeProcess(tmp_path, config, *options)`` starts it with ``--port 0`` and reads the port
from its ``start`` log line; its stderr (JSON lifecycle logs) is kept in a file the test can
read (:meth:`logs`). HTTP helpers post JSON (optionally gzip'd) with a write key. Every wait
polls with a generous bound instead of sleeping a fixed time.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.processes import TOKEN, actions_core, cli_env, wait_until

WRITE_KEY = "wk-serve-test-abcdef"
START_TIMEOUT = 60.0


def serve_env(write_key: str | None = WRITE_KEY) -> dict[str, str]:
    """:func:`tests.processes.cli_env` with the LaunchDarkly token and the write key."""
    return cli_env(token=TOKEN, write_key=write_key)


class Response:
    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status = status
        self.body = body
        self.headers = headers

    def json(self) -> Any:
        return json.loads(self.body)


class ServeProcess:
    def __init__(
        self,
        tmp_path: Path,
        config: Path,
        *options: str,
        queue: Path | None = None,
        write_key: str | None = WRITE_KEY,
        name: str = "serve",
        queue_default: bool = False,
    ) -> None:
        self.queue = queue or tmp_path / "data" / "queue.db"
        self.log_path = tmp_path / f"{name}.log"
        queue_option = [] if queue_default else ["--queue", f"sqlite:{self.queue}"]
        self.command = [*actions_core(), "serve", str(config), "--port", "0", *queue_option, *options]
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in __exit__)
        self._start_offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            self.command, stdout=self._log, stderr=self._log, cwd=tmp_path, env=serve_env(write_key)
        )
        self.url = self._wait_for_start()

    # ------------------------------------------------------------------ lifecycle

    def _wait_for_start(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for entry in self.logs():
                if entry.get("event") == "start":
                    return str(entry["url"])
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}: {self.text()}")
            time.sleep(0.02)
        raise AssertionError(f"serve did not start in {START_TIMEOUT}s: {self.text()}")

    def text(self) -> str:
        return self.log_path.read_bytes()[self._start_offset :].decode("utf-8", "replace")

    def logs(self) -> list[dict[str, Any]]:
        """This process's JSON log lines (other lines, such as a dry run's, skipped)."""
        entries = []
        for line in self.text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "event" in entry and "ts" in entry:
                entries.append(entry)
        return entries

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout: float = 60.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._log.close()

    # ------------------------------------------------------------------ HTTP

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = WRITE_KEY,
        raw: bytes | None = None,
        gzip_body: bool = False,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Response:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {"Content-Type": "application/json", **(headers or {})}
        if key is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        if gzip_body and data is not None:
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return Response(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), dict(error.headers))

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", path, body, **kwargs)

    def get(self, path: str) -> Response:
        return self.request("GET", path, key=None)

    def metric(self, name: str) -> float:
        """The sum of a metric's samples (``name{...} value`` lines) in ``/metrics``."""
        total = 0.0
        for line in self.get("/metrics").body.decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def wait_for(self, condition: Any, timeout: float = 60.0, what: str = "a condition") -> None:
        wait_until(condition, self.process, timeout=timeout, what=what, exited=self.text)


__all__ = [
    "WRITE_KEY",
    "Response",
    "ServeProcess",
    "serve_env",
]
