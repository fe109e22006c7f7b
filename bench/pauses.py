"""The load client's own pauses for garbage collection, watched while a class runs.

The client measures the server from the same process that reads 500 streams: while its
collector walks, no answer is read, and the server seems that much slower. The report
gives the longest such pause, so a tail of the client's making can be told from the
server's.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Paused(Protocol):
    pauses_ms: list[float]


@contextmanager
def watching(tally: Paused) -> Iterator[None]:
    """Every collection's duration, in ms, appended to ``tally.pauses_ms`` while inside."""
    started = 0.0

    def timed(phase: str, info: dict[str, Any]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
        else:
            tally.pauses_ms.append((time.perf_counter() - started) * 1000)

    gc.callbacks.append(timed)
    try:
        yield
    finally:
        gc.callbacks.remove(timed)


def summary(pauses_ms: list[float], over_ms: float = 50) -> str:
    if not pauses_ms:
        return "none"
    over = sum(p > over_ms for p in pauses_ms)
    return (
        f"{len(pauses_ms):,}, longest {max(pauses_ms):.1f} ms, {over} over {over_ms:g} ms, "
        f"{sum(pauses_ms) / 1000:.1f} s in all"
    )
