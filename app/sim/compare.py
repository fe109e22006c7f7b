"""The same workload at the three interception levels, side by side, and on
the bare machine (``native``: no VMM) as the baseline of what each level costs.

Means are taken over the requests that ended ``ok`` only: a request the VMM
refused in a few µs (a guest OS it cannot interpret, a block past the
partition) did not do the work, and averaging it in would make its level look
fast. The refused are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .budget import DEFAULT_MAX_HOPS
from .jobs import print_outs
from .scenario import CATEGORY_OF_TYPE, LEVELS, Scenario
from .simulate import simulate
from .trace import RequestRecord, Trace

# The figures a mean is taken of, as RequestRecord attributes.
MEASURES = ("traps", "overhead_us", "device_us", "latency_us")
NATIVE = "native"
LANES = (*LEVELS, NATIVE)


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
    """Every request of the workload run at each level and natively, grouped by op
    and device; each run has the hop budget ``max_hops`` (the I/O-operation one
    passes it first). A virtual device has no native lane: it exists only in a VMM."""
    runs: dict[str, Trace] = {
        level: simulate(scenario, level=level, max_hops=max_hops) for level in LEVELS
    }
    runs[NATIVE] = simulate(scenario, native=True, max_hops=max_hops)
    result: Comparison = {}
    for lane, trace in runs.items():
        for record in trace.requests:
            by_lane = result.setdefault((record.op, record.device), {})
            figures = by_lane.setdefault(lane, LevelFigures())
            if lane != NATIVE or record.category != "virtual":
                figures.add(record)
    return result


def overhead_fraction(level: LevelFigures, native: LevelFigures) -> float | None:
    """What virtualization adds at a level ÷ the same requests' latency with no VMM."""
    overhead, baseline = level.mean("overhead_us"), native.mean("latency_us")
    return None if overhead is None or not baseline else overhead / baseline


def fractions_by_category(
    scenario: Scenario, result: Comparison
) -> dict[str, dict[str, float | None]]:
    """``{category: {level: overhead ÷ native latency}}`` over each category's ok requests."""
    category = {d.id: CATEGORY_OF_TYPE[d.type] for d in scenario.devices}
    totals: dict[str, dict[str, LevelFigures]] = {}
    for (_, device), by_lane in result.items():
        lanes = totals.setdefault(category[device], {})
        for lane, figures in by_lane.items():
            lanes[lane] = _merged(lanes.get(lane, LevelFigures()), figures)
    return {
        name: {level: overhead_fraction(lanes[level], lanes[NATIVE]) for level in LEVELS}
        for name, lanes in sorted(totals.items())
    }


def _merged(a: LevelFigures, b: LevelFigures) -> LevelFigures:
    merged = LevelFigures(
        a.requests + b.requests,
        a.ok + b.ok,
        a.traps + b.traps,
        a.overhead_us + b.overhead_us,
        a.device_us + b.device_us,
        a.latency_us + b.latency_us,
    )
    for status, n in [*a.statuses.items(), *b.statuses.items()]:
        merged.statuses[status] = merged.statuses.get(status, 0) + n
    return merged


def comparison_document(scenario: Scenario, result: Comparison) -> dict[str, Any]:
    """``iovlab compare --format json``: per level, one entry per op and device."""
    levels: dict[str, list[dict[str, Any]]] = {lane: [] for lane in LANES}
    for (op, device), by_level in sorted(result.items()):
        for lane in LANES:
            f = by_level[lane]
            entry: dict[str, Any] = {
                "op": op,
                "device": device,
                "requests": f.requests,
                "ok": f.ok,
                "refused": f.refused,
            }
            entry |= {m: f.mean(m) for m in MEASURES}
            if lane != NATIVE:
                entry["overhead_fraction"] = overhead_fraction(f, by_level[NATIVE])
            levels[lane].append(entry)
    return {
        "scenario": scenario.name,
        "levels": levels,
        "overhead_fraction": fractions_by_category(scenario, result),
    }


def format_comparison(scenario: Scenario, result: Comparison) -> str:
    block = f"{'refused':>7} {'traps':>8} {'overhead µs':>12} {'device µs':>12} {'latency µs':>12}"
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
    lines += ["", *_native_table(scenario, result)]
    failures = _failures(result)
    if failures:
        lines += ["", "# requests that did not end ok (not in the means)", *failures]
    return "\n".join(lines) + "\n"


def _native_table(scenario: Scenario, result: Comparison) -> list[str]:
    """The bare machine's latency, and what each level adds as a share of it."""
    header = f"{'request':<24} {'native latency µs':>18}  " + "  ".join(
        f"{level:>13}" for level in LEVELS
    )
    lines = ["# the bare machine (no VMM), and overhead ÷ native latency at each level", header]
    for (op, device), by_lane in sorted(result.items()):
        native = by_lane[NATIVE]
        cells = [_percent(overhead_fraction(by_lane[level], native)) for level in LEVELS]
        latency = _mean(native.mean("latency_us"), 18)
        lines.append(f"{f'{op} on {device}':<24} {latency}  " + "  ".join(cells))
    for category, by_level in fractions_by_category(scenario, result).items():
        cells = [_percent(by_level[level]) for level in LEVELS]
        lines.append(f"{f'all {category}':<24} {'':>18}  " + "  ".join(cells))
    return lines


def share(fraction: float) -> str:
    """A share of the native latency as a percentage: to a tenth, or under a tenth to two
    figures (a level's few µs beside a request that queued 230 ms on the bare machine too is
    0.026 %, not nothing)."""
    if 0 < abs(fraction) < 0.00001:
        return "< 0.001%"
    return f"{100 * fraction:.2g}%" if 0 < abs(fraction) < 0.001 else f"{fraction:.1%}"


def _percent(fraction: float | None) -> str:
    return f"{'—':>13}" if fraction is None else f"{share(fraction):>13}"


def _cells(f: LevelFigures) -> str:
    means = [_mean(f.mean(m), 8 if m == "traps" else 12) for m in MEASURES]
    return f"{f.refused:>7} " + " ".join(means)


def _mean(value: float | None, width: int) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}.1f}"


def _failures(result: Comparison) -> list[str]:
    lines = []
    for (op, device), by_level in sorted(result.items()):
        for lane in LANES:
            bad = {s: n for s, n in by_level[lane].statuses.items() if s != "ok"}
            if bad:
                text = ", ".join(f"{n} × {s}" for s, n in sorted(bad.items()))
                where = "on the bare machine" if lane == NATIVE else f"at {lane}"
                lines.append(f"{op} on {device} {where}: {text}")
    return lines


def figures_by_category(traces: dict[str, Trace]) -> dict[str, dict[str, LevelFigures]]:
    """``{category: {level: figures}}`` over the guests' requests of one trace per level.

    A printed job is one request, as the guest sees it: the ``print_out`` that printed
    it (the VMM's own, with no trap) is folded into its ``print`` — its pages are the
    print's device time — rather than counted as a second spooled request with none.
    """
    result: dict[str, dict[str, LevelFigures]] = {}
    for level, trace in traces.items():
        printed = print_outs(trace)
        for record in trace.requests:
            if record.op == "print_out":
                continue
            out = printed.get(record.id)
            if out is not None:
                record = replace(record, device_us=record.device_us + out.device_us)
            result.setdefault(record.category, {}).setdefault(level, LevelFigures()).add(record)
    return result


def baseline_by_category(traces: dict[str, Trace], native: Trace) -> dict[str, dict[str, Any]]:
    """``{category: {"native_latency_us", "fractions": {level: overhead ÷ native latency}}}``
    over the ok requests of one trace per level and of the native trace."""
    figures = figures_by_category(traces)
    bare: dict[str, LevelFigures] = {}
    for record in native.requests:
        if record.category != "virtual":
            bare.setdefault(record.category, LevelFigures()).add(record)
    return {
        category: {
            "native_latency_us": bare.get(category, LevelFigures()).mean("latency_us"),
            "fractions": {
                level: overhead_fraction(by_level[level], bare.get(category, LevelFigures()))
                for level in by_level
            },
        }
        for category, by_level in figures.items()
    }


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
