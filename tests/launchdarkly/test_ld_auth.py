"""The authentication test: which check failed, with its status, never the token; and the
reminder that a pass does not prove the createSegment/updateIncluded role actions."""

from __future__ import annotations

from typing import Any

import pytest
from actions_launchdarkly_audiences import auth
from actions_launchdarkly_audiences.sync_audience import perform_batch

from actions_core.errors import AuthenticationError, HTTPError
from actions_core.testing import MockHTTP, TestIntegration

from .fakes import SETTINGS, make_ctx, payload

GOALS_URL = "https://clientsdk.launchdarkly.com/sdk/goals/env-client-id"
VERSIONS_URL = "https://app.launchdarkly.com/api/v2/versions"


def _answers(goals: int, versions: int) -> Any:
    def responder(method: str, url: str, body: Any) -> int | BaseException:
        status = goals if "/sdk/goals/" in url else versions
        if status in (401, 403):
            return AuthenticationError(status, {401: "Unauthorized", 403: "Forbidden"}[status])
        if status >= 400:
            return HTTPError(status, {404: "Not Found", 500: "Internal Server Error"}[status])
        return status

    return responder


def test_authentication_passes_and_logs_the_reminder(caplog: pytest.LogCaptureFixture) -> None:
    ctx, fake = make_ctx(_answers(200, 200))
    with caplog.at_level("INFO"):
        auth.authentication_test(ctx)  # returns nothing on success
    assert [(m, u) for m, u, _ in fake.calls] == [("HEAD", GOALS_URL), ("GET", VERSIONS_URL)]
    assert "createSegment and updateIncluded" in caplog.text


def test_authentication_unknown_client_side_id() -> None:
    ctx, fake = make_ctx(_answers(404, 200))
    with pytest.raises(auth.CredentialsRejectedError) as info:
        auth.authentication_test(ctx)
    err = info.value
    assert err.check == auth.CLIENT_ID_CHECK
    assert err.status == 404
    assert isinstance(err, AuthenticationError)
    text = str(err)
    assert "does not know the client-side ID 'env-client-id'" in text
    assert "404 Not Found" in text
    assert "createSegment and updateIncluded" in text
    assert "api-key-123" not in text
    assert len(fake.calls) == 1


@pytest.mark.parametrize(("status", "reason"), [(401, "Unauthorized"), (403, "Forbidden")])
def test_authentication_rejected_token(status: int, reason: str) -> None:
    ctx, _ = make_ctx(_answers(200, status))
    with pytest.raises(auth.CredentialsRejectedError) as info:
        auth.authentication_test(ctx)
    err = info.value
    assert err.check == auth.TOKEN_CHECK
    assert err.status == status
    assert f"rejected the service token ({status} {reason}" in str(err)
    assert "createSegment and updateIncluded" in str(err)
    assert "api-key-123" not in str(err)


def test_authentication_check_that_cannot_complete() -> None:
    ctx, _ = make_ctx(_answers(200, 500))
    with pytest.raises(auth.AuthenticationCheckError, match="token check could not complete: 500"):
        auth.authentication_test(ctx)
    ctx, _ = make_ctx(_answers(500, 200))
    with pytest.raises(auth.AuthenticationCheckError, match="client-side ID check could not"):
        auth.authentication_test(ctx)


def test_rejected_token_during_sync_stops_the_batch() -> None:
    ctx, _ = make_ctx(_answers(200, 401))
    with pytest.raises(AuthenticationError):
        perform_batch(ctx, [payload()])


# ---------------------------------------------------------------- through the harness


def test_harness_authentication_passes(test_integration: TestIntegration, http_mock: MockHTTP) -> None:
    http_mock.add("HEAD", GOALS_URL, status=200)
    http_mock.add("GET", VERSIONS_URL, status=200)
    result = test_integration.test_authentication(SETTINGS)
    assert [(e.method, e.url) for e in result.exchanges] == [("HEAD", GOALS_URL), ("GET", VERSIONS_URL)]
    assert all(e.headers["authorization"] == "api-key-123" for e in result.exchanges)


def test_harness_unknown_client_side_id(test_integration: TestIntegration, http_mock: MockHTTP) -> None:
    http_mock.add("HEAD", GOALS_URL, status=404)
    with pytest.raises(auth.CredentialsRejectedError, match=r"client-side ID .*404 Not Found"):
        test_integration.test_authentication(SETTINGS)


def test_harness_rejected_token(test_integration: TestIntegration, http_mock: MockHTTP) -> None:
    http_mock.add("HEAD", GOALS_URL, status=200)
    http_mock.add("GET", VERSIONS_URL, status=403, json={"code": "forbidden", "message": "Access denied"})
    with pytest.raises(auth.CredentialsRejectedError, match=r"service token \(403 Forbidden"):
        test_integration.test_authentication(SETTINGS)


def test_harness_bad_base_url_sends_nothing(test_integration: TestIntegration) -> None:
    from actions_core.errors import SettingsValidationError

    with pytest.raises(SettingsValidationError, match="clientSdkBaseUrl"):
        test_integration.test_authentication({**SETTINGS, "clientSdkBaseUrl": "gopher://x"})
