"""The authentication test: is the client-side ID known, and is the service token accepted?

Two checks, as in the reference: ``HEAD {clientSdkBaseUrl}/sdk/goals/{clientId}`` (404 means
LaunchDarkly does not know the client-side ID) and ``GET {apiBaseUrl}/api/v2/versions`` with the
token (401/403 mean it is rejected). They run one after the other so the error names the first
check that failed. A pass cannot prove that the token holds the ``createSegment`` and
``updateIncluded`` role actions: only a real sync does, and the messages say so, as does the
destination's ``authentication_note`` (:data:`ROLE_REMINDER`), which ``actions-core test-auth``
prints after a pass.
"""

from __future__ import annotations

import logging

from actions_core import ExecutionContext
from actions_core.errors import AuthenticationError, HTTPError

from .settings import check_settings, goals_url, versions_url

ROLE_REMINDER = (
    "A passing test does not prove that the token holds the createSegment and updateIncluded "
    "role actions that syncing needs."
)

logger = logging.getLogger(__name__)

CLIENT_ID_CHECK = "client_side_id"
TOKEN_CHECK = "service_token"


class CredentialsRejectedError(AuthenticationError):
    """An authentication check failed. ``check`` names which one (:data:`CLIENT_ID_CHECK` or
    :data:`TOKEN_CHECK`); the message carries the status and never the token."""

    def __init__(self, check: str, message: str, cause: HTTPError) -> None:
        super().__init__(cause.status, cause.reason, body=cause.body, url=cause.url)
        self.check = check
        self.args = (message,)


class AuthenticationCheckError(HTTPError):
    """A check could not complete for a reason other than bad credentials (a 5xx after the
    client's retries, say): the credentials may well be fine."""

    def __init__(self, check: str, message: str, cause: HTTPError) -> None:
        super().__init__(cause.status, cause.reason, body=cause.body, url=cause.url)
        self.check = check
        self.args = (message,)


def authentication_test(ctx: ExecutionContext) -> None:
    """Raises when the client-side ID is unknown or the token is rejected; returns nothing on
    success (see :data:`ROLE_REMINDER` for what a pass does not prove)."""
    settings = ctx.settings
    check_settings(settings)
    try:
        ctx.request("HEAD", goals_url(settings))
    except HTTPError as exc:
        if exc.status == 404:
            raise CredentialsRejectedError(
                CLIENT_ID_CHECK,
                f"Invalid credentials: LaunchDarkly does not know the client-side ID "
                f"{settings['clientId']!r} ({_status(exc)} from the client-side ID check). "
                f"Copy the client-side ID of your environment from LaunchDarkly's project "
                f"settings. {ROLE_REMINDER}",
                exc,
            ) from None
        raise AuthenticationCheckError(
            CLIENT_ID_CHECK,
            f"The client-side ID check could not complete: {_status(exc)}.",
            exc,
        ) from None
    try:
        ctx.request("GET", versions_url(settings))
    except HTTPError as exc:
        if exc.status in (401, 403):
            raise CredentialsRejectedError(
                TOKEN_CHECK,
                f"Invalid credentials: LaunchDarkly rejected the service token "
                f"({_status(exc)} from the token check). Create a service token for this "
                f"destination. {ROLE_REMINDER}",
                exc,
            ) from None
        raise AuthenticationCheckError(
            TOKEN_CHECK, f"The service token check could not complete: {_status(exc)}.", exc
        ) from None
    logger.info("LaunchDarkly knows the client-side ID and accepts the token. %s", ROLE_REMINDER)


def _status(exc: HTTPError) -> str:
    return f"{exc.status} {exc.reason}".strip()
