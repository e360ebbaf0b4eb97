"""The syrupy extension behind ``request_snapshot``: one readable JSON file per snapshot.

It accepts the harness's results (anything with ``snapshot_data()``), never raw requests: a
result knows the secrets of its settings, so it can replace them and run the leak guard before
anything reaches the file. A leak fails the assertion (also under ``--snapshot-update``, so a
secret is never written).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from syrupy.extensions.json import JSONSnapshotExtension

from actions_core.testing.snapshots import render_snapshot

if TYPE_CHECKING:
    from syrupy.types import PropertyFilter, PropertyMatcher, SerializableData, SerializedData


@runtime_checkable
class SnapshotSource(Protocol):
    """A harness result: ``test_action``, ``test_batch_action`` or ``test_authentication``."""

    def snapshot_data(self) -> list[dict[str, Any]]: ...


class RequestSnapshotExtension(JSONSnapshotExtension):
    """Serializes a harness result to its request snapshot (see :mod:`.snapshots`)."""

    def serialize(
        self,
        data: SerializableData,
        *,
        exclude: PropertyFilter | None = None,
        include: PropertyFilter | None = None,
        matcher: PropertyMatcher | None = None,
    ) -> SerializedData:
        if not isinstance(data, SnapshotSource):
            raise TypeError(
                "request_snapshot compares the result of test_action, test_batch_action or "
                f"test_authentication, not a {type(data).__name__}"
            )
        return render_snapshot(data.snapshot_data())


__all__ = ["RequestSnapshotExtension", "SnapshotSource"]
