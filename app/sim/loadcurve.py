"""Traps and interrupts per request against offered load, at the device-driver level.

One kind of request (the first of its kind in a scenario's workload) is sent
``REQUESTS`` times, evenly spaced, from its guest; the closer together, the
higher the offered load. Run with virtio batching and without, the figures
show what one exit per request becomes under load.
"""

from __future__ import annotations

from dataclasses import dataclass

from .scenario import Scenario, WorkloadItem
from .simulate import simulate

REQUESTS = 20
GAPS_US = (10_000, 1_000, 100, 50, 20, 10, 5)


@dataclass(frozen=True, slots=True)
class LoadPoint:
    gap_us: int
    per_second: int
    traps: float  # per request, batched
    interrupts: float
    traps_unbatched: float
    interrupts_unbatched: float


def load_curve(scenario: Scenario, item: WorkloadItem) -> list[LoadPoint]:
    """``item`` repeated at each gap of GAPS_US, with batching and without."""
    return [_point(scenario, item, gap) for gap in GAPS_US]


def first_of_each_kind(scenario: Scenario) -> list[WorkloadItem]:
    """The first workload item of each (op, device) that a guest sends."""
    seen: dict[tuple[str, str], WorkloadItem] = {}
    for item in scenario.workload:
        if getattr(item, "guest", None) is not None:
            seen.setdefault((item.op, item.device), item)
    return list(seen.values())


def _point(scenario: Scenario, item: WorkloadItem, gap: int) -> LoadPoint:
    figures = [_per_request(scenario, item, gap, batching) for batching in (True, False)]
    (traps, interrupts), (traps_un, interrupts_un) = figures
    return LoadPoint(gap, 1_000_000 // gap, traps, interrupts, traps_un, interrupts_un)


def _per_request(
    scenario: Scenario, item: WorkloadItem, gap: int, batching: bool
) -> tuple[float, float]:
    burst = [item.model_copy(update={"at_us": i * gap}) for i in range(REQUESTS)]
    alone = scenario.model_copy(
        update={"workload": burst, "vmm": scenario.vmm.model_copy(update={"batching": batching})}
    )
    trace = simulate(alone, level="device_driver")
    injected = sum(
        1 for h in trace.hops if h.stage == "interrupt" and not h.detail.get("coalesced")
    )
    return sum(r.traps for r in trace.requests) / REQUESTS, injected / REQUESTS


def format_load_curve(scenario: Scenario) -> str:
    lines = [
        f"# {scenario.name}: per request at the device-driver level, {REQUESTS} requests "
        "evenly spaced, with virtio batching / without",
        f"{'request':<24} {'gap µs':>7} {'req/s':>8} {'traps':>13} {'interrupts':>13}",
    ]
    for item in first_of_each_kind(scenario):
        for p in load_curve(scenario, item):
            lines.append(
                f"{f'{item.op} on {item.device}':<24} {p.gap_us:>7} {p.per_second:>8} "
                f"{p.traps:>6.2f} /{p.traps_unbatched:>5.2f} "
                f"{p.interrupts:>6.2f} /{p.interrupts_unbatched:>5.2f}"
            )
    return "\n".join(lines) + "\n"
