"""Lessons: the list, and the presenter view a lecturer projects."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.diagram.profiles import PROJECTOR
from app.lessons.study import PROGRESS_COOKIE, read_progress
from app.store import rooms as rooms_repo

from .. import drawn, lecturer
from ..deps import AppDep, ClientDep, DbDep, LiveDep

router = APIRouter()


@router.get("/lessons", response_class=HTMLResponse)
def lessons(request: Request, iovlab: AppDep) -> Response:
    progress = read_progress(request.cookies.get(PROGRESS_COOKIE, ""))
    context = {"lessons": iovlab.lessons, "progress": progress}
    return iovlab.templates.TemplateResponse(request, "lessons/list.html", context)


@router.post("/lessons/{name}/present")
def present(request: Request, iovlab: AppDep, client: ClientDep, db: DbDep, name: str) -> Response:
    """A fresh session holding the lesson's scenario and commands, presented from step 1."""
    lesson = lecturer.lesson_named(iovlab.lessons, name)
    row = iovlab.sessions.open_lesson(db, client, lesson, lecturer.lecturer_id(request, db))
    return RedirectResponse(f"/p/{row.id}", status_code=303)


@router.get("/lessons/{name}/present", response_class=HTMLResponse)
def present_get(request: Request, iovlab: AppDep, name: str) -> Response:
    """A typed or bookmarked link to present a lesson: the button that does it (a GET opens
    no session)."""
    lesson = lecturer.lesson_named(iovlab.lessons, name)
    return iovlab.templates.TemplateResponse(
        request, "lessons/list.html", {"lessons": {name: lesson}}
    )


@router.get("/p/{session_id}", response_class=HTMLResponse)
def presenter(
    request: Request, iovlab: AppDep, db: DbDep, live: LiveDep, play: bool = False
) -> Response:
    """The presenter at its step, as the server holds it: a question not yet revealed is
    asked (its answer nowhere on the page), however the page was reached."""
    lecturer.require(request, db, live.id)
    lesson, step = lecturer.presented(iovlab.lessons, db, live.id)
    current = lesson.steps[step]
    rooms = rooms_repo.rooms_of(db, live.id)
    room = rooms[-1] if rooms else None
    revealed = lecturer.revealed(db, live.id, step) or (
        room is not None and room.question == "revealed"
    )
    if current.question is not None and not revealed:
        phase = "ask"
    elif play and current.end > current.start:
        phase = "play"
    else:
        phase = "still"
    at = current.end if phase == "still" else current.start
    context = drawn.page_context(iovlab, live, at, PROJECTOR)
    join_url = f"{request.base_url}join?code={room.code}" if room else None
    context.update(
        lesson=lesson,
        step=step,
        current=current,
        phase=phase,
        room=room,
        join_url=join_url,
        qr=_qr(join_url) if join_url else None,
        until=current.end,
        autoplay=phase == "play",
    )
    return iovlab.templates.TemplateResponse(request, "diagram/present.html", context)


@router.post("/p/{session_id}/step/{step}")
def goto_step(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    live: LiveDep,
    step: int,
    said: Annotated[str | None, Form(alias="phase", pattern="^(ask|play|still)$")] = None,
) -> Response:
    """Enter a step (its question asked first, if it has one), or reveal its answer and play
    it (``phase=play`` said outright); then the presenter shows it. A POST: a link from
    another site must not move the class or reveal an answer."""
    lecturer.require(request, db, live.id)
    lesson, _ = lecturer.presented(iovlab.lessons, db, live.id)
    step = max(0, min(step, len(lesson.steps) - 1))
    current = lesson.steps[step]
    phase = said or "play"
    revealing = current.question is not None and said == "play"
    at = current.end if phase == "still" else current.start
    iovlab.sessions.bookmark(db, live.id, at)
    rooms_repo.set_step(
        db, session_id=live.id, step=step, k=at, question="revealed" if revealing else "none"
    )
    if revealing:
        rooms_repo.reveal(db, session_id=live.id, step=step)
    url = f"/p/{live.id}" + ("?play=1" if phase == "play" else "")
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.post("/p/{session_id}/at/{k}", status_code=204)
def lecturer_at(request: Request, iovlab: AppDep, db: DbDep, live: LiveDep, k: int) -> Response:
    """The lecturer stepped by hand (a played hop, from the page's own cache): the class
    follows there too."""
    lecturer.require(request, db, live.id)
    k = max(-1, min(k, len(live.trace.hops) - 1))
    iovlab.sessions.bookmark(db, live.id, k)
    rooms_repo.follow_cursor(db, session_id=live.id, k=k)
    return Response(status_code=204)


def _qr(url: str) -> str:
    """The QR code drawn whole at whatever size the page gives it (a viewBox, no fixed size),
    with a quiet zone of two modules: the room panel's white is the rest of it."""
    code = segno.make(url, error="m")
    return str(code.svg_inline(scale=5, border=2, omitsize=True, dark="#111", light="#fff"))
