"""Destination settings, LaunchDarkly's endpoints and the headers every request carries.

``apiKey`` and ``clientId`` are the reference's two settings, with its labels and descriptions
(the text users know). The two base-URL settings are this project's addition, so that tests and
proxies can point the destination elsewhere; their defaults are LaunchDarkly's hosts. A base URL
that is not ``http(s)`` is a configuration error, raised before anything is sent.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from actions_core import Field, RequestDefaults
from actions_core.definitions import Settings
from actions_core.errors import SettingsValidationError

DEFAULT_API_BASE_URL = "https://app.launchdarkly.com"
DEFAULT_CLIENT_SDK_BASE_URL = "https://clientsdk.launchdarkly.com"

SYNC_PATH = "/api/v2/segment-targets/segment-audiences"
VERSIONS_PATH = "/api/v2/versions"
GOALS_PATH = "/sdk/goals/{client_id}"

# The reference's extendRequest: the token is sent raw (no "Bearer").
API_VERSION = "20240415"
USER_AGENT = "SegmentSyncAudiences/1.1.0"

API_KEY = Field(
    key="apiKey",
    label="LaunchDarkly Service Token",
    type="password",
    required=True,
    description=(
        "We recommend creating a dedicated [LaunchDarkly service token]"
        "(https://docs.launchdarkly.com/home/account-security/api-access-tokens#service-tokens) "
        "for this destination. The service token must have the ability to perform the "
        "`createSegment` and `updateIncluded` [role actions]"
        "(https://docs.launchdarkly.com/home/members/role-actions#segment-actions)."
    ),
)

CLIENT_ID = Field(
    key="clientId",
    label="LaunchDarkly client-side ID",
    type="string",
    required=True,
    description=(
        "Copy the [client-side ID](https://app.launchdarkly.com/settings/projects) of the "
        "environment for your segment. You can find this in the LaunchDarkly **Account "
        "settings** page for your project."
    ),
)

API_BASE_URL = Field(
    key="apiBaseUrl",
    label="LaunchDarkly API base URL",
    type="string",
    default=DEFAULT_API_BASE_URL,
    description=(
        "Where the REST API is reached (an http or https URL). Leave the default unless a "
        "proxy or a test server stands in for LaunchDarkly: synced segments exist only on "
        "app.launchdarkly.com."
    ),
)

CLIENT_SDK_BASE_URL = Field(
    key="clientSdkBaseUrl",
    label="LaunchDarkly client SDK base URL",
    type="string",
    default=DEFAULT_CLIENT_SDK_BASE_URL,
    description=(
        "Where the client-side SDK endpoints are reached (an http or https URL); the "
        "authentication test checks the client-side ID there. Leave the default unless a "
        "proxy or a test server stands in for LaunchDarkly."
    ),
)

SETTINGS: tuple[Field, ...] = (API_KEY, CLIENT_ID, API_BASE_URL, CLIENT_SDK_BASE_URL)


@lru_cache(maxsize=64)
def _base_url(value: str, key: str) -> str:
    """Checks a base URL once per distinct value (per batch this is a cache hit)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsValidationError(
            [f"The setting '{key}' must be an http or https URL, like 'https://example.com', "
             f"but it was {value!r}."]
        )
    return value.rstrip("/")


def _setting_url(settings: Settings, key: str, default: str) -> str:
    value = settings.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise SettingsValidationError(
            [f"The setting '{key}' must be an http or https URL, but it was a "
             f"{type(value).__name__}."]
        )
    return _base_url(value, key)


def api_base_url(settings: Settings) -> str:
    """The REST API's base URL without a trailing slash."""
    return _setting_url(settings, "apiBaseUrl", DEFAULT_API_BASE_URL)


def client_sdk_base_url(settings: Settings) -> str:
    """The client-side SDK host's base URL without a trailing slash."""
    return _setting_url(settings, "clientSdkBaseUrl", DEFAULT_CLIENT_SDK_BASE_URL)


def sync_url(settings: Settings) -> str:
    """Where membership changes are POSTed."""
    return api_base_url(settings) + SYNC_PATH


def versions_url(settings: Settings) -> str:
    """A cheap authenticated GET: proves the token is accepted."""
    return api_base_url(settings) + VERSIONS_PATH


def goals_url(settings: Settings) -> str:
    """A client-side endpoint that answers 404 for an unknown client-side ID."""
    return client_sdk_base_url(settings) + GOALS_PATH.format(client_id=settings["clientId"])


def check_settings(settings: Settings) -> None:
    """Raises :class:`SettingsValidationError` when a base URL is not http(s); all problems at
    once, so a user fixes them in one go."""
    problems: list[str] = []
    for f in (API_BASE_URL, CLIENT_SDK_BASE_URL):
        try:
            _setting_url(settings, f.key, str(f.default))
        except SettingsValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise SettingsValidationError(problems)


def request_defaults(settings: Settings) -> RequestDefaults:
    """Headers on every request (the reference's ``extendRequest``). Also the earliest place
    the framework hands us the settings, so the base URLs are checked here too."""
    check_settings(settings)
    return RequestDefaults(
        headers={
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "Authorization": str(settings["apiKey"]),
            "LD-API-Version": API_VERSION,
        }
    )
