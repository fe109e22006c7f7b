"""The compare page's three lanes, stepped together in simulated time, and where each leads.

Only one run is the session's own, the one its player plays: the lane at the level every
request of the session runs at, when there is such a level. A request in that lane opens
the player where it starts. The other lanes are separate runs of the same workload; their
hop numbers mean nothing in the player, so they lead to the same request (the same
workload or command item) in the session's own run, and say so, or to nothing.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from app.sessions import Live
from app.sim import Hop, RequestRecord, Trace

from .guests import guest_keys, key_of


@dataclass(frozen=True, slots=True)
class PlayerLink:
    request: str  # the request's id in the session's own run
    at: int  # the player's address of its first hop (1-based)


class OwnRun:
    """The session's own trace, read once: where each request starts, which is which."""

    def __init__(self, live: Live) -> None:
        self.trace = live.trace
        self.starts: dict[str, int] = {}
        for hop in live.trace.hops:
            self.starts.setdefault(hop.request, hop.seq)
        self._by_item = {_identity(r): r.id for r in live.trace.requests if r.origin}

    def is_it(self, trace: Trace) -> bool:
        return trace.hops == self.trace.hops

    def link(self, request: str) -> PlayerLink | None:
        start = self.starts.get(request)
        return None if start is None else PlayerLink(request, start + 1)

    def counterpart(self, trace: Trace, request: str) -> PlayerLink | None:
        """The same request of another run (made by the same item) in the session's run."""
        record = next((r for r in trace.requests if r.id == request), None)
        if record is None or not record.origin:
            return None
        mine = self._by_item.get(_identity(record))
        return None if mine is None else self.link(mine)


def _identity(record: RequestRecord) -> tuple[str, str | None, str, str]:
    return (record.origin, record.guest, record.op, record.device)


def lanes_at(live: Live, traces: dict[str, Trace], step: int) -> dict[str, Any]:
    """The three levels at the same simulated time: each lane's last hop by then."""
    times = sorted({hop.t_us for trace in traces.values() for hop in trace.hops})
    step = min(step, len(times) - 1) if times else 0
    now = times[step] if times else 0
    own = OwnRun(live)
    own_level = next((level for level, trace in traces.items() if own.is_it(trace)), None)
    keys = guest_keys(live.scenario)
    result = []
    for level, trace in traces.items():
        stamps = [hop.t_us for hop in trace.hops]
        k = bisect.bisect_right(stamps, now) - 1
        shown = trace.hops[: k + 1]
        hop: Hop | None = shown[-1] if shown else None
        is_own = level == own_level
        link = None
        if hop is not None:
            link = own.link(hop.request) if is_own else own.counterpart(trace, hop.request)
        result.append(
            {
                "level": level,
                "hop": hop,
                "k": k,
                "total": len(trace.hops),
                "traps": sum(h.detail.get("traps", 0) for h in shown if h.stage == "vmm_trap"),
                "done": sum(1 for h in shown if h.stage == "status_reply"),
                "requests": len(trace.requests),
                "own": is_own,
                "link": link,
                "key": key_of(keys, hop.guest) if hop is not None else None,
            }
        )
    return {
        "step": step,
        "steps": len(times),
        "t_us": now,
        "lanes": result,
        "own_level": own_level,
    }
