"""Playback and commands: the player at any hop, and requests a person composes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.sim import ScenarioError
from app.sim.scenario import OP_DEVICE_TYPES
from app.store import rooms
from app.store import sessions as repo

from . import lecturer
from .deps import DbDep, LiveDep, SessionsDep
from .render import SPEEDS, player_context

router = APIRouter()

Speed = Annotated[float, Query(ge=min(SPEEDS), le=max(SPEEDS))]

# The fields each operation takes from the composer, in the order shown.
OP_FIELDS: dict[str, tuple[str, ...]] = {
    "disk_read": ("guest", "block", "count"),
    "disk_write": ("guest", "block", "count"),
    "net_send": ("guest", "dst_ip", "bytes"),
    "frame_arrives": ("dst_mac", "dst_ip", "bytes"),
    "print": ("guest", "pages"),
    "key_press": ("key",),
    "mouse_move": ("dx", "dy"),
    "key_read": ("guest",),
    "mouse_read": ("guest",),
    "switch_owner": ("target", "to"),
}
INTEGER_FIELDS = {"block", "count", "bytes", "pages", "dx", "dy"}


@router.get("/s/{session_id}/player", response_class=HTMLResponse)
def player(
    request: Request,
    db: DbDep,
    live: LiveDep,
    at: Annotated[int, Query(ge=-1)] = -1,
    play: bool = False,
    speed: Speed = 1.0,
    until: Annotated[int | None, Query(ge=-1, description="a stream stops after this hop")] = None,
    presenter: bool = False,
) -> Response:
    """The player at hop ``at``; with ``play`` it streams on from the next hop."""
    at = min(at, len(live.trace.hops) - 1)
    repo.set_cursor(db, session_id=live.id, cursor=at)
    if lecturer.holds(request, live.id):  # the class follows its lecturer, no one else
        rooms.follow_cursor(db, session_id=live.id, k=at)
    return render_player(
        request, live, at, playing=play, speed=speed, until=until, presenter=presenter
    )


def render_player(
    request: Request,
    live: Any,
    at: int,
    *,
    playing: bool,
    speed: float,
    until: int | None = None,
    presenter: bool = False,
) -> Response:
    templates = request.app.state.templates
    context = player_context(
        live,
        at,
        playing=playing,
        speed=speed,
        until=until,
        presenter=presenter,
        hop_interval_s=request.app.state.settings.hop_interval_s,
    )
    response = templates.TemplateResponse(request, "partials/player.html", context)
    response.headers["Vary"] = "HX-Request"
    return response


@router.get("/s/{session_id}/composer", response_class=HTMLResponse)
def composer(
    request: Request, live: LiveDep, device: str = "", op: str = "", guest: str = ""
) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "partials/composer.html", composer_context(live, device, op, guest)
    )


def composer_context(live: Any, device: str = "", op: str = "", guest: str = "") -> dict[str, Any]:
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


@router.post("/s/{session_id}/commands", response_class=HTMLResponse)
async def issue_command(
    request: Request,
    db: DbDep,
    live: LiveDep,
    sessions: SessionsDep,
    cursor: Annotated[int, Form()] = -1,
    speed: Annotated[float, Form(ge=min(SPEEDS), le=max(SPEEDS))] = 1.0,
) -> Response:
    """Issue the composed request at the cursor's simulated time, then play it."""
    lecturer.guard_changes(request, db, live.id)
    form = await request.form()
    data = command_from_form({k: str(v) for k, v in form.items()})
    try:
        updated, _ = sessions.issue(db, live, data, cursor)
    except ScenarioError as error:
        context = composer_context(live, data.get("device", ""), data.get("op", ""))
        context["problems"] = error.problems
        context["values"] = data
        templates = request.app.state.templates
        return templates.TemplateResponse(
            request,
            "partials/composer.html",
            context,
            status_code=422,
            headers={"HX-Retarget": "#composer", "HX-Reswap": "outerHTML"},
        )
    repo.set_cursor(db, session_id=live.id, cursor=cursor)
    return render_player(request, updated, cursor, playing=True, speed=speed)


def command_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The workload item a composer form describes (only the fields its op takes)."""
    op = form.get("op", "")
    data: dict[str, Any] = {"op": op, "device": form.get("device", "")}
    for name in OP_FIELDS.get(op, ()):
        value = form.get(name, "").strip()
        if value == "":
            continue
        data[name] = _number(value) if name in INTEGER_FIELDS else value
    if form.get("level"):
        data["level"] = form["level"]
    return data


def _number(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value  # validation names the field and what is wrong with it
