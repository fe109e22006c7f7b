"""The session repository: create a session, append its commands, move its cursor."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, text, update
from sqlmodel import Session, col, select

from .db import write_first
from .models import CommandRow, PresentationRow, SessionRow

MAX_COMMANDS = 500  # a replay stays fast; a lecture or a student's session needs far fewer


class SessionFull(Exception):
    """The session holds as many commands as it may."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"a session holds at most {limit} commands; reset it for a fresh one")


def new_session_id() -> str:
    """128 random bits, URL-safe: a session's id is its only key."""
    return secrets.token_urlsafe(16)


def create_session(db: Session, *, name: str, source: str, shipped: str | None) -> SessionRow:
    row = SessionRow(id=new_session_id(), name=name, source=source, shipped=shipped)
    db.add(row)
    db.commit()
    return row


def get_session(db: Session, session_id: str) -> SessionRow | None:
    return db.get(SessionRow, session_id)


def get_session_presented(
    db: Session, session_id: str
) -> tuple[SessionRow, PresentationRow | None] | None:
    """A session and the lesson presentation it holds, if any, in one statement: every
    look at a session asks both (a presented session is its lecturer's only)."""
    found = db.exec(_SESSION_PRESENTED, params={"session_id": session_id}).first()
    return None if found is None else (found[0], found[1])


# The statements every look and every command runs, built once: building one costs more
# of the server's CPU than sending it does.
_SESSION_PRESENTED = (
    select(SessionRow, PresentationRow)
    .outerjoin(PresentationRow, col(PresentationRow.session_id) == col(SessionRow.id))
    .where(col(SessionRow.id) == bindparam("session_id"))
)
_RAISE_COUNT = (
    update(SessionRow)
    .where(
        col(SessionRow.id) == bindparam("session_id"),
        col(SessionRow.commands) < bindparam("limit"),
    )
    .values(commands=col(SessionRow.commands) + 1)
    .returning(col(SessionRow.commands))
    .execution_options(synchronize_session=False)
)
_ADD_COMMAND = insert(CommandRow)


def list_commands(db: Session, session_id: str) -> list[CommandRow]:
    query = select(CommandRow).where(CommandRow.session_id == session_id)
    return list(db.exec(query.order_by(col(CommandRow.position))))


def count_commands(db: Session, session_id: str) -> int:
    """How many commands the session holds (0 for no such session)."""
    query = select(SessionRow.commands).where(SessionRow.id == session_id)
    return int(db.exec(query).first() or 0)


def add_command(db: Session, *, session_id: str, item_json: str, limit: int = MAX_COMMANDS) -> int:
    """Append a command; returns its position (0 for the first).

    The session's count is raised first, in the same transaction: two commands sent at
    once to one session wait for each other on its row, and each takes the next
    position. Positions run from 0 and are unique (a unique (session, position) holds
    it), and none at or past ``limit`` is ever written, so the cap holds however many
    commands arrive at once (SessionFull).
    """
    write_first(db)
    connection = db.connection()
    added = {
        "session_id": session_id,
        "limit": limit,
        "item": item_json,
        "created_at": datetime.now(UTC),
    }
    if connection.dialect.name == "postgresql":
        # both in one statement: one round trip, where a class's every command took two
        position = connection.execute(_RAISE_AND_ADD, added).scalar_one_or_none()
    else:
        count = connection.execute(_RAISE_COUNT, added).scalar_one_or_none()
        position = None if count is None else count - 1
        if position is not None:
            # a statement, not an object to flush: the command is only written, never read
            connection.execute(_ADD_COMMAND, {**added, "position": position})
    if position is None:
        db.rollback()
        raise SessionFull(limit)
    db.commit()
    return int(position)


_RAISE_AND_ADD = text(
    "WITH raised AS ("
    " UPDATE sessions SET commands = commands + 1"
    " WHERE id = :session_id AND commands < :limit RETURNING commands)"
    " INSERT INTO commands (session_id, position, item, created_at)"
    " SELECT :session_id, commands - 1, :item, :created_at FROM raised"
    " RETURNING position"
)


def set_cursor(db: Session, *, session_id: str, cursor: int) -> None:
    """One statement: the player and a lecturer's stream move the cursor at every step."""
    if db.get_bind().dialect.name == "postgresql":
        # a bookmark need not wait for the disk: a crash of PostgreSQL itself may lose
        # the last fraction of a second of it, never anything acknowledged
        db.connection().execute(text("SET LOCAL synchronous_commit TO OFF"))
    moved = (
        update(SessionRow)
        .where(col(SessionRow.id) == session_id, col(SessionRow.cursor) != cursor)
        .values(cursor=cursor)
    )
    db.exec(moved)
    db.commit()


def set_cursors(db: Session, *, cursors: dict[str, int]) -> None:
    """Many sessions' cursors in one transaction (every stream of a worker, a tick at a time)."""
    if not cursors:
        return
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        # one statement for them all, the lists sent as two arrays: an UPDATE a session
        # made a worker's every tick cost a round trip and a statement's parse per stream
        connection.execute(text("SET LOCAL synchronous_commit TO OFF"))  # as set_cursor's
        connection.execute(_MOVE_ALL, {"sids": list(cursors), "ks": list(cursors.values())})
    else:
        moved = [{"sid": sid, "k": k} for sid, k in cursors.items()]
        connection.execute(_MOVE_EACH, moved)
    db.commit()


_MOVE_EACH = (
    update(SessionRow)
    .where(col(SessionRow.id) == bindparam("sid"), col(SessionRow.cursor) != bindparam("k"))
    .values(cursor=bindparam("k"))
    .execution_options(synchronize_session=False)
)
_MOVE_ALL = text(
    "UPDATE sessions SET cursor = moved.k"
    " FROM unnest(CAST(:sids AS varchar[]), CAST(:ks AS integer[])) AS moved(sid, k)"
    " WHERE sessions.id = moved.sid AND sessions.cursor <> moved.k"
)


def command_counts(db: Session, *, session_ids: list[str]) -> dict[str, int]:
    """How many commands each session holds (a session with none is left out).

    Asked by every worker several times a second for every session it streams: on
    PostgreSQL the ids go as one array, so the statement is the same text whatever their
    number (an expanded IN of 250 ids was most of a busy worker's polling)."""
    if not session_ids:
        return {}
    connection = db.connection()
    array = connection.dialect.name == "postgresql"
    statement = _COUNTS_OF_ARRAY if array else _COUNTS_OF_LIST
    found = connection.execute(statement, {"ids": session_ids})
    return {str(row[0]): int(row[1]) for row in found}


_COUNTS_OF_ARRAY = text(
    "SELECT id, commands FROM sessions WHERE id = ANY(CAST(:ids AS varchar[])) AND commands > 0"
)
_COUNTS_OF_LIST = select(col(SessionRow.id), col(SessionRow.commands)).where(
    col(SessionRow.id).in_(bindparam("ids", expanding=True)), col(SessionRow.commands) > 0
)
