"""Who presents a lesson: the browser that started it, holding it in its signed cookie.

A presentation's session id shows in the lecturer's address bar, on a projector;
knowing it must not let a student drive the lecture, move the class's rooms or
add requests to what the class watches.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import HTTPException, Request
from sqlmodel import Session

from app.lessons.compile import CompiledLesson
from app.store import rooms as rooms_repo

KEY = "presenting"
REVEALED = "revealed"  # the steps whose answer each presentation has revealed
KEPT = 20  # a lecturer's recent presentations; older ones are let go


def hold(request: Request, session_id: str) -> None:
    held = [s for s in request.session.get(KEY, []) if isinstance(s, str) and s != session_id]
    request.session[KEY] = [*held[-(KEPT - 1) :], session_id]


def holds(request: Request, session_id: str) -> bool:
    held = request.session.get(KEY, [])
    return isinstance(held, list) and session_id in held


def require(request: Request, session_id: str) -> None:
    if not holds(request, session_id):
        raise HTTPException(
            status_code=403,
            detail="only the lecturer's browser presents this lesson: present it yourself "
            "from the lessons page, or join the class with its room code",
        )


def guard_changes(request: Request, db: Session, session_id: str) -> None:
    """A session that presents a lesson changes only from the lecturer's browser."""
    if rooms_repo.get_presentation(db, session_id) is not None:
        require(request, session_id)


def lesson_named(lessons: Mapping[str, CompiledLesson], name: str) -> CompiledLesson:
    lesson = lessons.get(name)
    if lesson is None:
        raise HTTPException(status_code=404, detail="no such lesson")
    return lesson


def presented(
    lessons: Mapping[str, CompiledLesson], db: Session, session_id: str
) -> tuple[CompiledLesson, int]:
    """The lesson a session presents, and the step it stands at."""
    presentation = rooms_repo.get_presentation(db, session_id)
    if presentation is None:
        raise HTTPException(status_code=404, detail="this session presents no lesson")
    return lesson_named(lessons, presentation.lesson), presentation.step


def reveal(request: Request, session_id: str, step: int) -> None:
    """The lecturer revealed this step's answer: a reload or a new room keeps it revealed."""
    shown = {k: v for k, v in dict(request.session.get(REVEALED, {})).items() if k != session_id}
    kept = dict(list(shown.items())[-(KEPT - 1) :])
    kept[session_id] = sorted({*request.session.get(REVEALED, {}).get(session_id, []), step})
    request.session[REVEALED] = kept


def revealed(request: Request, session_id: str, step: int) -> bool:
    shown = request.session.get(REVEALED, {})
    return isinstance(shown, dict) and step in shown.get(session_id, [])
