"""Lessons: the list, and the presenter view a lecturer projects."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.lessons.compile import CompiledLesson
from app.lessons.study import PROGRESS_COOKIE, read_progress
from app.sessions import Live
from app.store import rooms as rooms_repo

from ..application import Iovlab
from ..deps import AppDep, ClientDep, DbDep, LiveDep
from ..render import composer_context, player_context
from . import lecturer

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
    row = iovlab.sessions.open_lesson(db, client, lesson)
    lecturer.hold(request, row.id)
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
def presenter(request: Request, iovlab: AppDep, db: DbDep, live: LiveDep) -> Response:
    lecturer.require(request, live.id)
    lesson, step = lecturer.presented(iovlab.lessons, db, live.id)
    context = _step_context(iovlab, request, db, live, lesson, step, phase="still")
    context.update(composer_context(live))
    return iovlab.templates.TemplateResponse(request, "lessons/present.html", context)


@router.get("/p/{session_id}/step/{step}", response_class=HTMLResponse)
def goto_step(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    live: LiveDep,
    step: int,
    phase: Annotated[str, Query(pattern="^(ask|play|still)$")] = "play",
    speed: Annotated[float, Query(ge=0.25, le=4)] = 1.0,
) -> Response:
    """Enter a step: pose its question first if it has one, else play its hops."""
    lecturer.require(request, live.id)
    lesson, _ = lecturer.presented(iovlab.lessons, db, live.id)
    step = max(0, min(step, len(lesson.steps) - 1))
    current = lesson.steps[step]
    if (
        phase == "play"
        and current.question is not None
        and request.query_params.get("phase") is None
    ):
        phase = "ask"
    context = _step_context(iovlab, request, db, live, lesson, step, phase=phase, speed=speed)
    at = context["at"]
    revealed = phase == "play" and current.question is not None
    iovlab.sessions.bookmark(db, live.id, at)
    rooms_repo.set_step(
        db, session_id=live.id, step=step, k=at, question="revealed" if revealed else "none"
    )
    # the player at the step's first hop, and the step's narration swapped in out of band
    return iovlab.templates.TemplateResponse(request, "lessons/step.html", context)


def _step_context(
    iovlab: Iovlab,
    request: Request,
    db: Session,
    live: Live,
    lesson: CompiledLesson,
    step: int,
    *,
    phase: str,
    speed: float = 1.0,
) -> dict[str, Any]:
    current = lesson.steps[step]
    playing = phase == "play" and current.end > current.start
    at = current.start if playing or phase == "ask" else current.end
    rooms = rooms_repo.rooms_of(db, live.id)
    room = rooms[-1] if rooms else None
    context = player_context(
        live,
        at,
        playing=playing,
        speed=speed,
        until=current.end,
        presenter=True,
        hop_interval_s=iovlab.settings.hop_interval_s,
    )
    context.update(
        lesson=lesson,
        step=step,
        current=current,
        phase=phase,
        at=at,
        room=room,
        join_url=f"{request.base_url}join?code={room.code}" if room else None,
        qr=_qr(f"{request.base_url}join?code={room.code}") if room else None,
    )
    return context


def _qr(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=5, dark="#111", light="#fff"))
