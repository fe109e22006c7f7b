"""The tables. A session is event-sourced: its scenario text and its commands,
in order, are all that is stored; the trace is rebuilt by replaying them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class SessionRow(SQLModel, table=True):
    __tablename__ = "sessions"

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    source: str = Field(sa_column=Column(Text, nullable=False))
    shipped: str | None = Field(default=None, max_length=100)
    cursor: int = -1
    created_at: datetime = Field(default_factory=_now)


class CommandRow(SQLModel, table=True):
    __tablename__ = "commands"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="sessions.id", index=True, max_length=40)
    position: int
    item: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=_now)
