"""What every hop stream of a worker needs from the database, fetched for all of them at once.

A class of 500 students streaming their sessions used to mean 500 queries for
new commands and hundreds of cursor commits every second. Here, once every
``poll_s`` and on one thread, a worker reads how many commands each watched
session holds (one query), and at most once every ``BOOKMARK_S`` saves the
cursors its streams reached (one transaction); a stream only looks at the
result. A cursor is a bookmark: at most a second of it is lost if the worker
dies (a clean shutdown saves it all).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.store import sessions as repo

# A bookmark is where the next page opens: a second behind is as good, and saving every
# stream's cursor at every poll was a fifth of a busy worker's time (bench/call_cost.py)
BOOKMARK_S = 1.0


class StreamHub:
    def __init__(self, engine: Engine, poll_s: float) -> None:
        self._engine = engine
        self._poll_s = poll_s
        self._lock = threading.Lock()
        self._bookmarks: dict[str, int] = {}
        self._watched: Counter[str] = Counter()
        self._versions: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._saved_at = float("-inf")

    def watch(self, session_id: str, version: int) -> None:
        with self._lock:
            self._watched[session_id] += 1
            self._versions.setdefault(session_id, version)

    def unwatch(self, session_id: str) -> None:
        with self._lock:
            self._watched[session_id] -= 1
            if self._watched[session_id] <= 0:
                del self._watched[session_id]
                self._versions.pop(session_id, None)

    def version(self, session_id: str) -> int | None:
        """How many commands the session held at the last look (None: not looked at yet)."""
        with self._lock:
            return self._versions.get(session_id)

    def bookmark(self, session_id: str, cursor: int) -> None:
        with self._lock:
            self._bookmarks[session_id] = cursor

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.to_thread(self.tick, True)  # the last bookmarks, on a clean shutdown

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._poll_s)
            await asyncio.to_thread(self.tick)

    def tick(self, save_all: bool = False) -> None:
        now = time.monotonic()
        saving = save_all or now - self._saved_at >= BOOKMARK_S
        with self._lock:
            bookmarks: dict[str, int] = {}
            if saving:
                bookmarks, self._bookmarks = self._bookmarks, {}
                self._saved_at = now
            watched = list(self._watched)
        try:
            with Session(self._engine) as db:
                repo.set_cursors(db, cursors=bookmarks)
                counts = repo.command_counts(db, session_ids=watched)
        except DBAPIError:  # the database is away: keep the bookmarks for the next tick
            with self._lock:
                self._bookmarks = {**bookmarks, **self._bookmarks}
            return
        with self._lock:
            for session_id in watched:
                if session_id in self._watched:
                    self._versions[session_id] = counts.get(session_id, 0)
