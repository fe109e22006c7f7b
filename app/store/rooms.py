"""Presentations and live rooms: where a lecturer is, and the class's answers."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .models import AnswerRow, PresentationRow, RoomRow

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or off a projector is typed right.
CODE_LETTERS = "ACDEFGHJKMNPQRTUVWXY34679"


def start_presentation(db: Session, *, session_id: str, lesson: str) -> PresentationRow:
    row = PresentationRow(session_id=session_id, lesson=lesson)
    db.add(row)
    db.commit()
    return row


def get_presentation(db: Session, session_id: str) -> PresentationRow | None:
    return db.get(PresentationRow, session_id)


def set_step(db: Session, *, session_id: str, step: int, k: int, question: str = "none") -> None:
    """The lecturer is at ``step``, showing hop ``k``: one change for every room."""
    row = db.get(PresentationRow, session_id)
    if row is not None:
        row.step = step
        db.add(row)
        db.commit()
    for room in rooms_of(db, session_id):
        update_room(db, room, step=step, question=question, k=k)


def open_room(db: Session, *, session_id: str, step: int, k: int) -> RoomRow:
    for _ in range(20):
        row = RoomRow(
            code="".join(secrets.choice(CODE_LETTERS) for _ in range(4)),
            session_id=session_id,
            secret=secrets.token_urlsafe(24),
            step=step,
            k=k,
        )
        db.add(row)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            continue
        return row
    raise RuntimeError("no free room code")


def get_room(db: Session, code: str) -> RoomRow | None:
    return db.get(RoomRow, code.strip().upper()) if 0 < len(code.strip()) <= 8 else None


def rooms_of(db: Session, session_id: str) -> list[RoomRow]:
    return list(db.exec(select(RoomRow).where(RoomRow.session_id == session_id)))


def update_room(db: Session, room: RoomRow, **changes: object) -> RoomRow:
    changed = False
    for key, value in changes.items():
        if getattr(room, key) != value:
            setattr(room, key, value)
            changed = True
    if changed:
        # in the database, not from what was read: a lecturer's hop and question at the same
        # moment must make two versions, or a follower would miss one of the changes
        room.version = RoomRow.version + 1
        db.add(room)
        if db.get_bind().dialect.name == "postgresql":
            # tells the other workers at commit; their listeners wake their room watchers
            db.connection().exec_driver_sql(f"NOTIFY {CHANNEL}")
        db.commit()
        for listener in list(_listeners):
            listener()
    return room


CHANNEL = "iovlab_rooms"
_listeners: list[Callable[[], None]] = []


def on_change(listener: Callable[[], None]) -> Callable[[], None]:
    """Call ``listener`` after every room change made in this process; returns the unsubscriber."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def follow_cursor(db: Session, *, session_id: str, k: int) -> None:
    """The lecturer's cursor moved: every room of the session follows it."""
    for room in rooms_of(db, session_id):
        update_room(db, room, k=k)


def answer(db: Session, *, room: RoomRow, follower: str, value: str) -> None:
    existing = db.exec(
        select(AnswerRow).where(
            AnswerRow.room == room.code, AnswerRow.step == room.step, AnswerRow.follower == follower
        )
    ).first()
    if existing is not None:
        existing.value = value
        db.add(existing)
    else:
        db.add(AnswerRow(room=room.code, step=room.step, follower=follower, value=value))
    db.commit()


def distribution(db: Session, room: RoomRow) -> Counter[str]:
    rows = db.exec(
        select(AnswerRow).where(AnswerRow.room == room.code, AnswerRow.step == room.step)
    )
    return Counter(row.value for row in rows)
