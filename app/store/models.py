"""The tables. A session is event-sourced: its scenario text and its commands,
in order, are all that is stored; the trace is rebuilt by replaying them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
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
    # how many rows of ``commands`` it holds, raised with each one in the same transaction
    commands: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
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
    # JSON: template -> {points, tolerance, partial}; empty for one point a question
    settings: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class AttemptRow(SQLModel, table=True):
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("exercise_id", "token"),
        # an alias's n-th attempt can be stored once: the cap holds under any concurrency
        Index("ux_attempts_alias_number", "exercise_id", "alias", "number", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    exercise_id: str = Field(foreign_key="exercises.id", index=True, max_length=40)
    token: str = Field(max_length=64)  # one per opened form: a second submit is the same attempt
    alias: str = Field(max_length=80, index=True)  # normalised (exercises.normalise_alias)
    number: int  # 1 for an alias's first attempt at the exercise, 2 for its second...
    secret_hash: str | None = Field(default=None, max_length=64)  # of the submitter's secret
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
    lecturer_id: str | None = Field(
        default=None, foreign_key="lecturers.id", index=True, max_length=40
    )
    revealed: str = Field(default="", max_length=400)  # steps revealed, "2,5"


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
    active_at: datetime = Field(default_factory=_now, index=True)  # the lecturer's last change


class AnswerRow(SQLModel, table=True):
    __tablename__ = "room_answers"
    __table_args__ = (UniqueConstraint("room", "step", "follower"),)

    id: int | None = Field(default=None, primary_key=True)
    room: str = Field(foreign_key="rooms.code", index=True, max_length=8)
    step: int
    follower: str = Field(max_length=64)
    value: str = Field(max_length=100)


class LecturerRow(SQLModel, table=True):
    """A browser that presents lessons: its cookie holds only this id, however many rooms."""

    __tablename__ = "lecturers"

    id: str = Field(primary_key=True, max_length=40)
    created_at: datetime = Field(default_factory=_now)


class LoginRow(SQLModel, table=True):
    """An instructor's sign-in: the cookie holds its id, and signing out deletes the row."""

    __tablename__ = "logins"

    id_hash: str = Field(primary_key=True, max_length=64)  # sha256 of the id the cookie holds
    instructor_id: int = Field(foreign_key="instructors.id", index=True)
    created_at: datetime = Field(default_factory=_now, index=True)


class RateKeyRow(SQLModel, table=True):
    """One row per limited key (``login:<addr>``...): a hit locks it, so counts are exact."""

    __tablename__ = "rate_keys"

    key: str = Field(primary_key=True, max_length=200)
    last_s: float  # seconds since the epoch of the key's last hit


class RateHitRow(SQLModel, table=True):
    __tablename__ = "rate_hits"
    __table_args__ = (Index("ix_rate_hits_key_at", "key", "at_s"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    at_s: float = Field(index=True)  # seconds since the epoch


class LtiValueRow(SQLModel, table=True):
    """What the LTI library keeps between the OIDC login and the launch (nonces, state)."""

    __tablename__ = "lti_values"

    key: str = Field(primary_key=True, max_length=200)
    value: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    expires_at: datetime = Field(index=True)


class LtiLaunchRow(SQLModel, table=True):
    """A student arrived from an LMS: who they are there, and where their score goes."""

    __tablename__ = "lti_launches"

    id: str = Field(primary_key=True, max_length=40)
    exercise_id: str = Field(foreign_key="exercises.id", index=True, max_length=40)
    issuer: str = Field(max_length=400)
    client_id: str = Field(max_length=200)
    subject: str = Field(max_length=255)
    name: str = Field(max_length=200)
    ags: str = Field(sa_column=Column(Text, nullable=False))  # JSON claim, "{}" without AGS
    created_at: datetime = Field(default_factory=_now, index=True)  # old launches are pruned


class LtiScoreRow(SQLModel, table=True):
    """A score sent (or not) to the LMS gradebook for one attempt."""

    __tablename__ = "lti_scores"

    attempt_id: int = Field(primary_key=True, foreign_key="attempts.id")
    # the launch that sent it, until old launches are pruned (app/store/lti.py)
    launch_id: str | None = Field(
        default=None, foreign_key="lti_launches.id", index=True, max_length=40
    )
    posted_at: datetime | None = None
    error: str = Field(default="", max_length=500)
