"""A small discrete-event engine with a simulated clock in microseconds.

Events sit in a heap of ``(time_us, seq, action, arg)``; ``seq`` rises with
every scheduling, so events due at the same time run first-in first-out and the
order of a run depends on the data alone. Progress happens only through
:meth:`Engine.step`; :meth:`Engine.run` is a loop over it, so a caller that
wants to pace a run (a browser, a debugger) can drive ``step`` itself.

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
    """The simulated clock ``now`` (µs) and the heap of pending events."""

    __slots__ = ("_heap", "_seq", "now")

    def __init__(self) -> None:
        self.now = 0
        self._heap: list[tuple[int, int, Callable[[Any], None], Any]] = []
        self._seq = 0

    def at(self, time_us: int, action: Callable[[Any], None], arg: Any = None) -> None:
        """Schedule ``action(arg)`` at ``time_us`` (never earlier than now)."""
        self._seq += 1
        heapq.heappush(self._heap, (max(time_us, self.now), self._seq, action, arg))

    def start(self, process: Process, at_us: int | None = None) -> None:
        """Start a generator process at ``at_us`` (default: now)."""
        self.at(self.now if at_us is None else at_us, self._first_resume, process)

    def step(self) -> bool:
        """Run the next event; return False when nothing is left."""
        if not self._heap:
            return False
        time_us, _, action, arg = heapq.heappop(self._heap)
        self.now = time_us
        action(arg)
        return True

    def run(self) -> None:
        while self.step():
            pass

    def _first_resume(self, process: Process) -> None:
        self.resume(process, None)

    def resume(self, process: Process, value: int | None) -> None:
        """Advance ``process`` until it waits again (or ends)."""
        try:
            wait = process.send(value)
        except StopIteration:
            return
        if type(wait) is int:
            self.at(self.now + wait, self._first_resume, process)
        else:
            assert isinstance(wait, Claim)
            wait.resource.enqueue(process, wait.key, self.now)


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

    def waiting(self) -> int:
        """How many claims wait (not counting the one being served)."""
        return sum(len(q) for q in self._queues.values())

    def enqueue(self, process: Process, key: str, now: int) -> None:
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
        if not queue:
            self._turns.append(key)
        queue.append((process, now))
        if not self.busy:
            self._grant_next()

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
        engine = self._engine
        engine.at(engine.now, _resume_with, (engine, process, engine.now - since))


def _resume_with(args: tuple[Engine, Process, int]) -> None:
    engine, process, value = args
    engine.resume(process, value)
