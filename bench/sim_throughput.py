"""How fast the core traces a large mixed workload, against a bare heap loop.

Prints hops/s and requests/s for 10,000 generated requests, and in the same run
the same number of events through a bare ``heapq`` loop, with the ratio
(hops/s ÷ bare events/s). Targets on a 2-core machine: the workload traced in
under 1 s, and a ratio of at least 0.10.

    python bench/sim_throughput.py [--requests N] [--level L] [--repeat K]
"""

from __future__ import annotations

import argparse
import heapq
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.sim import LEVELS, simulate
from bench.workload import mixed_scenario

TARGET_SECONDS = 1.0
TARGET_RATIO = 0.10


def bare_heap_loop(events: int, width: int = 64) -> float:
    """Seconds for ``events`` events through a bare discrete-event loop.

    The heap holds ``width`` pending events, as a simulation with that many
    requests in flight would; each popped event calls a no-op and schedules its
    successor a little later, with the same (time, seq, action, arg) entries as
    the core's engine. This is the floor any event-driven simulator stands on.
    """
    heap = [(i, i, _noop, i) for i in range(width)]
    heapq.heapify(heap)
    push, pop = heapq.heappush, heapq.heappop
    seq = width
    started = time.perf_counter()
    for _ in range(events):
        now, _, action, arg = pop(heap)
        action(arg)
        seq += 1
        push(heap, (now + 1 + seq % 7, seq, action, arg))
    return time.perf_counter() - started


def _noop(_: int) -> None:
    pass


def best_of(repeat: int, run) -> float:  # type: ignore[no-untyped-def]
    return min(run() for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--level", choices=LEVELS, default="device_driver")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    scenario = mixed_scenario(args.requests, level=args.level)
    validate_s = time.perf_counter() - started
    trace = simulate(scenario)
    hops = len(trace.hops)

    def run_sim() -> float:
        t0 = time.perf_counter()
        result = simulate(scenario)
        elapsed = time.perf_counter() - t0
        del result  # freeing the trace is not part of building it
        return elapsed

    sim_s = best_of(args.repeat, run_sim)
    bare_s = best_of(args.repeat, lambda: bare_heap_loop(hops))
    hops_rate = hops / sim_s
    bare_rate = hops / bare_s
    ratio = hops_rate / bare_rate
    print(f"workload        {args.requests} requests at {args.level}, {hops} hops")
    print(f"validate        {validate_s:.3f} s (parse and check the generated scenario)")
    print(f"simulate        {sim_s:.3f} s  (best of {args.repeat}; target < {TARGET_SECONDS} s)")
    print(f"hops/s          {hops_rate:,.0f}")
    print(f"requests/s      {args.requests / sim_s:,.0f}")
    print(f"bare heap loop  {bare_rate:,.0f} events/s ({hops} events in {bare_s:.3f} s)")
    print(f"ratio           {ratio:.3f}  (hops/s ÷ bare events/s; target ≥ {TARGET_RATIO})")
    met = sim_s < TARGET_SECONDS and ratio >= TARGET_RATIO
    print("targets         " + ("met" if met else "NOT met"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
