"""The offset ledger: an offset is committed only when every message before it in its
partition has a recorded outcome."""

from __future__ import annotations

from actions_core.kafka.ledger import OffsetLedger


def ledger_with(*messages: tuple[int, int]) -> OffsetLedger:
    ledger = OffsetLedger()
    ledger.assign(sorted({p for p, _ in messages}))
    for partition, offset in messages:
        ledger.add(partition, offset, None)
    return ledger


def test_lines_are_numbered_in_arrival_order_and_map_back_to_their_origin() -> None:
    ledger = ledger_with((0, 10), (1, 5), (0, 11))
    origin = ledger.origin(2)
    assert origin is not None
    assert (origin.partition, origin.offset) == (1, 5)
    assert ledger.origin(4) is None


def test_a_partition_commits_one_past_its_last_message_below_the_first_unresolved_line() -> None:
    ledger = ledger_with((0, 10), (1, 5), (0, 11), (1, 6))
    ledger.save(4)  # lines 1-3 resolved, line 4 (partition 1, offset 6) not yet
    assert ledger.settle() == {0: 12, 1: 6}


def test_nothing_is_committed_past_an_unresolved_message() -> None:
    ledger = ledger_with((0, 10), (0, 11), (0, 12))
    ledger.save(2)
    assert ledger.settle() == {0: 11}
    assert ledger.settle() == {}  # nothing new resolved, nothing new to commit


def test_a_revoked_partition_is_never_committed_again_even_when_assigned_back() -> None:
    ledger = ledger_with((0, 10), (1, 5))
    ledger.revoke([0])
    ledger.assign([0])  # a new ownership: the old line belongs to the earlier one
    ledger.add(0, 11, None)
    ledger.save(4)
    assert ledger.settle() == {1: 6, 0: 12}


def test_after_a_freeze_the_mark_stops_where_it_was() -> None:
    ledger = ledger_with((0, 10), (0, 11), (0, 12))
    ledger.save(2)
    ledger.freeze("401 Unauthorized")
    ledger.save(4)
    assert ledger.frozen == "401 Unauthorized"
    assert ledger.settle() == {0: 11}


def test_resolved_says_whether_every_line_of_the_partitions_is_below_the_mark() -> None:
    ledger = ledger_with((0, 10), (1, 5), (1, 6))
    ledger.save(2)
    assert ledger.resolved([0])
    assert not ledger.resolved([1])
