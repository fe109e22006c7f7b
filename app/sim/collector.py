"""Pausing CPython's cyclic garbage collector while a trace is built.

A run allocates tens of thousands of small containers (hops, their details)
that live as long as the trace. The collector would walk all of them, and
everything else alive in the process, several times during one run, finding
nothing: the core makes no reference cycles that outlive a run, so reference
counting frees all of it. On a 10,000-request workload that walk was about a
quarter of the run time (see bench/sim_throughput.py).

Pauses nest and are safe across threads: the collector runs again when the last
pause ends, and only if it was running before the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
