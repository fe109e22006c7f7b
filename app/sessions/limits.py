"""How many sessions one client may open a minute: a sliding window per address.

Kept in the process: with several workers each counts its own share, which is
enough to stop a runaway script without a shared store.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class PerMinute:
    def __init__(self, limit: int, clock: object = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 if ``client`` may go on now, else the seconds until it may."""
        now = self._clock()  # type: ignore[operator]
        with self._lock:
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= 60:
                times.popleft()
            if len(times) >= self.limit:
                return float(60 - (now - times[0]))
            times.append(now)
            if len(self._seen) > 10_000:  # forget idle clients rather than grow forever
                self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < 60}
            return 0.0


class OpenStreams:
    """How many event streams each client holds open at once (per process)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> bool:
        with self._lock:
            if self._open.get(client, 0) >= self.limit:
                return False
            self._open[client] = self._open.get(client, 0) + 1
            return True

    def give_back(self, client: str) -> None:
        with self._lock:
            left = self._open.get(client, 1) - 1
            if left > 0:
                self._open[client] = left
            else:
                self._open.pop(client, None)
