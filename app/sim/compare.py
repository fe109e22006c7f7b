"""The same workload at the three interception levels, side by side."""

from __future__ import annotations

from dataclasses import dataclass, field

from .budget import DEFAULT_MAX_HOPS
from .scenario import LEVELS, Scenario
from .simulate import simulate
from .trace import RequestRecord, Trace


@dataclass(slots=True)
class LevelFigures:
    """Totals for one kind of request at one level."""

    requests: int = 0
    traps: int = 0
    overhead_us: int = 0
    device_us: int = 0
    latency_us: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, record: RequestRecord) -> None:
        self.requests += 1
        self.traps += record.traps
        self.overhead_us += record.overhead_us
        self.device_us += record.device_us
        self.latency_us += record.latency_us or 0
        self.statuses[record.status] = self.statuses.get(record.status, 0) + 1

    def mean(self, total: int) -> float:
        return total / self.requests if self.requests else 0.0


Comparison = dict[str, dict[str, LevelFigures]]


def compare_levels(scenario: Scenario, *, max_hops: int | None = DEFAULT_MAX_HOPS) -> Comparison:
    """``{request kind: {level: figures}}``; a kind is ``op on device type``.

    Each level's run has the hop budget ``max_hops`` (the I/O-operation one passes it first).
    """
    kinds = {d.id: d.type for d in scenario.devices}
    result: Comparison = {}
    for level in LEVELS:
        for record in simulate(scenario, level=level, max_hops=max_hops).requests:
            kind = f"{record.op} on {kinds[record.device]}"
            result.setdefault(kind, {}).setdefault(level, LevelFigures()).add(record)
    return result


def format_comparison(scenario: Scenario, result: Comparison) -> str:
    header = f"{'request kind':<32} {'n':>4}  " + "  ".join(f"{lvl:>36}" for lvl in LEVELS)
    sub = f"{'':<32} {'':>4}  " + "  ".join(
        f"{'traps':>8} {'overhead µs':>12} {'latency µs':>14}" for _ in LEVELS
    )
    lines = [f"# {scenario.name}: mean per request at each interception level", header, sub]
    for kind, by_level in sorted(result.items()):
        n = next(iter(by_level.values())).requests
        cells = [_cells(by_level[level]) for level in LEVELS]
        lines.append(f"{kind:<32} {n:>4}  " + "  ".join(cells))
    failures = _failures(result)
    if failures:
        lines += ["", "# requests that did not end ok", *failures]
    return "\n".join(lines) + "\n"


def _cells(f: LevelFigures) -> str:
    return f"{f.mean(f.traps):>8.1f} {f.mean(f.overhead_us):>12.1f} {f.mean(f.latency_us):>14.1f}"


def _failures(result: Comparison) -> list[str]:
    lines = []
    for kind, by_level in sorted(result.items()):
        for level in LEVELS:
            bad = {s: n for s, n in by_level[level].statuses.items() if s != "ok"}
            if bad:
                text = ", ".join(f"{n} × {s}" for s, n in sorted(bad.items()))
                lines.append(f"{kind} at {level}: {text}")
    return lines


def figures_by_category(traces: dict[str, Trace]) -> dict[str, dict[str, LevelFigures]]:
    """``{category: {level: figures}}`` over the requests of one trace per level."""
    result: dict[str, dict[str, LevelFigures]] = {}
    for level, trace in traces.items():
        for record in trace.requests:
            result.setdefault(record.category, {}).setdefault(level, LevelFigures()).add(record)
    return result


def traps_per_page(trace: Trace) -> list[tuple[str, int, float]]:
    """(request, pages, traps per page) of every print request that printed."""
    pages: dict[str, int] = {}
    for hop in trace.hops:
        if hop.stage == "physical_device" and "page" in hop.detail:
            pages[hop.request] = pages.get(hop.request, 0) + 1
    return [(r.id, pages[r.id], r.traps / pages[r.id]) for r in trace.requests if r.id in pages]
