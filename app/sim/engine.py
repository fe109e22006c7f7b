"""A small discrete-event engine with a simulated clock in microseconds.

Events sit in a heap of ``(time_us, priority, seq, process, value)``; ``seq``
rises with every scheduling, so events due at the same time and priority run
first-in first-out and the order of a run depends on the data alone. A
``priority`` above 0 lets a process start only after everything else due at
that time (a command a user issues "now" must not reorder what was shown).
Progress happens only through :meth:`Engine.step`; :meth:`Engine.run` is a
loop over it, so a caller that wants to pace a run can drive ``step`` itself.

Processes are generators. A process yields either an ``int`` (wait that many
microseconds) or a :class:`Claim` from a :class:`Resource` (wait until the
resource is granted; the process is resumed with the microseconds it waited).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

Process = Generator["int | Claim", int | None, None]


class Engine:
    """The simulated clock ``now`` (µs) and the heap of pending process resumptions."""

    __slots__ = ("_heap", "_seq", "now")

    def __init__(self) -> None:
        self.now = 0
        self._heap: list[tuple[int, int, int, Process, int | None]] = []
        self._seq = 0

    def start(self, process: Process, at_us: int | None = None, *, priority: int = 0) -> None:
        """Start a generator process at ``at_us`` (default: now; never earlier than now)."""
        self._seq += 1
        at = self.now if at_us is None else at_us
        heapq.heappush(self._heap, (at, priority, self._seq, process, None))

    def at(self, time_us: int, action: Callable[[Any], None], arg: Any = None) -> None:
        """Call ``action(arg)`` at ``time_us`` (a process of one step)."""
        self.start(_call(action, arg), time_us)

    def wake(self, process: Process, time_us: int, value: int | None) -> None:
        """Resume ``process`` with ``value`` at ``time_us``."""
        self._seq += 1
        heapq.heappush(self._heap, (time_us, 0, self._seq, process, value))

    def step(self) -> bool:
        """Run the next event; return False when nothing is left."""
        if not self._heap:
            return False
        time_us, _, _, process, value = heapq.heappop(self._heap)
        self.now = time_us
        while True:
            try:
                wait = process.send(value)
            except StopIteration:
                return True
            if type(wait) is int:
                self._seq += 1
                heapq.heappush(self._heap, (time_us + wait, 0, self._seq, process, None))
                return True
            if not wait.resource.take_if_free():  # type: ignore[union-attr]
                wait.resource.enqueue(process, wait.key, time_us)  # type: ignore[union-attr]
                return True
            value = 0  # a free resource is granted at once, with no wait and no event

    def run(self) -> None:
        step = self.step
        while step():
            pass


def _call(action: Callable[[Any], None], arg: Any) -> Process:
    action(arg)
    yield from ()


class Claim:
    """A process's wish to hold a resource, yielded to the engine."""

    __slots__ = ("key", "resource")

    def __init__(self, resource: Resource, key: str) -> None:
        self.resource = resource
        self.key = key


class Resource:
    """One server that holds one claim at a time.

    ``fifo`` grants claims in arrival order (a disk, a printer). ``round_robin``
    keeps one FIFO queue per key (a guest) and grants the keys in turn, which is
    how a bridge multiplexes several guests' frames onto one wire.
    """

    def __init__(self, engine: Engine, *, round_robin: bool = False) -> None:
        self._engine = engine
        self._round_robin = round_robin
        self._queues: dict[str, deque[tuple[Process, int]]] = {}
        self._turns: deque[str] = deque()
        self.busy = False

    def claim(self, key: str = "") -> Claim:
        return Claim(self, key if self._round_robin else "")

    def take_if_free(self) -> bool:
        """Hold the resource now if nobody holds it (then nobody is waiting either)."""
        if self.busy:
            return False
        self.busy = True
        return True

    def enqueue(self, process: Process, key: str, now: int) -> None:
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
        if not queue:
            self._turns.append(key)
        queue.append((process, now))

    def release(self) -> None:
        self.busy = False
        self._grant_next()

    def _grant_next(self) -> None:
        if not self._turns:
            return
        key = self._turns.popleft()
        queue = self._queues[key]
        process, since = queue.popleft()
        if queue:
            self._turns.append(key)
        self.busy = True
        now = self._engine.now
        self._engine.wake(process, now, now - since)
