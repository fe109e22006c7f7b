"""The session repository: create a session, append its commands, move its cursor."""

from __future__ import annotations

import secrets

from sqlalchemy import func
from sqlmodel import Session, col, select

from .models import CommandRow, SessionRow


def new_session_id() -> str:
    """128 random bits, URL-safe: a session's id is its only key."""
    return secrets.token_urlsafe(16)


def create_session(db: Session, *, name: str, source: str, shipped: str | None) -> SessionRow:
    row = SessionRow(id=new_session_id(), name=name, source=source, shipped=shipped)
    db.add(row)
    db.commit()
    db.refresh(row)
    return row


def get_session(db: Session, session_id: str) -> SessionRow | None:
    return db.get(SessionRow, session_id)


def list_commands(db: Session, session_id: str) -> list[CommandRow]:
    query = select(CommandRow).where(CommandRow.session_id == session_id)
    return list(db.exec(query.order_by(col(CommandRow.position))))


def count_commands(db: Session, session_id: str) -> int:
    query = select(func.count()).select_from(CommandRow).where(CommandRow.session_id == session_id)
    return int(db.exec(query).one())


def add_command(db: Session, *, session_id: str, item_json: str) -> int:
    """Append a command; returns its position (0 for the first)."""
    position = count_commands(db, session_id)
    db.add(CommandRow(session_id=session_id, position=position, item=item_json))
    db.commit()
    return position


def set_cursor(db: Session, *, session_id: str, cursor: int) -> None:
    row = db.get(SessionRow, session_id)
    if row is not None and row.cursor != cursor:
        row.cursor = cursor
        db.add(row)
        db.commit()
