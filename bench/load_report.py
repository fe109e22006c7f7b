"""What ``bench/load.py`` prints of a class's run: latencies and rates beside their targets."""

from __future__ import annotations

import argparse
import os
import statistics
from collections import defaultdict
from typing import TYPE_CHECKING

from bench import pauses

if TYPE_CHECKING:  # the class's plan and tally, from the bench that runs it
    from bench.load import Plan, Tally

CALLS = ("create", "page", "command", "read", "scrub")
API_P99_MS, FIRST_HOP_P99_MS, RATIO, FULL_RATE = 300, 500, 0.5, 0.95


def percentile(values: list[float], p: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1]


def ms(values: list[float]) -> str:
    p50, p99 = (percentile(values, p) * 1000 for p in (50, 99))
    return f"p50 {p50:,.1f} ms, p99 {p99:,.1f} ms"


def by_time(timeline: list[tuple[float, float]], width: float = 20) -> str:
    """API p99 of the calls sent in each ``width`` seconds of the run, with their count:
    where in a class's hour (arriving, composing, starting to play, playing) the slow
    answers come."""
    windows: dict[int, list[float]] = defaultdict(list)
    for sent, took in timeline:
        windows[int(sent // width)].append(took)
    return " · ".join(
        f"{w * width:g}–{(w + 1) * width:g} s {percentile(took, 99) * 1000:,.0f} ms ({len(took):,})"
        for w, took in sorted(windows.items())
    )


def per_stream(tally: Tally) -> str:
    rates = tally.rates()
    median = statistics.median(rates) if rates else float("nan")
    return f"median {median:.2f}/s, p5 {percentile(rates, 5):.2f}/s"


def loads() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(args: argparse.Namespace, plan: Plan, ours: Tally, bare: Tally, load: str) -> bool:
    where = args.url or (
        f"iovlab serve --workers {args.workers}, "
        f"{'SQLite' if args.sqlite else 'PostgreSQL'} (a fresh database), loopback"
    )
    scrubs = f", scrub to {plan.scrubs} hops" if plan.scrubs else ""
    whose = "each their own" if plan.distinct else "the same for all"
    closed = ", back to back: a closed loop, a test of throughput and not a class"
    think = f", {plan.think:g} s before each" if plan.think else closed
    if plan.think_to is not None:
        think = f", {plan.think:g}–{plan.think_to:g} s before each and each scrub, drawn anew"
    sizes = [s for h in ours.streams for s in h.sizes]
    rss = ours.rss_peak / 1024, ours.rss_idle / 1024
    per_student = (ours.rss_peak - ours.rss_idle) / max(plan.students, 1)
    ours_rate = statistics.median(ours.rates()) if ours.rates() else float("nan")
    bare_rate = statistics.median(bare.rates()) if bare.rates() else float("nan")
    ratio = ours_rate / bare_rate if bare_rate else float("nan")
    api, first = ours.latencies(), ours.first_hops()
    requests = len(api) + len(ours.streams)
    print(f"students         {plan.students} concurrent, arriving over {plan.ramp:g} s")
    print(f"server           {where}")
    print(
        f"each             create, page, {plan.commands} commands ({whose}{think}), read; stream "
        f"{ours.per_stream} hops (the drawn player's events) at {plan.rate:g}/s "
        f"(speed {plan.speed:g}){scrubs}"
    )
    print(f"load average     {load} (1, 5, 15 min; {os.cpu_count()} cores)")
    print(f"duration         {ours.elapsed:.1f} s, {ours.finished} of {plan.students} finished")
    print(f"requests         {requests:,} ({requests / max(ours.elapsed, 1e-9):,.1f}/s)")
    print(f"API latency      {ms(api)}   (target p99 < {API_P99_MS} ms)")
    for kind in CALLS:
        if ours.calls.get(kind):
            print(f"API {kind:<12} {ms(ours.calls[kind])} ({len(ours.calls[kind]):,})")
    print(f"API p99 by time  {by_time(ours.timeline)}")
    print(f"first hop        {ms(first)}   (target p99 < {FIRST_HOP_P99_MS} ms)")
    print(f"hops a stream    {per_stream(ours)}   (target {plan.rate:g}/s)")
    print(
        f"hops streamed    {ours.received():,} of {ours.expected:,} "
        f"({ours.received() / max(ours.elapsed, 1e-9):,.0f} hops/s in all)"
    )
    print(f"hops lost        {ours.lost} lost, {ours.repeated} repeated   (target 0)")
    if sizes:
        print(
            f"bytes per hop    median {statistics.median(sizes):,.0f}, "
            f"p95 {percentile([float(s) for s in sizes], 95):,.0f} (each event's data)"
        )
    print(f"errors           {len(ours.errors)}   (target 0)")
    for error in ours.errors[:5]:
        print(f"                 {error}")
    print(f"client's pauses  {pauses.summary(ours.pauses_ms)} (its collector, not the server)")
    if ours.rss_peak:
        print(
            f"server RSS       {rss[0]:.0f} MiB at peak ({rss[1]:.0f} MiB idle), "
            f"{per_student:.0f} KiB per student"
        )
    print(
        f"bare SSE         {per_stream(bare)}; first hop {ms(bare.first_hops())}; "
        f"{bare.received():,} of {bare.expected:,} hops, {bare.lost} lost, "
        f"{bare.repeated} repeated, {len(bare.errors)} errors"
    )
    for error in bare.errors[:3]:
        print(f"                 {error}")
    target = f"target ≥ {RATIO}"
    print(f"ratio            {ratio:.2f}   (median hops/s a stream, iovlab ÷ bare; {target})")
    missed = [
        name
        for name, ok in (
            ("API p99", percentile(api, 99) * 1000 < API_P99_MS),
            ("first hop p99", percentile(first, 99) * 1000 < FIRST_HOP_P99_MS),
            ("hops a stream p5", percentile(ours.rates(), 5) >= FULL_RATE * plan.rate),
            ("ratio", ratio >= RATIO),
        )
        if not ok
    ]
    print("targets          " + ("met" if not missed else "NOT met: " + ", ".join(missed)))
    return not missed
