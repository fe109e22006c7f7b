"""Who held each physical device when, who waited, and how fair it was.

Derived from a trace alone: a disk serves one request at a time, a NIC's wire
carries one frame at a time (frames of several guests interleave), a printer
is held by one job for all its pages.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from .jobs import print_outs
from .trace import Hop, Trace


@dataclass(frozen=True, slots=True)
class Bar:
    """An interval on a device's timeline: ``busy`` serving a guest, or ``waiting`` in its queue."""

    device: str
    guest: str | None
    request: str
    kind: str
    start_us: int
    end_us: int
    label: str
    seq: int = -1  # the hop it comes from: the player can open the trace there


def timeline(trace: Trace) -> list[Bar]:
    """Busy and waiting intervals of every physical device, in trace order."""
    bars: list[Bar] = []
    for hop in trace.hops:
        if hop.stage == "physical_device":
            bars += _bars_of(hop)
    return bars


def _bars_of(hop: Hop) -> list[Bar]:
    d, t = hop.detail, hop.t_us
    device = hop.device
    if "service_us" in d:  # a disk request; an image's accesses are its disk's
        device = hop.actor
        start, end = t, t + d["service_us"]
        label = f"{hop.request} pblock {d['physical_block']}"
    elif "wire_us" in d:  # an outgoing frame
        start, end = t, t + d["wire_us"]
        label = f"{hop.request} frame {d['frame']}/{d['frames']}"
    elif "page_us" in d:  # a printed page (the hop is when it comes out)
        start, end = t - d["page_us"], t
        label = f"{hop.request} file {d['job']} p{d['page']}/{d['pages']}"
    else:
        return []
    whose = (device, hop.guest, hop.request)
    bars = [Bar(*whose, "busy", start, end, label, hop.seq)]
    waited = d.get("waited_us", 0)
    first_page = d.get("page", 1) == 1
    if waited and first_page:
        bars.append(Bar(*whose, "waiting", start - waited, start, label, hop.seq))
    return bars


def overlapping(bars: list[Bar]) -> list[tuple[Bar, Bar]]:
    """Pairs of busy intervals on the same device that overlap in time (must be none)."""
    found = []
    by_device: dict[str, list[Bar]] = {}
    for bar in bars:
        if bar.kind == "busy":
            by_device.setdefault(bar.device, []).append(bar)
    for device_bars in by_device.values():
        ordered = sorted(device_bars, key=lambda b: (b.start_us, b.end_us))
        found += [(a, b) for a, b in itertools.pairwise(ordered) if b.start_us < a.end_us]
    return found


def _ends(trace: Trace) -> dict[str, tuple[int, int]]:
    """When each guest's request is done, and the device time it took.

    A print is done when its last page is out, so its printing (the VMM's
    ``print_out``) counts with it; a job not printed yet is not done.
    """
    printed = print_outs(trace)
    ends = {}
    for r in trace.requests:
        if r.end_us is None or r.op == "print_out":
            continue
        if r.op != "print" or r.status != "ok":
            ends[r.id] = (r.end_us, r.device_us)
        elif r.id in printed and printed[r.id].end_us is not None:
            out = printed[r.id]
            ends[r.id] = (out.end_us or 0, r.device_us + out.device_us)
    return ends


def jain(values: list[float]) -> float:
    """Jain's fairness index: 1 when all are equal, 1/n when one takes everything."""
    if not values or not any(values):
        return 1.0
    return sum(values) ** 2 / (len(values) * sum(v * v for v in values))


def per_guest(trace: Trace, guests: list[str], window: tuple[int, int]) -> dict[str, Any]:
    """Latency and throughput per guest for requests that end inside ``window``
    (a print ends with its last page)."""
    start, end = window
    seconds = max(end - start, 1) / 1_000_000
    ends = _ends(trace)
    rows: dict[str, dict[str, Any]] = {}
    for guest in guests:
        done = [
            r
            for r in trace.requests
            if r.guest == guest and r.id in ends and start <= ends[r.id][0] <= end
        ]
        latencies = [ends[r.id][0] - r.start_us for r in done]
        rows[guest] = {
            "requests": len(done),
            "mean_latency_us": round(sum(latencies) / len(latencies)) if latencies else None,
            "max_latency_us": max(latencies) if latencies else None,
            "device_us": sum(ends[r.id][1] for r in done),
            "throughput_per_s": len(done) / seconds,
        }
    issued = {r.guest for r in trace.requests if r.start_us <= end and r.op != "print_out"}
    active = [float(row["throughput_per_s"]) for guest, row in rows.items() if guest in issued]
    return {"guests": rows, "fairness": jain(active), "window_us": (start, end)}
