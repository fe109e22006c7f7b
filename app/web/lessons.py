"""Lessons: the list, and the presenter view a lecturer projects."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.lessons.compile import CompiledLesson
from app.sim import parse_item
from app.store import rooms as rooms_repo
from app.store import sessions as session_repo

from . import lecturer
from .deps import DbDep, LiveDep
from .live import Live
from .player import composer_context, render_player
from .render import player_context

router = APIRouter()


def _lesson(request: Request, name: str) -> CompiledLesson:
    lesson = request.app.state.lessons.get(name)
    if lesson is None:
        raise HTTPException(status_code=404, detail="no such lesson")
    return lesson


def presented(request: Request, db: Session, live: Live) -> tuple[CompiledLesson, int]:
    presentation = rooms_repo.get_presentation(db, live.id)
    if presentation is None:
        raise HTTPException(status_code=404, detail="this session presents no lesson")
    return _lesson(request, presentation.lesson), presentation.step


@router.get("/lessons", response_class=HTMLResponse)
def lessons(request: Request) -> Response:
    return request.app.state.templates.TemplateResponse(
        request, "lessons/list.html", {"lessons": request.app.state.lessons}
    )


@router.post("/lessons/{name}/present")
def present(request: Request, db: DbDep, name: str) -> Response:
    """A fresh session holding the lesson's scenario and commands, presented from step 1."""
    lesson = _lesson(request, name)
    row = session_repo.create_session(
        db, name=lesson.lesson.title, source=lesson.source, shipped=None
    )
    for command in lesson.commands:
        item = parse_item(lesson.scenario, command)
        session_repo.add_command(
            db, session_id=row.id, item_json=item.model_dump_json(exclude_none=True)
        )
    rooms_repo.start_presentation(db, session_id=row.id, lesson=name)
    lecturer.hold(request, row.id)
    return RedirectResponse(f"/p/{row.id}", status_code=303)


@router.get("/lessons/{name}/present")
def present_get(request: Request, db: DbDep, name: str) -> Response:
    return present(request, db, name)


@router.get("/p/{session_id}", response_class=HTMLResponse)
def presenter(request: Request, db: DbDep, live: LiveDep) -> Response:
    lecturer.require(request, live.id)
    lesson, step = presented(request, db, live)
    context = _step_context(request, db, live, lesson, step, phase="still")
    context.update(composer_context(live))
    return request.app.state.templates.TemplateResponse(request, "lessons/present.html", context)


@router.get("/p/{session_id}/step/{step}", response_class=HTMLResponse)
def goto_step(
    request: Request,
    db: DbDep,
    live: LiveDep,
    step: int,
    phase: Annotated[str, Query(pattern="^(ask|play|still)$")] = "play",
    speed: Annotated[float, Query(ge=0.25, le=4)] = 1.0,
) -> Response:
    """Enter a step: pose its question first if it has one, else play its hops."""
    lecturer.require(request, live.id)
    lesson, _ = presented(request, db, live)
    step = max(0, min(step, len(lesson.steps) - 1))
    current = lesson.steps[step]
    if (
        phase == "play"
        and current.question is not None
        and request.query_params.get("phase") is None
    ):
        phase = "ask"
    context = _step_context(request, db, live, lesson, step, phase=phase, speed=speed)
    at = context["at"]
    revealed = phase == "play" and current.question is not None
    session_repo.set_cursor(db, session_id=live.id, cursor=at)
    rooms_repo.set_step(
        db, session_id=live.id, step=step, k=at, question="revealed" if revealed else "none"
    )
    response = render_player(
        request,
        live,
        at,
        playing=context["playing"],
        speed=speed,
        until=current.end,
        presenter=True,
    )
    narration = request.app.state.templates.get_template("lessons/narration.html")
    extra = narration.render(request=request, oob=True, **context)
    response.body = response.body + extra.encode()
    response.headers["content-length"] = str(len(response.body))
    return response


def _step_context(
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
        hop_interval_s=request.app.state.settings.hop_interval_s,
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
