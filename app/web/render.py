"""Rendering sessions to HTML: the player (controls, machine, log) at a hop."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from jinja2 import Environment

from app.sim import LEVELS
from app.sim.scenario import CATEGORIES
from app.sim.trace import STAGES

from .charts import short_number
from .live import Live
from .view import LOG_LINES, PALETTE, machine_at

FOLLOWER_LOG_LINES = 30
# while playing, the log is a tail: each streamed hop stays a few tens of KB however long the
# trace (a class of 200 on one access point), and the whole log is back on pause
STREAM_LOG_LINES = 40

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


def install_filters(env: Environment) -> None:
    env.trim_blocks = True  # no blank lines where template tags stood: smaller fragments
    env.lstrip_blocks = True
    env.filters["us"] = _microseconds
    env.filters["speed"] = lambda s: f"{s:g}×"
    env.filters["compact"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.filters["short"] = short_number
    env.globals.update(
        PALETTE=PALETTE, SPEEDS=SPEEDS, LEVELS=LEVELS, STAGES=STAGES, CATEGORIES=CATEGORIES
    )


def _microseconds(value: int | None) -> str:
    if value is None:
        return "–"
    if value >= 1_000_000:
        return f"{value / 1_000_000:,.3f} s"
    if value >= 10_000:
        return f"{value / 1000:,.1f} ms"
    return f"{value:,} µs"


def player_context(
    live: Live,
    k: int,
    *,
    playing: bool,
    speed: float,
    hop_interval_s: float,
    until: int | None = None,
    presenter: bool = False,
    follower: bool = False,
    log_lines: int = LOG_LINES,
) -> dict[str, Any]:
    # a follower's view goes to a whole class at every change: keep it light
    lines = min(log_lines, FOLLOWER_LOG_LINES) if follower else log_lines
    return {
        "view": machine_at(live, k, log_lines=lines),
        "playing": playing,
        "speed": speed,
        "session": live,
        "hop_interval_s": hop_interval_s,
        "until": until,
        "presenter": presenter,
        "follower": follower,
    }


def render_stage(
    request: Request,
    live: Live,
    k: int,
    *,
    speed: float,
    until: int | None = None,
    presenter: bool = False,
) -> str:
    """The part of the player a streamed hop replaces (always while playing)."""
    templates = request.app.state.templates
    interval = request.app.state.settings.hop_interval_s
    context = player_context(
        live,
        k,
        playing=True,
        speed=speed,
        hop_interval_s=interval,
        until=until,
        presenter=presenter,
        log_lines=STREAM_LOG_LINES,
    )
    template = templates.get_template("partials/stage.html")
    return str(template.render(request=request, streamed=True, **context))
