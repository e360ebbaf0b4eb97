"""Dispatch: run work items concurrently across keys and in order within a key.

Items submitted with the same ordering key run one after another in submission order: the
next one starts only when the previous one has finished, retries included (the retry loop runs
inside the item), so a request waiting for its retry is never overtaken by a later one for
the same audience. Items with different keys run concurrently on ``workers`` threads.

Each key with work has a *lane* (a deque; its head is running or ready to run). A key is in
the ``ready`` queue while its head waits for a worker; after an item finishes, the key goes to
the back of ``ready`` if its lane has more, so busy keys take turns instead of starving others.

Backpressure: :meth:`submit` blocks while ``max_pending`` items are queued or running, which
blocks the reader, so memory stays bounded however fast the input arrives.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Dispatcher(Generic[T]):
    """Runs ``perform(item)`` on a pool of worker threads, ordered per key.

    ``perform`` must record its own outcomes and should not raise; if it does (a bug), the
    first such exception is re-raised by :meth:`wait_idle` instead of disappearing.
    """

    def __init__(
        self, perform: Callable[[T], None], *, workers: int, max_pending: int, name: str = "dispatch"
    ) -> None:
        if workers < 1 or max_pending < 1:
            raise ValueError("workers and max_pending must be at least 1")
        self._perform = perform
        self._max_pending = max_pending
        lock = threading.Lock()
        self._cond = threading.Condition(lock)  # submitters and wait_idle: "pending went down"
        self._has_work = threading.Condition(lock)  # workers: "a key became ready"
        self._lanes: dict[Hashable, deque[T]] = {}
        self._ready: deque[Hashable] = deque()
        self._pending = 0
        self._closed = False
        self._error: BaseException | None = None
        self._broken = False
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, key: Hashable, item: T) -> None:
        """Queue ``item`` behind earlier items of ``key``; blocks while too many are pending."""
        with self._cond:
            while self._pending >= self._max_pending and not self._closed:
                self._cond.wait()
            if self._closed:
                raise RuntimeError("dispatcher is closed")
            self._pending += 1
            lane = self._lanes.get(key)
            if lane is None:
                self._lanes[key] = deque([item])
                self._ready.append(key)
                self._has_work.notify()
            else:
                lane.append(item)

    def items(self) -> list[T]:
        """Every queued or running item (a snapshot, for checkpoints)."""
        with self._cond:
            return [item for lane in self._lanes.values() for item in lane]

    @property
    def broken(self) -> bool:
        """True once an item raised (its outcomes may be missing); it stays true."""
        return self._broken

    def wait_idle(self) -> None:
        """Block until every submitted item has finished."""
        with self._cond:
            while self._pending:
                self._cond.wait()
            error, self._error = self._error, None
        if error is not None:
            raise RuntimeError("a work item failed without recording its outcome") from error

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers once the queued items are done; ``wait=False`` returns at once
        (a run stopped at once leaves running items to their daemon threads)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            self._has_work.notify_all()
        if not wait:
            return
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()

    def _work(self) -> None:
        cond = self._cond
        while True:
            with cond:
                while not self._ready:
                    if self._closed and not self._pending:
                        self._has_work.notify_all()  # let the other workers see it too
                        return
                    self._has_work.wait()
                key = self._ready.popleft()
                item = self._lanes[key][0]
            try:
                self._perform(item)
            except BaseException as exc:  # a bug in perform: keep it for wait_idle
                with cond:
                    self._broken = True
                    if self._error is None:
                        self._error = exc
            with cond:
                lane = self._lanes[key]
                lane.popleft()
                if lane:
                    self._ready.append(key)
                    self._has_work.notify()
                else:
                    del self._lanes[key]
                self._pending -= 1
                cond.notify_all()
                if self._closed and not self._pending:
                    self._has_work.notify_all()


__all__ = ["Dispatcher"]
