"""Live rooms: a lecturer's presentation followed by the class on their own devices."""

from __future__ import annotations

import html
import secrets
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from sse_starlette import EventSourceResponse

from app.exercises.grading import number
from app.store import rooms as repo
from app.store.models import RoomRow

from ..deps import AppDep, ClientDep, DbDep, LiveDep, stream_place
from . import lecturer
from .follow import follower_context

router = APIRouter()


def _lecturer_room(request: Request, db: Session, session_id: str) -> RoomRow:
    rooms = repo.rooms_of(db, session_id)
    held = request.session.get("rooms", {})
    for room in reversed(rooms):
        if isinstance(held, dict) and held.get(room.code) == room.secret:
            return room
    raise HTTPException(status_code=403, detail="only the lecturer's browser drives this room")


def _room(db: Session, code: str) -> RoomRow:
    room = repo.get_room(db, code)
    if room is None:
        raise HTTPException(status_code=404, detail=f"no live room {code!r}: check the code")
    return room


@router.post("/p/{session_id}/room")
def open_room(request: Request, iovlab: AppDep, db: DbDep, live: LiveDep) -> Response:
    lecturer.require(request, live.id)
    _, step = lecturer.presented(iovlab.lessons, db, live.id)
    room = repo.open_room(db, session_id=live.id, step=step, k=live.cursor)
    held = dict(request.session.get("rooms", {}))
    held[room.code] = room.secret
    request.session["rooms"] = held
    return RedirectResponse(f"/p/{live.id}", status_code=303)


@router.post("/p/{session_id}/room/ask", response_class=HTMLResponse)
def ask(request: Request, iovlab: AppDep, db: DbDep, live: LiveDep) -> Response:
    room = _lecturer_room(request, db, live.id)
    repo.update_room(db, room, question="open")
    return answers(request, iovlab, db, live)


@router.get("/p/{session_id}/room/answers", response_class=HTMLResponse)
def answers(request: Request, iovlab: AppDep, db: DbDep, live: LiveDep) -> Response:
    room = _lecturer_room(request, db, live.id)
    lesson, _ = lecturer.presented(iovlab.lessons, db, live.id)
    step = lesson.steps[room.step]
    counts = repo.distribution(db, room)
    context = {
        "room": room,
        "step": step,
        "counts": counts,
        "total": sum(counts.values()),
        "session": live,
    }
    return iovlab.templates.TemplateResponse(request, "lessons/answers.html", context)


@router.get("/join", response_class=HTMLResponse)
def join(
    request: Request, iovlab: AppDep, db: DbDep, code: Annotated[str, Query(max_length=8)] = ""
) -> Response:
    if code.strip():
        room = repo.get_room(db, code)
        if room is not None:
            return RedirectResponse(f"/r/{room.code}", status_code=303)
    problem = f"No live room has the code {code.strip().upper()!r}." if code.strip() else None
    return iovlab.templates.TemplateResponse(
        request,
        "lessons/join.html",
        {"problem": problem, "code": code},
        status_code=404 if problem else 200,
    )


@router.get("/r/{code}", response_class=HTMLResponse)
def follow_page(request: Request, iovlab: AppDep, db: DbDep, code: str) -> Response:
    room = _room(db, code)
    request.session.setdefault("follower", secrets.token_urlsafe(12))
    context = follower_context(iovlab, db, room, room.k, True)
    return iovlab.templates.TemplateResponse(request, "lessons/follow.html", context)


@router.get("/r/{code}/stream")
async def follow_stream(iovlab: AppDep, client: ClientDep, code: str) -> EventSourceResponse:
    # no database session held for the life of a stream: a room has hundreds of them
    with Session(iovlab.engine) as db:
        room = _room(db, code)
    hub = iovlab.rooms

    async def events() -> AsyncIterator[bytes]:
        async for _, frame in hub.follow(room.code):
            yield frame  # already an encoded event: sse-starlette sends bytes as they are

    return EventSourceResponse(events(), ping=15, background=stream_place(iovlab.streams, client))


@router.get("/r/{code}/back", response_class=HTMLResponse)
def look_back(
    request: Request, iovlab: AppDep, db: DbDep, code: str, at: Annotated[int, Query(ge=-1)]
) -> Response:
    """A follower steps through hops already shown, never past the lecturer."""
    room = _room(db, code)
    context = follower_context(iovlab, db, room, at, False)
    return iovlab.templates.TemplateResponse(request, "lessons/follow_box.html", context)


@router.get("/r/{code}/live", response_class=HTMLResponse)
def back_to_live(request: Request, iovlab: AppDep, db: DbDep, code: str) -> Response:
    room = _room(db, code)
    context = follower_context(iovlab, db, room, room.k, True)
    return iovlab.templates.TemplateResponse(request, "lessons/follow_box.html", context)


@router.get("/r/{code}/mine", response_class=HTMLResponse)
def own_answer(request: Request, iovlab: AppDep, db: DbDep, code: str) -> Response:
    """Once the answer is revealed: what this follower said, beside the right answer.

    The revealed view is one render for the whole room; each follower fetches this
    line of their own."""
    room = _room(db, code)
    presentation = repo.get_presentation(db, room.session_id)
    lesson = iovlab.lessons.get(presentation.lesson) if presentation else None
    step = lesson.steps[room.step] if lesson else None
    follower = request.session.get("follower")
    if room.question != "revealed" or step is None or step.answer is None:
        return HTMLResponse("")
    given = repo.answer_of(db, room=room, follower=str(follower)) if follower else None
    return iovlab.templates.TemplateResponse(
        request,
        "lessons/own_answer.html",
        {
            "given": given,
            "expected": step.answer,
            "right": given is not None and same_answer(given, step.answer),
        },
    )


def same_answer(given: str, expected: str) -> bool:
    """As the room's tally counts them: numbers by value (1,500 is 1500), words as written."""
    a, b = number(given), number(expected)
    return a == b if a is not None and b is not None else given.strip() == expected


@router.post("/r/{code}/answer", response_class=HTMLResponse)
def give_answer(
    request: Request, db: DbDep, code: str, value: Annotated[str, Form(max_length=100)]
) -> Response:
    room = _room(db, code)
    if room.question != "open":
        raise HTTPException(status_code=409, detail="the question is not open")
    follower = request.session.setdefault("follower", secrets.token_urlsafe(12))
    try:
        repo.answer(db, room=room, follower=str(follower), value=value.strip())
    except repo.RoomEnded:
        raise HTTPException(status_code=404, detail="this room has ended") from None
    shown = html.escape(value.strip())
    return HTMLResponse(
        f"<p class='answered' role='status'>Your answer: <strong>{shown}</strong></p>"
    )
