"""The same workload at the three interception levels, side by side.

Means are taken over the requests that ended ``ok`` only: a request the VMM
refused in a few µs (a guest OS it cannot interpret, a block past the
partition) did not do the work, and averaging it in would make its level look
fast. The refused are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .budget import DEFAULT_MAX_HOPS
from .jobs import print_outs
from .scenario import LEVELS, Scenario
from .simulate import simulate
from .trace import RequestRecord, Trace

# The figures a mean is taken of, as RequestRecord attributes.
MEASURES = ("traps", "overhead_us", "device_us", "latency_us")


@dataclass(slots=True)
class LevelFigures:
    """One kind of request at one level: how many, and totals over those that ended ok."""

    requests: int = 0
    ok: int = 0
    traps: int = 0
    overhead_us: int = 0
    device_us: int = 0
    latency_us: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, record: RequestRecord) -> None:
        self.requests += 1
        self.statuses[record.status] = self.statuses.get(record.status, 0) + 1
        if record.status != "ok":
            return
        self.ok += 1
        self.traps += record.traps
        self.overhead_us += record.overhead_us
        self.device_us += record.device_us
        self.latency_us += record.latency_us or 0

    @property
    def refused(self) -> int:
        """Requests that ended in any status but ok."""
        return self.requests - self.ok

    def mean(self, measure: str) -> float | None:
        """The mean of ``measure`` (one of MEASURES) over the ok requests; None if none."""
        total: int = getattr(self, measure)
        return total / self.ok if self.ok else None


# {(op, device id): {level: figures}}
Comparison = dict[tuple[str, str], dict[str, LevelFigures]]


def compare_levels(scenario: Scenario, *, max_hops: int | None = DEFAULT_MAX_HOPS) -> Comparison:
    """Every request of the workload run at each level, grouped by op and device; each
    level's run has the hop budget ``max_hops`` (the I/O-operation one passes it first)."""
    result: Comparison = {}
    for level in LEVELS:
        for record in simulate(scenario, level=level, max_hops=max_hops).requests:
            kind = (record.op, record.device)
            result.setdefault(kind, {}).setdefault(level, LevelFigures()).add(record)
    return result


def comparison_document(scenario: Scenario, result: Comparison) -> dict[str, Any]:
    """``iovlab compare --format json``: per level, one entry per op and device."""
    levels: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVELS}
    for (op, device), by_level in sorted(result.items()):
        for level in LEVELS:
            f = by_level[level]
            entry: dict[str, Any] = {
                "op": op,
                "device": device,
                "requests": f.requests,
                "ok": f.ok,
                "refused": f.refused,
            }
            levels[level].append(entry | {m: f.mean(m) for m in MEASURES})
    return {"scenario": scenario.name, "levels": levels}


def format_comparison(scenario: Scenario, result: Comparison) -> str:
    block = f"{'refused':>7} {'traps':>8} {'overhead µs':>12} {'latency µs':>12}"
    width = len(block)
    header = f"{'request':<24} {'n':>4}  " + "  ".join(f"{lvl:>{width}}" for lvl in LEVELS)
    sub = f"{'':<24} {'':>4}  " + "  ".join(block for _ in LEVELS)
    lines = [
        f"# {scenario.name}: mean per request that ended ok, at each interception level",
        header,
        sub,
    ]
    for (op, device), by_level in sorted(result.items()):
        n = by_level[LEVELS[0]].requests
        cells = [_cells(by_level[level]) for level in LEVELS]
        lines.append(f"{f'{op} on {device}':<24} {n:>4}  " + "  ".join(cells))
    failures = _failures(result)
    if failures:
        lines += ["", "# requests that did not end ok (not in the means)", *failures]
    return "\n".join(lines) + "\n"


def _cells(f: LevelFigures) -> str:
    traps, overhead, latency = (f.mean(m) for m in ("traps", "overhead_us", "latency_us"))
    return f"{f.refused:>7} {_mean(traps, 8)} {_mean(overhead, 12)} {_mean(latency, 12)}"


def _mean(value: float | None, width: int) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}.1f}"


def _failures(result: Comparison) -> list[str]:
    lines = []
    for (op, device), by_level in sorted(result.items()):
        for level in LEVELS:
            bad = {s: n for s, n in by_level[level].statuses.items() if s != "ok"}
            if bad:
                text = ", ".join(f"{n} × {s}" for s, n in sorted(bad.items()))
                lines.append(f"{op} on {device} at {level}: {text}")
    return lines


def figures_by_category(traces: dict[str, Trace]) -> dict[str, dict[str, LevelFigures]]:
    """``{category: {level: figures}}`` over the requests of one trace per level."""
    result: dict[str, dict[str, LevelFigures]] = {}
    for level, trace in traces.items():
        for record in trace.requests:
            result.setdefault(record.category, {}).setdefault(level, LevelFigures()).add(record)
    return result


def traps_per_page(trace: Trace) -> list[tuple[str, int, float]]:
    """(request, pages, traps per page) of every print request whose job printed."""
    printed = print_outs(trace)
    pages: dict[str, int] = {}
    for hop in trace.hops:
        if hop.stage == "physical_device" and "page" in hop.detail:
            pages[hop.request] = pages.get(hop.request, 0) + 1
    rows = []
    for r in trace.requests:
        out = printed.get(r.id)
        if out is not None and out.id in pages:
            rows.append((r.id, pages[out.id], r.traps / pages[out.id]))
    return rows
