"""Every table of iovlab: sessions and their commands, instructors, exercises and
attempts, presentations, live rooms and their answers, and the server's secrets.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _text(length: int | None = None) -> sa.String:
    return sa.String(length=length)


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "instructors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", _text(254), nullable=False),
        sa.Column("password_hash", _text(200), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_instructors_email", "instructors", ["email"], unique=True)
    op.create_table(
        "secrets",
        sa.Column("name", _text(40), nullable=False),
        sa.Column("value", _text(200), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", _text(40), nullable=False),
        sa.Column("name", _text(200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("shipped", _text(100), nullable=True),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "commands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", _text(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "position"),
    )
    op.create_index("ix_commands_session_id", "commands", ["session_id"])
    op.create_table(
        "exercises",
        sa.Column("id", _text(40), nullable=False),
        sa.Column("instructor_id", sa.Integer(), nullable=False),
        sa.Column("title", _text(200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("templates", _text(400), nullable=False),
        sa.Column("variants", sa.Integer(), nullable=False),
        sa.Column("due_at", _when(), nullable=True),
        sa.Column("retries", sa.Boolean(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["instructor_id"], ["instructors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_exercises_instructor_id", "exercises", ["instructor_id"])
    op.create_table(
        "presentations",
        sa.Column("session_id", _text(40), nullable=False),
        sa.Column("lesson", _text(100), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_table(
        "rooms",
        sa.Column("code", _text(8), nullable=False),
        sa.Column("session_id", _text(40), nullable=False),
        sa.Column("secret", _text(64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("question", _text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_rooms_session_id", "rooms", ["session_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", _text(40), nullable=False),
        sa.Column("token", _text(64), nullable=False),
        sa.Column("alias", _text(80), nullable=False),
        sa.Column("variant", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("submitted_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercises.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("exercise_id", "token"),
    )
    op.create_index("ix_attempts_alias", "attempts", ["alias"])
    op.create_index("ix_attempts_exercise_id", "attempts", ["exercise_id"])
    op.create_table(
        "room_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room", _text(8), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("follower", _text(64), nullable=False),
        sa.Column("value", _text(100), nullable=False),
        sa.ForeignKeyConstraint(["room"], ["rooms.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("room", "step", "follower"),
    )
    op.create_index("ix_room_answers_room", "room_answers", ["room"])


def downgrade() -> None:
    for table in (
        "room_answers",
        "attempts",
        "rooms",
        "presentations",
        "exercises",
        "commands",
        "sessions",
        "secrets",
        "instructors",
    ):
        op.drop_table(table)
