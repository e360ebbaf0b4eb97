"""Batching: collect validated payloads into the calls that will carry them.

One :class:`Batcher` per subscription keeps the *open* batches of that subscription, one per
value of the action's ``batch_keys`` (for LaunchDarkly: per audience and context kind), so
payloads that must not share a request never do. A batch moves on to the ``outbox`` (a queue
the engine drains into the dispatcher; data only flows forward) when:

* it reaches its size (``RunOptions.batch_size``, capped by ``Action.max_batch_size``);
* it is older than ``max_wait`` (:meth:`Batcher.flush_due`, called by the engine's ticker), so
  a slow stream still flows;
* the input ends (:meth:`Batcher.flush_all`).

Memory is bounded by the open batches (keys x size), whatever the input size.

A payload that is performed on its own (``mode="single"``, or ``enable_batching`` off) becomes
a one-event batch; an open batch with the same key is submitted first, so events of one key
always leave in input order. A Batcher is not thread-safe: the engine calls it under its lock.
"""

from __future__ import annotations

import json
import operator
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from actions_core.definitions import Payload
from actions_core.instance import Subscription

Event = Mapping[str, Any]
BatchMode = Literal["auto", "single", "batch"]


@dataclass(slots=True, eq=False)
class Batch:
    """Events bound for one ``perform`` (``single``) or ``perform_batch`` call, in input order.

    ``lines``, ``events`` and ``payloads`` are parallel lists; ``payloads`` is passed to
    ``perform_batch`` as is. ``events`` stays empty when no sink wants the events: keeping
    thousands of event objects alive only to drop them costs the garbage collector dearly.
    """

    subscription: Subscription
    key: Hashable
    single: bool
    created: float
    lines: list[int] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    payloads: list[Payload] = field(default_factory=list)

    @property
    def ordering_key(self) -> tuple[str, Hashable]:
        """Batches with equal ordering keys are performed one after another, in input order."""
        return (self.subscription.name, self.key)


def batch_size_for(subscription: Subscription, batch_size: int) -> int:
    """The run's batch size capped by the action's own maximum."""
    cap = subscription.action.max_batch_size
    return max(1, min(batch_size, cap) if cap else batch_size)


_KeyReader = Callable[[Payload], Hashable]


def _key_readers(keys: tuple[str, ...]) -> tuple[_KeyReader, _KeyReader]:
    """Built once per subscription: ``(fast, slow)`` readers of a payload's batch-key values
    (one value, or a tuple of them). ``fast`` is C code that raises ``KeyError`` when a key
    is absent; ``slow`` reads an absent key as ``None``."""
    if not keys:
        return (_no_key, _no_key)
    if len(keys) == 1:
        return (operator.itemgetter(keys[0]), operator.methodcaller("get", keys[0]))
    return (operator.itemgetter(*keys), lambda payload: tuple(map(payload.get, keys)))


def _no_key(payload: Payload) -> None:
    return None


def _hashable(value: Any) -> Hashable:
    """A stable stand-in for an unhashable key value (a list or object in a key field)."""
    return json.dumps(value, sort_keys=True, default=str)


class Batcher:
    """The open batches of one subscription.

    ``mode`` is the run's: ``single`` performs every payload alone, ``batch`` batches whenever
    the action has ``perform_batch``, ``auto`` only when the payload's ``enable_batching`` is
    true as well. Each batch that is ready to perform is appended to ``outbox``. ``keep_events``:
    whether batches keep the original events (for records that carry them).
    """

    def __init__(
        self,
        subscription: Subscription,
        *,
        size: int,
        mode: BatchMode,
        outbox: deque[Batch],
        clock: Callable[[], float],
        keep_events: bool = True,
    ) -> None:
        action = subscription.action
        self.subscription = subscription
        self.size = size
        self._submit = outbox.append
        self._clock = clock
        self._keep_events = keep_events
        self._fast_key, self._slow_key = _key_readers(action.batch_keys)
        can_batch = action.perform_batch is not None and mode != "single"
        self._always = can_batch and mode == "batch"
        self._ask_payload = can_batch and mode == "auto"
        # Insertion order is creation order, so the oldest open batch is always first.
        self.open: dict[Hashable, Batch] = {}

    def add(self, line: int, event: Event, payload: Payload) -> None:
        """Queue one validated payload (the per-event path: a few dict operations)."""
        try:
            key = self._fast_key(payload)
            batch = self.open.get(key)
        except (KeyError, TypeError):  # a key field absent, or holding a list or object
            key = self._slow_key(payload)
            try:
                batch = self.open.get(key)
            except TypeError:
                key = _hashable(key)
                batch = self.open.get(key)
        if self._always or (self._ask_payload and payload.get("enable_batching") is True):
            if batch is None:
                batch = self.open[key] = Batch(self.subscription, key, False, self._clock())
            payloads = batch.payloads
            payloads.append(payload)
            batch.lines.append(line)
            if self._keep_events:
                batch.events.append(event)
            if len(payloads) >= self.size:
                del self.open[key]
                self._submit(batch)
            return
        if batch is not None:  # an earlier batched event of this key leaves first
            del self.open[key]
            self._submit(batch)
        events = [event] if self._keep_events else []
        self._submit(Batch(self.subscription, key, True, 0.0, [line], events, [payload]))

    def flush_due(self, created_before: float) -> None:
        """Submit every open batch created before ``created_before`` (max_wait reached)."""
        open_batches = self.open
        while open_batches:
            key, batch = next(iter(open_batches.items()))
            if batch.created >= created_before:
                return
            del open_batches[key]
            self._submit(batch)

    def flush_all(self) -> None:
        """Submit every open batch, oldest first (end of input)."""
        while self.open:
            key = next(iter(self.open))
            self._submit(self.open.pop(key))


__all__ = ["Batch", "BatchMode", "Batcher", "Event", "batch_size_for"]
