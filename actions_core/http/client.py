"""The request client behind ``ctx.request``: one pooled connection client, retries, errors.

One :class:`RequestClient` serves a whole run. It holds ONE ``httpx.Client`` (connection
pooling and keep-alive; httpx's client is safe to share between the engine's worker threads)
and hands each ``perform`` call a :class:`RequestSession`, a :class:`~actions_core.definitions.
RequestFn` that counts that call's attempts. The retry loop lives here; *whether* and *how
long* to wait is decided by the pure functions of :mod:`actions_core.http.retry`.

Errors (docs/framework.md#http-and-retries): non-2xx -> ``HTTPError`` (``429 Too Many
Requests``, then the destination's own reason from the body when it gives one:
``400 Bad Request: cohort refused``, see :mod:`actions_core.http.reason`), 401/403 ->
``AuthenticationError`` saying what to check, timeouts -> ``RequestTimeoutError`` (``Request
timed out after 30000ms``), connection failures -> ``NetworkError``. After retries the
message adds how many attempts were made and why it stopped. Server-controlled text (reason,
body, URL) passes through the ``Redactor``.

The timeout is one deadline for a whole attempt (connect, send, the full response), kept on
the network by :mod:`actions_core.http.deadline`: a server that trickles its answer cannot
hold a run, and :meth:`RequestClient.abort` (Ctrl-C) also ends responses still coming in.

The transport is a constructor argument (the httpx seam), which is how tests and
``--dry-run`` (:class:`~actions_core.http.dry_run.DryRunTransport`) plug in without patching.
"""

from __future__ import annotations

import json as _json
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any, NamedTuple, TypeVar

import httpx
import orjson

from actions_core.definitions import RequestDefaults
from actions_core.errors import (
    ActionsCoreError,
    AuthenticationError,
    HTTPError,
    IntegrationError,
    NetworkError,
    RateLimitInterrupted,
    RequestAbortedError,
    RequestTimeoutError,
)
from actions_core.http.deadline import AttemptGuard, GuardedTransport
from actions_core.http.rate_limit import RateLimitGate, utc_text
from actions_core.http.reason import bounded, destination_reason
from actions_core.http.retry import (
    DEFAULT_POLICY,
    RATE_LIMIT_STATUSES,
    RetryPolicy,
    decide,
    is_retryable,
)
from actions_core.redaction import NO_SECRETS, Redactor

DEFAULT_TIMEOUT = 30.0
"""Seconds one attempt may take in all: connect, send, and the full response body."""

DEFAULT_USER_AGENT = "actions-core"
"""Sent instead of httpx's versioned one unless the destination sets its own."""

ERROR_BODY_LIMIT = 500
"""Characters of a (redacted) error body kept on :class:`HTTPError`."""

AUTH_HINTS = {
    401: "the destination rejected the credentials (check the API token in the settings)",
    403: "the destination refused the credentials (the API token may lack a required "
    "permission or role; check it in the settings)",
}

NO_DEFAULTS = RequestDefaults()
"""No default headers, no timeout override."""

_E = TypeVar("_E", bound=ActionsCoreError)


class RequestStats(NamedTuple):
    """Counters over a client's life: logical requests, HTTP attempts, and retries among them."""

    requests: int
    attempts: int
    retries: int


# Where orjson's text might spell a float differently from JavaScript: a digit followed by
# ``.``, ``e`` or ``E`` (also inside strings such as ``"v1.2"``, which then just take the
# standard path). Found by mapping digits to 1, those three to 2, the rest to 0, and looking
# for ``1 2``: about three times faster than a regular expression on a 1000-member body.
_FLOAT_MARKS = bytes(
    1 if chr(i).isdigit() and i < 128 else 2 if i in b".eE" else 0 for i in range(256)
)


def _no_float_text(text: bytes) -> bool:
    return b"." not in text and b"e+" not in text and b"e-" not in text


# Marks a request whose body encode_json wrote: compact JSON the dry run can copy as is.
JSON_BODY_EXTENSION = "actions_core.json_body"


_HTTP_LOGGER = logging.getLogger("httpx")


class _RedactingFilter(logging.Filter):
    """Masks secrets in httpx's own log lines (it logs every request's URL at INFO, and a
    destination may carry a token in its query string)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if self._redactor:
            message = record.getMessage()
            redacted = self._redactor.redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


def _detach(response: httpx.Response) -> httpx.Response:
    """Break the reference cycle httpx leaves between a read response and its closed stream.

    ``Client.send`` wraps the stream in one that points back at the response; the pair, the
    request and its body (up to 1000 members) then wait for the cyclic garbage collector.
    A long run makes thousands of requests, so it would hold bodies it no longer needs; the
    body was read already, so the closed stream is replaced by the bytes themselves.
    """
    response.stream = httpx.ByteStream(response.content)
    return response


def encode_json(obj: Any) -> bytes:
    """Compact UTF-8 JSON, byte for byte what JavaScript's ``JSON.stringify`` sends.

    Keys keep insertion order and non-ASCII stays as is. Where Python and JavaScript differ on
    ordinary data it follows JavaScript: integral floats print as integers (``1.0`` -> ``1``),
    NaN and infinities become ``null``, a lone surrogate is escaped (``\\udc80``). The slower
    float fix-up runs only when the fast text could hold such a float (``.0``, ``e+``).

    orjson writes the same bytes for strings, integers, booleans and null, far faster; its
    output is used only when it holds no digit followed by ``.`` or ``e`` (where its float
    spelling could differ from JavaScript's), else the standard path below decides.
    """
    try:
        fast = orjson.dumps(obj)
    except (TypeError, orjson.JSONEncodeError):  # lone surrogates, integers over 64 bits, ...
        pass
    else:
        # orjson writes every float with a ``.``, ``e+`` or ``e-``: without them (most bodies)
        # there is no float to check, and three substring searches cost less than a translate.
        if _no_float_text(fast) or fast.translate(_FLOAT_MARKS).find(b"\x01\x02") < 0:
            return fast
    try:
        text = _json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        fix = ".0" in text or "e+" in text
    except ValueError:  # NaN or an infinity
        fix = True
    if fix:
        text = _json.dumps(_js_numbers(obj), separators=(",", ":"), ensure_ascii=False)
    # Only lone surrogates are unencodable in UTF-8; backslashreplace writes them as JSON escapes.
    return text.encode("utf-8", "backslashreplace")


def _js_numbers(obj: Any) -> Any:
    if isinstance(obj, float):
        if not math.isfinite(obj):
            return None
        return int(obj) if obj.is_integer() and abs(obj) < 1e21 else obj
    if isinstance(obj, dict):
        return {k: _js_numbers(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_js_numbers(v) for v in obj]
    return obj


class RequestSession:
    """``ctx.request`` for one ``perform`` call: sends through the shared client and counts
    this call's ``attempts``, ``retries`` and ``last_status`` (for the call's outcome record).
    Thread-safe, so a destination may fan requests out from one call."""

    def __init__(self, client: RequestClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.attempts = 0
        self.retries = 0
        self.last_status: int | None = None

    def __call__(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        return self._client._send(self, method, url, json, headers, params, timeout)

    def _attempted(self, retry: bool) -> None:
        with self._lock:
            self.attempts += 1
            self.retries += int(retry)

    def _answered(self, status: int) -> None:
        with self._lock:
            self.last_status = status


class RequestClient:
    """Sends a run's requests: defaults merged in, retried per the policy, errors redacted.

    A per-call timeout beats ``defaults.timeout``, which beats ``timeout``. ``sleep`` and
    ``clock`` (monotonic) are injectable so tests assert on recorded waits, not wall time;
    ``wall_clock`` (epoch seconds) reads rate-limit dates. The default ``time.sleep`` wait is
    interruptible by :meth:`abort`; an injected ``sleep`` runs as is and the abort is
    noticed when it returns.
    """

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        defaults: RequestDefaults = NO_DEFAULTS,
        policy: RetryPolicy = DEFAULT_POLICY,
        timeout: float = DEFAULT_TIMEOUT,
        redactor: Redactor | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        wait_rate_limits: bool = False,
    ) -> None:
        self.policy = policy
        self.wait_rate_limits = wait_rate_limits
        self.timeout = defaults.timeout if defaults.timeout is not None else timeout
        self._defaults = {name.lower(): (name, value) for name, value in defaults.headers.items()}
        self.redactor = (redactor or NO_SECRETS).with_credentials(defaults.headers)
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._rng = random.Random()
        self._guard = AttemptGuard()
        self._gate = RateLimitGate()
        if transport is None:  # the network: keep each attempt to its deadline
            transport = GuardedTransport()
        self._http = httpx.Client(
            transport=transport,
            headers={"User-Agent": DEFAULT_USER_AGENT},
            timeout=self.timeout,
            follow_redirects=False,
        )
        self._lock = threading.Lock()
        self._requests = 0
        self._attempts = 0
        self._retries = 0
        self._aborted = threading.Event()
        self._abort_reason = ""
        self._log_filter = _RedactingFilter(self.redactor)
        _HTTP_LOGGER.addFilter(self._log_filter)

    # ------------------------------------------------------------------ public surface

    def session(self) -> RequestSession:
        """A fresh :class:`RequestSession` for one perform call."""
        return RequestSession(self)

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """One request outside any perform call (``self.session()(...)``)."""
        session = self.session()
        return session(method, url, json=json, headers=headers, params=params, timeout=timeout)

    def abort(self, reason: str) -> None:
        """Stop the run's HTTP: waiting retries give up now, new requests raise at once, and
        responses still coming in are abandoned (:class:`RequestAbortedError`).

        The engine calls this on a 401/403, which every later request would repeat, and on
        Ctrl-C. Requests being written finish that (bounded by their deadline). The first
        reason is kept.
        """
        with self._lock:
            if not self._aborted.is_set():
                self._abort_reason = self.redactor.redact(reason)
                self._aborted.set()
                self._guard.stop(self._abort_reason)

    @property
    def aborted(self) -> bool:
        return self._aborted.is_set()

    @property
    def stats(self) -> RequestStats:
        with self._lock:
            return RequestStats(self._requests, self._attempts, self._retries)

    def close(self) -> None:
        """Close pooled connections."""
        _HTTP_LOGGER.removeFilter(self._log_filter)
        self._http.close()

    def __enter__(self) -> RequestClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ the retry loop

    def _send(
        self,
        session: RequestSession,
        method: str,
        url: str,
        body: Any,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        timeout: float | None,
    ) -> httpx.Response:
        redactor = self.redactor.with_credentials(headers or {})
        if self._aborted.is_set():
            raise RequestAbortedError(
                f"Request not sent: the run was stopped ({self._abort_reason})"
            )
        seconds = timeout if timeout is not None else self.timeout
        request = self._build(method, url, body, headers, params, seconds, redactor)
        with self._lock:
            self._requests += 1
        start = self._clock()
        host = request.url.netloc.decode("ascii", "replace")
        previous: float | None = None
        covered: float | None = None  # (epoch) how far the last retry delay already waited
        attempt = 0
        while True:
            self._admit(host, self.policy.max_total - (self._clock() - start), covered)
            attempt += 1
            session._attempted(retry=attempt > 1)
            with self._lock:
                self._attempts += 1
                self._retries += int(attempt > 1)
            response: httpx.Response | None = None
            error: ActionsCoreError
            try:
                with self._guard.attempt(seconds):
                    response = _detach(self._http.send(request))
            except httpx.TimeoutException:
                error = RequestTimeoutError(f"Request timed out after {round(seconds * 1000)}ms")
            except httpx.UnsupportedProtocol as exc:
                raise _invalid_url(exc, redactor) from None
            except httpx.TransportError as exc:
                detail = redactor.redact(str(exc)) or type(exc).__name__
                error = NetworkError(f"Network error: {detail}")
            else:
                session._answered(response.status_code)
                self._gate.learn(
                    host, response.status_code, response.headers, self._wall_clock()
                )
                if response.is_success:
                    return response
                error = _http_error(response, redactor)
            if not is_retryable(error):
                raise _final(error, attempt, None)
            elapsed = self._clock() - start
            now = self._wall_clock()
            until = self._gate.until(host, now)
            if until is not None:
                self._check_wait(host, until, now, self.policy.max_total - elapsed)
            # decide() waits at least what a 429/503 asks; a rate limit waited out beyond the
            # retry budget (--wait-rate-limits) is left to the gate instead.
            status = response.status_code if response is not None else None
            asks = status in RATE_LIMIT_STATUSES and not self.wait_rate_limits
            decision = decide(
                self.policy,
                attempt=attempt,
                elapsed=elapsed,
                status=status,
                headers=response.headers if response is not None and asks else None,
                now=now,
                rng=self._rng,
                previous=previous,
            )
            if decision.delay is None:
                raise _final(error, attempt, decision.reason)
            if not self._wait(decision.delay):
                raise _final(error, attempt, f"the run was stopped ({self._abort_reason})")
            previous = decision.delay
            covered = now + decision.delay

    def _admit(self, host: str, budget: float, covered: float | None) -> None:
        """Hold this attempt while the gate holds ``host`` (not beyond ``covered``, which the
        last retry delay waited out already); raise :class:`RateLimitInterrupted` when the hold is longer
        than what is left of the retry ``budget`` and waiting was not asked for."""
        while True:
            now = self._wall_clock()
            until = self._gate.until(host, now)
            if until is None or (covered is not None and until <= covered):
                return
            self._check_wait(host, until, now, budget)
            if not self._wait(until - now):
                raise RequestAbortedError(
                    f"Request not sent: the run was stopped ({self._abort_reason})"
                )
            covered = until

    def _check_wait(self, host: str, until: float, now: float, budget: float) -> None:
        if until - now <= max(0.0, budget) or self.wait_rate_limits:
            return
        when = utc_text(until)
        raise RateLimitInterrupted(
            f"rate limited by {host} until {when} (run again then to resume, or run with "
            "--wait-rate-limits to wait)",
            resume_after=datetime.fromtimestamp(until, UTC),
        )

    def _build(
        self,
        method: str,
        url: str,
        body: Any,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        timeout: float,
        redactor: Redactor,
    ) -> httpx.Request:
        merged = dict(self._defaults)
        for name, value in (headers or {}).items():
            merged[name.lower()] = (name, value)
        content: bytes | None = None
        if body is not None:
            content = encode_json(body)
            merged.setdefault("content-type", ("Content-Type", "application/json"))
        try:
            request = self._http.build_request(
                method,
                url,
                content=content,
                headers=dict(merged.values()),
                params=params,
                timeout=timeout,
            )
        except httpx.InvalidURL as exc:
            raise _invalid_url(exc, redactor) from None
        if content is not None:
            request.extensions[JSON_BODY_EXTENSION] = True
        return request

    def _wait(self, delay: float) -> bool:
        """Wait ``delay`` seconds; ``False`` when the run was aborted meanwhile."""
        if self._sleep is time.sleep:
            return not self._aborted.wait(delay)
        if self._aborted.is_set():
            return False
        if delay > 0:
            self._sleep(delay)
        return not self._aborted.is_set()


# ---------------------------------------------------------------------- error building


def _http_error(response: httpx.Response, redactor: Redactor) -> HTTPError:
    status = response.status_code
    reason = redactor.redact(response.reason_phrase.strip()) or _standard_phrase(status)
    text = redactor.redact(response.text)
    body = text if len(text) <= ERROR_BODY_LIMIT else text[:ERROR_BODY_LIMIT] + "..."
    detail = bounded(destination_reason(text))
    url = redactor.redact(str(response.request.url))
    if status in AUTH_HINTS:
        error: HTTPError = AuthenticationError(status, reason, body=body, url=url, detail=detail)
        said = f" (the destination says: {detail})" if detail else ""
        return _with_message(error, f"{status} {reason}: {AUTH_HINTS[status]}{said}")
    return HTTPError(status, reason, body=body, url=url, detail=detail)


def _standard_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _invalid_url(exc: Exception, redactor: Redactor) -> IntegrationError:
    return IntegrationError(f"Invalid request URL: {redactor.redact(str(exc))}", code="INVALID_URL")


def _final(error: _E, attempts: int, reason: str | None) -> _E:
    """The error to raise, saying how many attempts were made when there were retries
    (``reason=None``: not retryable) or why retrying stopped."""
    if reason is None or (attempts == 1 and not reason):
        if attempts == 1:
            return error
        suffix = f" (after {attempts} attempts)"
    else:
        plural = "attempt" if attempts == 1 else "attempts"
        suffix = f" (gave up after {attempts} {plural}{': ' + reason if reason else ''})"
    return _with_message(error, f"{error}{suffix}")


def _with_message(error: _E, message: str) -> _E:
    # HTTPError fixes its message in __init__; extra context goes into args (.reason stays clean).
    error.args = (message,)
    return error


__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "ERROR_BODY_LIMIT",
    "JSON_BODY_EXTENSION",
    "NO_DEFAULTS",
    "RequestClient",
    "RequestSession",
    "RequestStats",
    "encode_json",
]
