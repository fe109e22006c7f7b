"""How many event streams one client holds open at once, in the process.

A stream lives in one worker, so its place is counted there; the counts that
must hold across workers (sessions, joins, sign-ins) are in ``app.store.limits``.
"""

from __future__ import annotations

import threading


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
