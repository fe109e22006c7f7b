"""Live rooms: a lecturer's presentation followed by the class on their own devices."""

from __future__ import annotations

import html
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from sse_starlette import EventSourceResponse

from app.store import rooms as repo
from app.store.models import RoomRow

from . import lecturer
from .deps import DbDep, LiveDep
from .lessons import presented
from .render import player_context
from .stream import stream_place

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
def open_room(request: Request, db: DbDep, live: LiveDep) -> Response:
    lecturer.require(request, live.id)
    _, step = presented(request, db, live)
    room = repo.open_room(db, session_id=live.id, step=step, k=live.cursor)
    held = dict(request.session.get("rooms", {}))
    held[room.code] = room.secret
    request.session["rooms"] = held
    return RedirectResponse(f"/p/{live.id}", status_code=303)


@router.post("/p/{session_id}/room/ask", response_class=HTMLResponse)
def ask(request: Request, db: DbDep, live: LiveDep) -> Response:
    room = _lecturer_room(request, db, live.id)
    repo.update_room(db, room, question="open")
    return answers(request, db, live)


@router.get("/p/{session_id}/room/answers", response_class=HTMLResponse)
def answers(request: Request, db: DbDep, live: LiveDep) -> Response:
    room = _lecturer_room(request, db, live.id)
    lesson, _ = presented(request, db, live)
    step = lesson.steps[room.step]
    counts = repo.distribution(db, room)
    context = {
        "room": room,
        "step": step,
        "counts": counts,
        "total": sum(counts.values()),
        "session": live,
    }
    return request.app.state.templates.TemplateResponse(request, "lessons/answers.html", context)


@router.get("/join", response_class=HTMLResponse)
def join(request: Request, db: DbDep, code: Annotated[str, Query(max_length=8)] = "") -> Response:
    if code.strip():
        room = repo.get_room(db, code)
        if room is not None:
            return RedirectResponse(f"/r/{room.code}", status_code=303)
    problem = f"No live room has the code {code.strip().upper()!r}." if code.strip() else None
    return request.app.state.templates.TemplateResponse(
        request,
        "lessons/join.html",
        {"problem": problem, "code": code},
        status_code=404 if problem else 200,
    )


def follower_context(
    request: Request, db: Session, room: RoomRow, k: int, live_view: bool
) -> dict[str, Any]:
    live = request.app.state.live.get(db, room.session_id)
    presentation = repo.get_presentation(db, room.session_id)
    lesson = request.app.state.lessons[presentation.lesson]
    context = player_context(
        live,
        min(k, room.k),
        playing=False,
        speed=1.0,
        follower=True,
        hop_interval_s=request.app.state.settings.hop_interval_s,
    )
    context.update(room=room, lesson=lesson, current=lesson.steps[room.step], live_view=live_view)
    return context


def render_follower(app: Any, code: str) -> tuple[int, str] | None:
    with Session(app.state.engine) as db:
        room = repo.get_room(db, code)
        if room is None:
            return None
        request = _Detached(app)
        context = follower_context(request, db, room, room.k, True)  # type: ignore[arg-type]
        html = app.state.templates.get_template("lessons/follow_view.html").render(**context)
        return room.version, html


def room_version(app: Any, code: str) -> int | None:
    with Session(app.state.engine) as db:
        room = repo.get_room(db, code)
        return None if room is None else room.version


class _Detached:
    """What rendering needs of a request, for renders no single request owns."""

    def __init__(self, app: Any) -> None:
        self.app = app


@router.get("/r/{code}", response_class=HTMLResponse)
def follow_page(request: Request, db: DbDep, code: str) -> Response:
    room = _room(db, code)
    request.session.setdefault("follower", secrets.token_urlsafe(12))
    context = follower_context(request, db, room, room.k, True)
    return request.app.state.templates.TemplateResponse(request, "lessons/follow.html", context)


@router.get("/r/{code}/stream")
async def follow_stream(request: Request, code: str) -> EventSourceResponse:
    # no database session held for the life of a stream: a room has hundreds of them
    with Session(request.app.state.engine) as db:
        room = _room(db, code)
    hub = request.app.state.rooms

    async def events() -> Any:
        async for _, frame in hub.follow(room.code):
            yield frame  # already an encoded event: sse-starlette sends bytes as they are

    return EventSourceResponse(events(), ping=15, background=stream_place(request))


@router.get("/r/{code}/back", response_class=HTMLResponse)
def look_back(request: Request, db: DbDep, code: str, at: Annotated[int, Query(ge=-1)]) -> Response:
    """A follower steps through hops already shown, never past the lecturer."""
    room = _room(db, code)
    context = follower_context(request, db, room, at, False)
    return request.app.state.templates.TemplateResponse(request, "lessons/follow_box.html", context)


@router.get("/r/{code}/live", response_class=HTMLResponse)
def back_to_live(request: Request, db: DbDep, code: str) -> Response:
    room = _room(db, code)
    context = follower_context(request, db, room, room.k, True)
    return request.app.state.templates.TemplateResponse(request, "lessons/follow_box.html", context)


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
