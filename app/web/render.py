"""Rendering shared by every feature: the player (controls, machine, log) at a hop, the
composer of requests, and the filters and names the templates use."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2 import Environment

from app.exercises.grading import tolerance_note
from app.sessions import Live
from app.sim import LEVELS
from app.sim.interception import INTERCEPTION
from app.sim.scenario import CATEGORIES, OP_DEVICE_TYPES
from app.sim.scenario import OP_FIELDS as OP_FIELDS  # the composer's fields, for its routes
from app.sim.trace import STAGES

from .analysis.charts import short_number
from .application import Iovlab
from .view import LOG_LINES, PALETTE, machine_at, station_id

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
    env.filters["tolerance_note"] = tolerance_note
    env.filters["plural"] = plural
    env.globals.update(
        PALETTE=PALETTE,
        SPEEDS=SPEEDS,
        LEVELS=LEVELS,
        INTERCEPTION=INTERCEPTION,
        STAGES=STAGES,
        CATEGORIES=CATEGORIES,
        station_id=station_id,
    )


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 question``, ``2 questions``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


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


def render_player(
    iovlab: Iovlab,
    request: Request,
    live: Live,
    at: int,
    *,
    playing: bool,
    speed: float,
    until: int | None = None,
    presenter: bool = False,
) -> Response:
    """The player fragment at hop ``at`` (htmx swaps it into the page)."""
    context = player_context(
        live,
        at,
        playing=playing,
        speed=speed,
        until=until,
        presenter=presenter,
        hop_interval_s=iovlab.settings.hop_interval_s,
    )
    return iovlab.templates.TemplateResponse(request, "partials/player.html", context)


def render_stage(
    iovlab: Iovlab,
    live: Live,
    k: int,
    *,
    speed: float,
    until: int | None = None,
    presenter: bool = False,
) -> str:
    """The part of the player a streamed hop replaces (always while playing)."""
    context = player_context(
        live,
        k,
        playing=True,
        speed=speed,
        hop_interval_s=iovlab.settings.hop_interval_s,
        until=until,
        presenter=presenter,
        log_lines=STREAM_LOG_LINES,
    )
    template = iovlab.templates.get_template("partials/stage.html")
    return str(template.render(streamed=True, **context))


def composer_context(live: Live, device: str = "", op: str = "", guest: str = "") -> dict[str, Any]:
    """What the composer of requests shows for ``device`` and ``op`` (the first ones by default)."""
    devices = live.scenario.devices
    chosen = next((d for d in devices if d.id == device), devices[0] if devices else None)
    ops = [o for o, types in OP_DEVICE_TYPES.items() if chosen and chosen.type in types]
    op = op if op in ops else (ops[0] if ops else "")
    return {
        "session": live,
        "device": chosen,
        "ops": ops,
        "op": op,
        "fields": OP_FIELDS.get(op, ()),
        "guest": guest,
        "dedicated": [d for d in devices if d.type in ("keyboard", "mouse")],
        "problems": [],
    }
