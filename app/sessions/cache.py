"""A least-recently-used cache bounded by the hops its entries hold, not their number.

A session's trace holds memory in proportion to its hops (a few hundred bytes
each), and sessions differ by four orders of magnitude: 256 small sessions fit
in a few megabytes, 256 at the hop budget would not fit in a server. Bounding
the total hops bounds the memory, whatever mix of sessions is open.

Pure and thread-safe: no clock, no database; the web keeps one per process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class HopBoundedCache(Generic[K, V]):
    """Values (a session's trace, or what holds one) weighed by their hops.

    ``put`` keeps an entry and drops the least recently used ones until the total
    is within ``max_hops``; an entry heavier than ``max_hops`` alone is not kept
    (it would push out everything else and then be dropped itself).
    """

    def __init__(self, max_hops: int) -> None:
        if max_hops < 1:
            raise ValueError("max_hops must be at least 1")
        self.max_hops = max_hops
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value for ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: K, value: V, hops: int) -> None:
        """Keep ``value`` for ``key``, weighing ``hops``; replaces an older value."""
        if hops < 0:
            raise ValueError("hops cannot be negative")
        with self._lock:
            self._remove(key)
            if hops > self.max_hops:
                return
            self._entries[key] = (value, hops)
            self._total += hops
            while self._total > self.max_hops:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._total -= dropped

    def pop(self, key: K) -> V | None:
        """Forget ``key``; its value, or None."""
        with self._lock:
            entry = self._entries.get(key)
            self._remove(key)
            return None if entry is None else entry[0]

    @property
    def total_hops(self) -> int:
        with self._lock:
            return self._total

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def _remove(self, key: K) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._total -= entry[1]
