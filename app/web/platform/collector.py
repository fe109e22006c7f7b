"""When a serving worker looks for garbage cycles among everything it holds.

A worker serving a class holds about a million long-lived objects: the traces, films and
hop events of its students' sessions, in caches that turn over as students come and go.
CPython walks the oldest generation whenever a quarter of it is new since the last walk;
with the caches turning over, that was every 3–8 seconds under ``bench/load.py`` at 500
students, each walk a pause of 0.5–1.3 s in which no stream sent and no request was
answered (11 s of a worker's CPU in 140 s).

The young generations are collected as they fill, less often (the cycles a request leaves
behind die young), and on the clock besides: Python counts a generation as full by objects
made *less objects freed*, and a class's old traces die as fast as its new ones are made
(each command replaces its session's trace). The count then stays low while the young
generation fills: under ``bench/load.py`` at 500 students one young collection walked
enough to take 170–260 ms, and the middle one after it 430–540 ms (846,000 objects), each
a pause of the whole worker. Collected every ``YOUNG_S``, and the middle one every
``MIDDLE_S``, each walk holds what a fraction of a second made. The oldest is walked once
every ``full_collect_s``. What the worker imported and built before serving is frozen:
never walked again.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

YOUNG = 10_000  # allocations between two collections of the youngest generation (700)
MIDDLE = 20  # young collections between two of the middle generation (10)
NEVER = 2**30  # middle collections before Python would walk the oldest on its own
YOUNG_S = 0.1  # the youngest generation collected at least this often …
MIDDLE_S = 1.0  # … and the middle one with it, at least this often


@contextlib.asynccontextmanager
async def scheduled(full_collect_s: float) -> AsyncIterator[None]:
    """While serving: the young generations collected by the clock as well as when full, the
    oldest every ``full_collect_s`` seconds (0: Python's own schedule, left as it was)."""
    if full_collect_s <= 0:
        yield
        return
    before = gc.get_threshold()
    gc.freeze()  # what is alive now lives as long as the worker
    gc.set_threshold(YOUNG, MIDDLE, NEVER)
    walks = [
        asyncio.create_task(_walk_every(full_collect_s)),
        asyncio.create_task(_young_by_the_clock()),
    ]
    try:
        yield
    finally:
        for walk in walks:
            walk.cancel()
        for walk in walks:
            with contextlib.suppress(asyncio.CancelledError):
                await walk
        gc.set_threshold(*before)
        gc.unfreeze()


async def _walk_every(seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        gc.collect()


async def _young_by_the_clock() -> None:
    middle_every = round(MIDDLE_S / YOUNG_S)
    ticks = 0
    while True:
        await asyncio.sleep(YOUNG_S)
        ticks += 1
        gc.collect(1 if ticks % middle_every == 0 else 0)
