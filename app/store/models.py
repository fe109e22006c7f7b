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


class SecretRow(SQLModel, table=True):
    """Server secrets kept with the data, so every worker and every restart signs alike."""

    __tablename__ = "secrets"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class InstructorRow(SQLModel, table=True):
    __tablename__ = "instructors"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=_now)


class ExerciseRow(SQLModel, table=True):
    __tablename__ = "exercises"

    id: str = Field(primary_key=True, max_length=40)
    instructor_id: int = Field(foreign_key="instructors.id", index=True)
    title: str = Field(max_length=200)
    source: str = Field(sa_column=Column(Text, nullable=False))
    templates: str = Field(max_length=400)  # JSON list of template names, in order
    variants: int = 4
    due_at: datetime | None = None
    retries: bool = False
    created_at: datetime = Field(default_factory=_now)


class AttemptRow(SQLModel, table=True):
    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("exercise_id", "token"),)

    id: int | None = Field(default=None, primary_key=True)
    exercise_id: str = Field(foreign_key="exercises.id", index=True, max_length=40)
    token: str = Field(max_length=64)  # one per opened form: a second submit is the same attempt
    alias: str = Field(max_length=80, index=True)
    variant: int
    answers: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    results: str = Field(sa_column=Column(Text, nullable=False))  # JSON, per question
    score: float
    submitted_at: datetime = Field(default_factory=_now)


class PresentationRow(SQLModel, table=True):
    """A session a lecturer presents a lesson in, and the step they are on."""

    __tablename__ = "presentations"

    session_id: str = Field(primary_key=True, foreign_key="sessions.id", max_length=40)
    lesson: str = Field(max_length=100)
    step: int = 0


class RoomRow(SQLModel, table=True):
    """A live room: followers see the presentation's step and hop, never past them."""

    __tablename__ = "rooms"

    code: str = Field(primary_key=True, max_length=8)
    session_id: str = Field(foreign_key="sessions.id", index=True, max_length=40)
    secret: str = Field(max_length=64)
    step: int = 0
    k: int = -1
    question: str = "none"  # none | open | revealed
    version: int = 0
    created_at: datetime = Field(default_factory=_now)


class AnswerRow(SQLModel, table=True):
    __tablename__ = "room_answers"
    __table_args__ = (UniqueConstraint("room", "step", "follower"),)

    id: int | None = Field(default=None, primary_key=True)
    room: str = Field(foreign_key="rooms.code", index=True, max_length=8)
    step: int
    follower: str = Field(max_length=64)
    value: str = Field(max_length=100)
