"""Requests a person composes: the composer's fields for a device and an operation, and
issuing the composed request at the hop shown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.sessions import Live
from app.sim import ScenarioError

from .. import lecturer, owners
from ..deps import AppDep, DbDep, LiveDep, form_fields
from ..render import composed_fields, composer_context

router = APIRouter()

MAX_HOP = 2**31 - 1  # no trace within the hop budget has more hops; a database integer holds it
INTEGER_FIELDS = {"block", "count", "bytes", "pages", "dx", "dy", "buffer"}


@router.get("/s/{session_id}/composer", response_class=HTMLResponse)
def composer(
    request: Request,
    iovlab: AppDep,
    live: LiveDep,
    device: str = "",
    op: str = "",
    guest: str = "",
) -> Response:
    return iovlab.templates.TemplateResponse(
        request, "partials/composer.html", composer_context(live, device, op, guest)
    )


@router.post("/s/{session_id}/commands", response_class=HTMLResponse)
async def issue_command(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    live: LiveDep,
    cursor: Annotated[int, Form(ge=-1, le=MAX_HOP)] = -1,
) -> Response:
    """Issue the composed request at the cursor's simulated time, then play it."""
    if not lecturer.holds(request, db, live.id):
        owners.require(request, iovlab.secret, live.id)
    form = await form_fields(request)
    data = command_from_form(live, dict(form.items()))
    try:
        iovlab.sessions.command(db, live, data, cursor)
    except ScenarioError as error:
        context = composer_context(live, data.get("device", ""), data.get("op", ""))
        context["problems"] = error.problems
        context["values"] = data
        return iovlab.templates.TemplateResponse(
            request,
            "partials/composer.html",
            context,
            status_code=422,
            headers={"HX-Retarget": "#composer", "HX-Reswap": "outerHTML"},
        )
    iovlab.sessions.bookmark(db, live.id, cursor)
    # the trace after the cursor changed: the page opens again there and plays the request
    url = f"/s/{live.id}?at={cursor + 1}&play=1"
    return Response(status_code=204, headers={"HX-Redirect": url})


def command_from_form(live: Live, form: dict[str, str]) -> dict[str, Any]:
    """The workload item a composer form describes (only the fields the composer showed
    for its op and device)."""
    op, device = form.get("op", ""), form.get("device", "")
    kind = next((d.type for d in live.scenario.devices if d.id == device), "")
    data: dict[str, Any] = {"op": op, "device": device}
    for name in composed_fields(op, kind):
        value = form.get(name, "").strip()
        if value == "":
            continue
        data[name] = _number(value, name == "buffer") if name in INTEGER_FIELDS else value
    if form.get("level"):
        data["level"] = form["level"]
    return data


def _number(value: str, address: bool = False) -> int | str:
    try:
        return int(value, 0) if address else int(value)  # an address may be hex: 0x1000
    except ValueError:
        return value  # validation names the field and what is wrong with it
