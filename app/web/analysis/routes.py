"""Compare and contend: the three levels side by side, trace diffs, device timelines."""

from __future__ import annotations

import html
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.sessions import Live, Sessions
from app.sim import LEVELS, ScenarioError, Trace
from app.sim.compare import figures_by_category, traps_per_page
from app.sim.contention import per_guest, timeline
from app.sim.diff import diff_hops
from app.sim.scenario import CATEGORIES, Level
from app.workloads import DeviceKind, GeneratorError, contention_data

from .. import owners
from ..deps import AppDep, ClientDep, DbDep, LiveDep
from .baseline import baseline_context
from .charts import grouped_bars, timeline_chart
from .guests import guest_keys, key_of
from .lanes import lanes_at

router = APIRouter()
MAX_WINDOW_MS = 86_400_000.0  # a day of simulated time: past any trace within the hop budget


def _traces(sessions: Sessions, live: Live) -> dict[str, Trace]:
    return {level: sessions.at_level(live, level) for level in LEVELS}


@router.get("/s/{session_id}/compare", response_class=HTMLResponse)
def compare_page(request: Request, iovlab: AppDep, live: LiveDep) -> Response:
    traces = _traces(iovlab.sessions, live)
    context = {
        "session": live,
        "lanes": lanes_at(live, traces, 0),
        "charts": _charts(traces),
        "totals": _totals(traces),
        "per_page": traps_per_page(traces["io_operation"]),
        "requests": [r for r in live.trace.requests],
        "diff": None,
        **baseline_context(live, traces),
    }
    return iovlab.templates.TemplateResponse(request, "compare.html", context)


@router.get("/s/{session_id}/compare/lanes", response_class=HTMLResponse)
def lanes(
    request: Request, iovlab: AppDep, live: LiveDep, step: Annotated[int, Query(ge=0)] = 0
) -> Response:
    context = {"session": live, "lanes": lanes_at(live, _traces(iovlab.sessions, live), step)}
    return iovlab.templates.TemplateResponse(request, "partials/lanes.html", context)


def _charts(traces: dict[str, Trace]) -> list[Any]:
    figures = figures_by_category(traces)
    groups = [c for c in CATEGORIES if c in figures]
    charts = []
    for title, unit, attribute in (
        ("Traps per request", "traps", "traps"),
        ("Virtualization overhead per request", "µs", "overhead_us"),
        ("Device time per request", "µs", "device_us"),
    ):
        # means over the requests that ended ok; a level with none has no bar
        means = {
            (group, level): figures[group][level].mean(attribute)
            for group in groups
            for level in LEVELS
            if level in figures[group]
        }
        values: dict[tuple[str, str], float] = {
            key: mean for key, mean in means.items() if mean is not None
        }
        charts.append(grouped_bars(title, unit, groups, list(LEVELS), values))
    return charts


def _totals(traces: dict[str, Trace]) -> list[dict[str, Any]]:
    rows = []
    for level, trace in traces.items():
        records = trace.requests
        rows.append(
            {
                "level": level,
                "requests": len(records),
                "ok": sum(1 for r in records if r.status == "ok"),
                "refused": sum(1 for r in records if r.status != "ok"),
                "traps": sum(r.traps for r in records),
                "overhead_us": sum(r.overhead_us for r in records),
                "device_us": sum(r.device_us for r in records),
            }
        )
    return rows


@router.get("/s/{session_id}/compare/diff", response_class=HTMLResponse)
def diff(
    request: Request,
    iovlab: AppDep,
    live: LiveDep,
    a_level: Level,
    a_request: Annotated[str, Query(max_length=12)],
    b_level: Level,
    b_request: Annotated[str, Query(max_length=12)],
) -> Response:
    """Which hops one run of a request has and the other has not."""
    a = iovlab.sessions.at_level(live, a_level).hops_of(a_request)
    b = iovlab.sessions.at_level(live, b_level).hops_of(b_request)
    guests = {g.id for g in live.scenario.guests}
    types: dict[str, str] = {d.id: d.type for d in live.scenario.devices}
    context = {
        "rows": diff_hops(a, b, guests, types) if a and b else [],
        "a": (a_level, a_request, bool(a)),
        "b": (b_level, b_request, bool(b)),
    }
    return iovlab.templates.TemplateResponse(request, "partials/diff.html", context)


@router.get("/s/{session_id}/contention", response_class=HTMLResponse)
def contention_page(
    request: Request,
    iovlab: AppDep,
    live: LiveDep,
    from_ms: Annotated[float | None, Query(ge=0, le=MAX_WINDOW_MS, allow_inf_nan=False)] = None,
    to_ms: Annotated[float | None, Query(ge=0, le=MAX_WINDOW_MS, allow_inf_nan=False)] = None,
) -> Response:
    bars = timeline(live.trace)
    last_hop = live.trace.hops[-1].t_us if live.trace.hops else 0
    last = max([last_hop, *(b.end_us for b in bars)])
    start = int((from_ms or 0) * 1000)
    end = int(to_ms * 1000) if to_ms is not None else last
    end = max(end, start + 1)
    guests = [g.id for g in live.scenario.guests]
    keys = guest_keys(live.scenario)
    context = {
        "session": live,
        "chart": timeline_chart(bars, keys, (start, end)),
        "figures": per_guest(live.trace, guests, (start, end)),
        "guest_key": lambda guest: key_of(keys, guest),
        "window": (start, end, last),
        "problems": [],
        "form": {},
    }
    return iovlab.templates.TemplateResponse(request, "contention.html", context)


@router.post("/contention")
def generate(
    request: Request,
    iovlab: AppDep,
    client: ClientDep,
    db: DbDep,
    guests: Annotated[int, Form(ge=1, le=16)] = 3,
    device: Annotated[DeviceKind, Form()] = "disk",
    rate_per_s: Annotated[float, Form(gt=0, le=100_000)] = 50,
    duration_ms: Annotated[int, Form(ge=1, le=600_000)] = 500,
    level: Annotated[Level, Form()] = "device_driver",
    seed: Annotated[int, Form(ge=0, le=2**32 - 1)] = 1,
) -> Response:
    """Make a contention workload and open it in a new session's contention view."""
    try:
        data = contention_data(
            guests=guests,
            device=device,
            rate_per_s=rate_per_s,
            duration_ms=duration_ms,
            seed=seed,
            level=level,
        )
        source = yaml.safe_dump(data, sort_keys=False)
        row = iovlab.sessions.open_generated(db, client, source)
    except (GeneratorError, ScenarioError) as error:
        problems = error.problems if isinstance(error, ScenarioError) else [str(error)]
        lines = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
        return HTMLResponse(f"<ul class='problems' role='alert'>{lines}</ul>", status_code=422)
    owners.hold(request, row.id)
    return RedirectResponse(f"/s/{row.id}/contention", status_code=303)
