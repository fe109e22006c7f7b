"""Presentations and live rooms: where a lecturer is, and the class's answers."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .models import AnswerRow, LecturerRow, PresentationRow, RoomRow

# Crockford's base 32: digits and capitals without I, L, O, U. Typed in, I and L are read
# as 1 and O as 0, so a code read aloud or off a projector is found however it is typed.
CODE_LETTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
IDLE_HOURS = 12.0  # a room whose lecturer changed nothing for this long has ended
CODE_TRIES = 20


def new_room_code() -> str:
    """Eight symbols of 32: 32⁸ = 2⁴⁰ ≈ 1.1 × 10¹² codes.

    Even with 1,000 rooms live at once, a guess finds one with chance 1,000 / 2⁴⁰ ≈ 9 × 10⁻¹⁰:
    at 300 wrong codes a minute (the limit per address, high enough for a class behind
    one address to mistype) that is one room every 2⁴⁰ / 1,000 / 300 ≈ 3.7 million
    minutes, about 7 years; a day of guessing finds one with chance
    432,000 × 9.1 × 10⁻¹⁰ ≈ 4 × 10⁻⁴. Two rooms drawing one code (which would
    need 2²⁰ ≈ a million live rooms to be likely) just draw again.
    """
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """A code as typed (any case, spaces or dashes between groups) as it is stored."""
    return "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)


def new_lecturer(db: Session) -> str:
    """A lecturer: the one id their browser's cookie holds, however many rooms they open."""
    row = LecturerRow(id=secrets.token_urlsafe(24))
    db.add(row)
    db.commit()
    return row.id


def is_lecturer(db: Session, lecturer_id: str) -> bool:
    return 0 < len(lecturer_id) <= 40 and db.get(LecturerRow, lecturer_id) is not None


def start_presentation(
    db: Session, *, session_id: str, lesson: str, lecturer_id: str | None = None
) -> PresentationRow:
    row = PresentationRow(session_id=session_id, lesson=lesson, lecturer_id=lecturer_id)
    db.add(row)
    db.commit()
    return row


def get_presentation(db: Session, session_id: str) -> PresentationRow | None:
    return db.get(PresentationRow, session_id)


def presents(db: Session, *, lecturer_id: str, session_id: str) -> bool:
    """Whether this lecturer started the presentation held in this session."""
    return presented_by(db.get(PresentationRow, session_id), lecturer_id)


def presented_by(row: PresentationRow | None, lecturer_id: str) -> bool:
    """Whether ``row`` (a session's presentation, or None) was started by this lecturer."""
    return row is not None and row.lecturer_id is not None and row.lecturer_id == lecturer_id


def presentations_of(db: Session, lecturer_id: str) -> list[PresentationRow]:
    query = select(PresentationRow).where(PresentationRow.lecturer_id == lecturer_id)
    return list(db.exec(query))


def lecturer_room(db: Session, *, lecturer_id: str, session_id: str) -> RoomRow | None:
    """The newest live room of a presentation, if this lecturer presents it."""
    if not presents(db, lecturer_id=lecturer_id, session_id=session_id):
        return None
    rooms = rooms_of(db, session_id)
    return rooms[-1] if rooms else None


def reveal(db: Session, *, session_id: str, step: int) -> None:
    """The lecturer revealed this step's answer: it stays revealed, whatever reloads."""
    row = db.get(PresentationRow, session_id)
    if row is not None and step not in revealed_steps(row):
        row.revealed = ",".join(str(s) for s in sorted({*revealed_steps(row), step}))
        db.add(row)
        db.commit()


def revealed_steps(row: PresentationRow) -> set[int]:
    return {int(s) for s in row.revealed.split(",") if s.isdigit()}


def set_step(db: Session, *, session_id: str, step: int, k: int, question: str = "none") -> None:
    """The lecturer is at ``step``, showing hop ``k``: one change for every room."""
    row = db.get(PresentationRow, session_id)
    if row is not None:
        row.step = step
        db.add(row)
        db.commit()
    for room in rooms_of(db, session_id):
        update_room(db, room, step=step, question=question, k=k)


def open_room(
    db: Session,
    *,
    session_id: str,
    step: int,
    k: int,
    idle_hours: float = IDLE_HOURS,
    new_code: Callable[[], str] = new_room_code,
) -> RoomRow:
    """A live room under a fresh code; rooms idle past ``idle_hours`` end first, freeing theirs.

    A code already taken makes the insert fail on the primary key: another is drawn.
    """
    end_idle_rooms(db, idle_hours=idle_hours)
    for _ in range(CODE_TRIES):
        code = new_code()
        # a statement, not an object added to the session: the session may hold the room
        # that has this code already, and a clash must be the database's to find
        add = insert(RoomRow).values(
            code=code,
            session_id=session_id,
            secret=secrets.token_urlsafe(24),
            step=step,
            k=k,
            question="none",
            version=0,
            created_at=datetime.now(UTC),
            active_at=datetime.now(UTC),
        )
        try:
            db.exec(add)
            # an answer that reached an ended room under this code (SQLite does not check the
            # room exists) must not count in the new room
            db.exec(delete(AnswerRow).where(col(AnswerRow.room) == code))
            db.commit()
        except IntegrityError:
            db.rollback()
            continue
        row = db.get(RoomRow, code, populate_existing=True)
        assert row is not None
        return row
    raise RuntimeError(f"{CODE_TRIES} room codes drawn in a row were taken")


def get_room(db: Session, code: str, *, idle_hours: float = IDLE_HOURS) -> RoomRow | None:
    """The live room under ``code`` as typed; a room idle past ``idle_hours`` is not live."""
    code = normalise_code(code)
    if not 0 < len(code) <= CODE_LENGTH or "\x00" in code:
        return None
    row = db.get(RoomRow, code)
    return row if row is not None and _aware(row.active_at) > _idle_since(idle_hours) else None


def rooms_of(db: Session, session_id: str) -> list[RoomRow]:
    """A session's rooms still open, oldest first."""
    query = select(RoomRow).where(RoomRow.session_id == session_id)
    return list(db.exec(query.order_by(col(RoomRow.created_at))))


def end_room(db: Session, code: str) -> bool:
    """Close a room (its lecturer ends the class): the room and its answers go, and its code
    is free for another room. False if there was no such room."""
    code = normalise_code(code)
    db.exec(delete(AnswerRow).where(col(AnswerRow.room) == code))
    gone = db.exec(delete(RoomRow).where(col(RoomRow.code) == code)).rowcount
    db.commit()
    return bool(gone)


def end_idle_rooms(db: Session, *, idle_hours: float = IDLE_HOURS) -> list[str]:
    """End every room whose lecturer changed nothing for ``idle_hours``; returns their codes."""
    idle = select(RoomRow.code).where(col(RoomRow.active_at) <= _idle_since(idle_hours))
    codes = list(db.exec(idle))
    if codes:
        db.exec(delete(AnswerRow).where(col(AnswerRow.room).in_(codes)))
        db.exec(delete(RoomRow).where(col(RoomRow.code).in_(codes)))
    db.commit()
    return codes


def _idle_since(idle_hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=idle_hours)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back times without their zone: every time iovlab stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
        room.active_at = datetime.now(UTC)
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


class RoomEnded(LookupError):
    """The room ended while an answer was on its way."""


def answer(db: Session, *, room: RoomRow, follower: str, value: str) -> None:
    """A follower's answer to the open step: a later one replaces it, one row per follower.

    One statement that inserts or updates, so two answers sent at once from one follower
    are one answer (the later), never a clash on the unique (room, step, follower).
    """
    if not follower or not follower.strip():
        raise ValueError("follower: an answer needs the follower's id")
    values = {"room": room.code, "step": room.step, "follower": follower, "value": value}
    dialect = db.get_bind().dialect.name
    add = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(AnswerRow)
    upsert = add.values(values).on_conflict_do_update(
        index_elements=["room", "step", "follower"], set_={"value": value}
    )
    db.commit()  # one statement in a transaction of its own: on SQLite, write-first
    try:
        db.exec(upsert)
        db.commit()
    except IntegrityError as error:  # the room's row went (ended) before the answer came
        db.rollback()
        raise RoomEnded(room.code) from error


def answer_of(db: Session, *, room: RoomRow, follower: str) -> str | None:
    """What one follower answered at the room's current step, if anything."""
    row = db.exec(
        select(AnswerRow).where(
            AnswerRow.room == room.code, AnswerRow.step == room.step, AnswerRow.follower == follower
        )
    ).first()
    return None if row is None else row.value


def distribution(db: Session, room: RoomRow) -> Counter[str]:
    query = (
        select(AnswerRow.value, func.count())
        .where(AnswerRow.room == room.code, AnswerRow.step == room.step)
        .group_by(col(AnswerRow.value))
    )
    return Counter({value: int(n) for value, n in db.exec(query)})
