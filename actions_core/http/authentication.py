"""Running a destination's authentication test: for ``actions-core test-auth``, and for a
paused ``serve`` or ``consume`` asking whether the credentials work again."""

from __future__ import annotations

import httpx

from actions_core.definitions import ExecutionContext
from actions_core.http.client import DEFAULT_TIMEOUT, RequestClient
from actions_core.http.retry import DEFAULT_POLICY, RetryPolicy
from actions_core.instance import Instance
from actions_core.redaction import Redactor


def run_authentication_test(
    instance: Instance,
    *,
    redactor: Redactor,
    transport: httpx.BaseTransport | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    timeout: float = DEFAULT_TIMEOUT,
) -> bool:
    """Run the destination's test with the instance's settings; ``False`` when it has none.
    Raises what the test raises (:class:`~actions_core.errors.AuthenticationError` for refused
    credentials)."""
    test = instance.destination.authentication_test
    if test is None:
        return False
    defaults = instance.request_defaults
    with RequestClient(
        transport=transport, defaults=defaults, redactor=redactor, policy=policy, timeout=timeout
    ) as client:
        test(ExecutionContext(settings=instance.settings, request=client.session()))
    return True


__all__ = ["run_authentication_test"]
