"""What a follower of a live room sees: rendered once per change for the whole class."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import Engine
from sqlmodel import Session

from app.store import rooms as repo
from app.store.models import RoomRow

from .. import drawn
from ..application import Iovlab


def follower_context(
    iovlab: Iovlab, db: Session, room: RoomRow, k: int, live_view: bool
) -> dict[str, Any]:
    live = iovlab.sessions.read(db, room.session_id)
    presentation = repo.get_presentation(db, room.session_id)
    if live is None or presentation is None:
        raise HTTPException(status_code=404, detail="this room's lesson is gone")
    lesson = iovlab.lessons[presentation.lesson]
    # the part of the diagram the hop is in: a phone's width, a few KB for the whole class
    context = drawn.column_context(iovlab, live, min(k, room.k))
    context.update(room=room, lesson=lesson, current=lesson.steps[room.step], live_view=live_view)
    return context


def render_follower(iovlab: Iovlab, code: str) -> tuple[int, str] | None:
    """The room's view at its version, for every follower of ``code`` (None: no such room)."""
    with Session(iovlab.engine) as db:
        room = repo.get_room(db, code)
        if room is None:
            return None
        context = follower_context(iovlab, db, room, room.k, True)
        html = iovlab.templates.get_template("lessons/follow_view.html").render(**context)
        return room.version, html


def room_version(engine: Engine, code: str) -> int | None:
    with Session(engine) as db:
        room = repo.get_room(db, code)
        return None if room is None else room.version
