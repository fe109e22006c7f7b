"""Who presents a lesson: the lecturer whose id the browser's signed cookie holds.

The cookie holds one id however many lessons and rooms its browser starts (the rest is
in the database), so it never grows. A presentation's session id shows in the
lecturer's address bar, on a projector: knowing it must not let a student drive the
lecture, read a question's answer before it is revealed, or add requests to what the
class watches — so a presented session is seen and changed only by its lecturer, and
the class follows it through a room's code.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import HTTPException, Request
from sqlmodel import Session

from app.lessons.compile import CompiledLesson
from app.store import rooms as rooms_repo
from app.store.models import PresentationRow

KEY = "lecturer"
_FORMER_KEYS = ("presenting", "revealed", "rooms")  # what cookies held before the id


def lecturer_id(request: Request, db: Session) -> str:
    """This browser's lecturer id, made on its first presentation."""
    held = request.session.get(KEY)
    if isinstance(held, str) and rooms_repo.is_lecturer(db, held):
        return held
    for key in _FORMER_KEYS:
        request.session.pop(key, None)
    request.session[KEY] = rooms_repo.new_lecturer(db)
    return str(request.session[KEY])


def holds(request: Request, db: Session, session_id: str) -> bool:
    if not isinstance(request.session.get(KEY), str):
        return False  # no lecturer's browser: nothing to ask the database
    return holds_presentation(request, rooms_repo.get_presentation(db, session_id))


def holds_presentation(request: Request, presentation: PresentationRow | None) -> bool:
    """``holds``, for a presentation already read (with its session)."""
    held = request.session.get(KEY)
    return isinstance(held, str) and rooms_repo.presented_by(presentation, held)


def require(request: Request, db: Session, session_id: str) -> None:
    if not holds(request, db, session_id):
        raise HTTPException(
            status_code=403,
            detail="only the lecturer's browser presents this lesson: present it yourself "
            "from the lessons page, or join the class with its room code",
        )


def guard(request: Request, presentation: PresentationRow | None) -> None:
    """A session that presents a lesson (``presentation``, read with the session) is seen
    and changed only from its lecturer's browser: its trace holds the answers of questions
    the class has not been shown."""
    if presentation is not None and not holds_presentation(request, presentation):
        raise HTTPException(
            status_code=403,
            detail="this session is a lesson being presented: follow it with the room code "
            "the lecturer shows (on the join page), or study the lesson yourself from the "
            "lessons page",
        )


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


def revealed(db: Session, session_id: str, step: int) -> bool:
    presentation = rooms_repo.get_presentation(db, session_id)
    return presentation is not None and step in rooms_repo.revealed_steps(presentation)
