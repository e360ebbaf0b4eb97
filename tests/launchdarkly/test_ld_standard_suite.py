"""The framework's standard destination suite, run on LaunchDarkly Audiences.

Generated, seeded test data fills the required fields; two values are pinned because the
destination (deliberately) refuses to guess them: the membership must be a real boolean under
the audience key (difference 2), and the context key must come from a user id it has
(difference 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from actions_launchdarkly_audiences import destination

from actions_core.definitions import Action
from actions_core.testing.suite import DestinationTestSuite


class TestLaunchDarklyAudiences(DestinationTestSuite):
    destination = destination
    settings: ClassVar[Mapping[str, Any]] = {
        "apiKey": "suite-api-key-123",
        "clientId": "suite-client-id",
    }

    def snapshot_payload(self, action: Action) -> dict[str, Any]:
        payload = super().snapshot_payload(action)
        payload["context_key"] = "user_id_only"
        payload["segment_user_id"] = payload.get("segment_user_id") or "suite-user-1"
        payload["traits_or_props"] = {payload["segment_audience_key"]: True}
        return payload
