"""The pages a person opens: the home page and a session's page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.sim import ScenarioError

from .. import drawn, lecturer, owners
from ..application import Iovlab
from ..deps import AppDep, ClientDep, DbDep, LiveDep
from ..render import composer_context

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, iovlab: AppDep) -> Response:
    return _home(iovlab, request)


def _home(
    iovlab: Iovlab,
    request: Request,
    *,
    problems: list[str] | None = None,
    text: str = "",
    status: int = 200,
) -> Response:
    return iovlab.templates.TemplateResponse(
        request,
        "index.html",
        {"shipped": iovlab.shipped, "problems": problems or [], "text": text},
        status_code=status,
    )


@router.post("/sessions")
async def create_from_form(
    request: Request,
    iovlab: AppDep,
    client: ClientDep,
    db: DbDep,
    scenario: Annotated[str, Form()] = "",
    scenario_yaml: Annotated[str, Form()] = "",
    upload: UploadFile | None = None,
) -> Response:
    """Open a shipped scenario, or a pasted or uploaded one (errors shown beside the text)."""
    text = scenario_yaml
    if upload is not None and upload.filename:
        raw = await upload.read(iovlab.sessions.max_scenario_bytes + 1)
        text = raw.decode("utf-8", errors="replace")
    try:
        if scenario:
            row = iovlab.sessions.open_shipped(db, client, scenario)
        else:
            row = iovlab.sessions.open_text(db, client, text)
    except ScenarioError as error:
        return _home(iovlab, request, problems=error.problems, text=text, status=422)
    owners.hold(request, row.id)  # this browser made it: only it changes it
    return RedirectResponse(f"/s/{row.id}", status_code=303)


@router.get("/s/{session_id}", response_class=HTMLResponse)
def session_page(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    live: LiveDep,
    at: Annotated[int | None, Query(ge=0, description="the hop shown, from 1; 0: none")] = None,
) -> Response:
    k = live.cursor if at is None else at - 1
    context = drawn.page_context(iovlab, live, k) | composer_context(live)
    context["owner"] = owners.owns(request, iovlab.secret, live.id) or lecturer.holds(
        request, db, live.id
    )
    return iovlab.templates.TemplateResponse(request, "session.html", context)


@router.get("/embed/s/{session_id}", response_class=HTMLResponse)
def embedded_session(request: Request, iovlab: AppDep, live: LiveDep) -> Response:
    """The machine and its playback alone, for a frame in a course page or slides.

    The only route other sites may frame (see security.py); it has no composer and no
    reset, so a framing page cannot trick a viewer into changing the session.
    """
    context = drawn.page_context(iovlab, live, live.cursor)
    return iovlab.templates.TemplateResponse(request, "embed.html", context)


@router.post("/s/{session_id}/reset")
def reset(
    request: Request, iovlab: AppDep, client: ClientDep, db: DbDep, live: LiveDep
) -> Response:
    """A fresh session of the same scenario; the old one stays as it was."""
    row = iovlab.sessions.copy(db, client, live)
    owners.hold(request, row.id)
    url = f"/s/{row.id}"
    return Response(status_code=204, headers={"HX-Redirect": url, "Location": url})


@router.post("/s/{session_id}/fork")
def fork(
    request: Request,
    iovlab: AppDep,
    client: ClientDep,
    db: DbDep,
    live: LiveDep,
    # a database integer holds the cursor: a larger one is a 422 naming it, not a 500
    cursor: Annotated[int, Form(ge=-1, le=2**31 - 1)] = -1,
) -> Response:
    """Make my own copy: the same scenario and requests, mine to change, opened where I was."""
    row = iovlab.sessions.fork(db, client, live, cursor)
    owners.hold(request, row.id)
    url = f"/s/{row.id}?at={cursor + 1}"
    return Response(status_code=204, headers={"HX-Redirect": url, "Location": url})
