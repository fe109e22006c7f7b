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
from app.store import limits
from app.store import rooms as repo
from app.store.models import RoomRow

from .. import lecturer
from ..application import Iovlab
from ..deps import AppDep, ClientDep, DbDep, LiveDep, stream_place
from .follow import follower_context

router = APIRouter()
FOLLOWER = "follower"  # the cookie's id of one follower: one answer per question


def _lecturer_room(request: Request, db: Session, session_id: str) -> RoomRow:
    held = request.session.get(lecturer.KEY)
    room = (
        repo.lecturer_room(db, lecturer_id=held, session_id=session_id)
        if isinstance(held, str)
        else None
    )
    if room is None:
        raise HTTPException(status_code=403, detail="only the lecturer's browser drives this room")
    return room


def _room(iovlab: Iovlab, db: Session, client: str, code: str) -> RoomRow:
    """The live room under ``code``; codes that find nothing are counted per address, so
    guessing codes soon stops while a class joining its real room is never held back."""
    key = f"join-misses:{client}"
    allowed = iovlab.settings.join_misses_per_minute
    if limits.hits(db, key=key, window_s=60) >= allowed:
        raise _too_many_misses(60)
    room = repo.get_room(db, code)
    if room is None:
        verdict = limits.take(db, key=key, limit=allowed, window_s=60)
        if not verdict.allowed:
            raise _too_many_misses(verdict.wait_s)
        raise HTTPException(
            status_code=404,
            detail=f"no live room {code!r}: check the code, or the lecturer may have ended "
            "the room",
        )
    return room


def _too_many_misses(wait_s: float) -> HTTPException:
    return HTTPException(
        status_code=429,
        detail="too many room codes tried from this address that found no room: wait a "
        "minute, and check the code on the projector",
        headers={"Retry-After": str(max(1, round(wait_s)))},
    )


@router.post("/p/{session_id}/room")
def open_room(request: Request, iovlab: AppDep, db: DbDep, live: LiveDep) -> Response:
    lecturer.require(request, db, live.id)
    _, step = lecturer.presented(iovlab.lessons, db, live.id)
    repo.open_room(db, session_id=live.id, step=step, k=live.cursor)
    return RedirectResponse(f"/p/{live.id}", status_code=303)


@router.post("/p/{session_id}/room/end")
def end_room(request: Request, db: DbDep, live: LiveDep) -> Response:
    """The lecturer ends the class: the room, its answers and its code are gone (the code
    is free for another room); the presentation goes on without a room."""
    room = _lecturer_room(request, db, live.id)
    repo.end_room(db, room.code)
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
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    client: ClientDep,
    code: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    if code.strip():
        try:
            room = _room(iovlab, db, client, code)
            return RedirectResponse(f"/r/{room.code}", status_code=303)
        except HTTPException as error:
            if error.status_code != 404:
                raise
    problem = f"No live room has the code {code.strip().upper()!r}." if code.strip() else None
    return iovlab.templates.TemplateResponse(
        request,
        "lessons/join.html",
        {"problem": problem, "code": code},
        status_code=404 if problem else 200,
    )


@router.get("/r/{code}", response_class=HTMLResponse)
def follow_page(
    request: Request, iovlab: AppDep, db: DbDep, client: ClientDep, code: str
) -> Response:
    room = _room(iovlab, db, client, code)
    request.session.setdefault(FOLLOWER, secrets.token_urlsafe(12))
    context = follower_context(iovlab, db, room, room.k, True)
    return iovlab.templates.TemplateResponse(request, "lessons/follow.html", context)


@router.get("/r/{code}/stream")
async def follow_stream(iovlab: AppDep, client: ClientDep, code: str) -> EventSourceResponse:
    # no database session held for the life of a stream: a room has hundreds of them
    with Session(iovlab.engine) as db:
        room = _room(iovlab, db, client, code)
    hub = iovlab.rooms

    async def events() -> AsyncIterator[bytes]:
        async for _, frame in hub.follow(room.code):
            yield frame  # already an encoded event: sse-starlette sends bytes as they are

    return EventSourceResponse(
        events(), ping=15, background=stream_place(iovlab.room_streams, client)
    )


@router.get("/r/{code}/back", response_class=HTMLResponse)
def look_back(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    client: ClientDep,
    code: str,
    at: Annotated[int, Query(ge=-1)],
) -> Response:
    """A follower steps through hops already shown, never past the lecturer."""
    room = _room(iovlab, db, client, code)
    context = follower_context(iovlab, db, room, at, False)
    return iovlab.templates.TemplateResponse(request, "lessons/follow_box.html", context)


@router.get("/r/{code}/live", response_class=HTMLResponse)
def back_to_live(
    request: Request, iovlab: AppDep, db: DbDep, client: ClientDep, code: str
) -> Response:
    room = _room(iovlab, db, client, code)
    context = follower_context(iovlab, db, room, room.k, True)
    return iovlab.templates.TemplateResponse(request, "lessons/follow_box.html", context)


@router.get("/r/{code}/mine", response_class=HTMLResponse)
def own_answer(
    request: Request, iovlab: AppDep, db: DbDep, client: ClientDep, code: str
) -> Response:
    """Once the answer is revealed: what this follower said, beside the right answer.

    The revealed view is one render for the whole room; each follower fetches this
    line of their own."""
    room = _room(iovlab, db, client, code)
    presentation = repo.get_presentation(db, room.session_id)
    lesson = iovlab.lessons.get(presentation.lesson) if presentation else None
    step = lesson.steps[room.step] if lesson else None
    follower = request.session.get(FOLLOWER)
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
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    client: ClientDep,
    code: str,
    value: Annotated[str, Form(max_length=100)],
) -> Response:
    """One follower, one answer: the browser that opened the room's page (its cookie holds
    the follower's id); a later answer replaces its earlier one."""
    room = _room(iovlab, db, client, code)
    follower = request.session.get(FOLLOWER)
    if not isinstance(follower, str) or not follower:
        raise HTTPException(
            status_code=403,
            detail=f"answer from the room's page: open /r/{room.code} in this browser first",
        )
    if room.question != "open":
        raise HTTPException(status_code=409, detail="the question is not open")
    if not value.strip():
        raise HTTPException(status_code=422, detail="value: an answer cannot be blank")
    try:
        repo.answer(db, room=room, follower=follower, value=value.strip())
    except repo.RoomEnded:
        raise HTTPException(status_code=404, detail="this room has ended") from None
    shown = html.escape(value.strip())
    return HTMLResponse(
        f"<p class='answered' role='status'>Your answer: <strong>{shown}</strong></p>"
    )
