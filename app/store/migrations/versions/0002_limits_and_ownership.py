"""Limits every worker sees and who owns what: rate-limit hits, instructor sign-ins that
can be revoked, lecturers that own their presentations, rooms that end, and attempts
numbered per alias (the alias normalised) with a secret only their submitter holds.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _normalised(alias: str) -> str:
    """As ``app.store.exercises.normalise_alias`` was when this migration was written."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", alias).casefold())
    return " ".join(folded.split())[:80].strip()


def upgrade() -> None:
    op.create_table(
        "lecturers",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "logins",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("instructor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["instructor_id"], ["instructors.id"]),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_logins_instructor_id", "logins", ["instructor_id"])
    op.create_index("ix_logins_created_at", "logins", ["created_at"])
    op.create_table(
        "rate_keys",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("last_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "rate_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rate_hits_key_at", "rate_hits", ["key", "at_s"])
    op.create_index("ix_rate_hits_at_s", "rate_hits", ["at_s"])

    with op.batch_alter_table("presentations") as batch:
        batch.add_column(sa.Column("lecturer_id", sa.String(40), nullable=True))
        batch.create_foreign_key(
            "fk_presentations_lecturer_id", "lecturers", ["lecturer_id"], ["id"]
        )
        batch.create_index("ix_presentations_lecturer_id", ["lecturer_id"])

    # a room already open counts as active from now: it ends after the idle hours like any other
    with op.batch_alter_table("rooms") as batch:
        batch.add_column(
            sa.Column("active_at", _when(), nullable=False, server_default=sa.func.now())
        )
    with op.batch_alter_table("rooms") as batch:
        batch.alter_column("active_at", server_default=None)
        batch.create_index("ix_rooms_active_at", ["active_at"])

    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("secret_hash", sa.String(64), nullable=True))
    _number_attempts()
    with op.batch_alter_table("attempts") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_index(
            "ux_attempts_alias_number", ["exercise_id", "alias", "number"], unique=True
        )


def _number_attempts() -> None:
    """Aliases stored before normalisation are normalised, and each alias's attempts numbered
    in the order they came (earlier attempts have no secret: only the instructor sees them)."""
    attempts = sa.table(
        "attempts",
        sa.column("id", sa.Integer()),
        sa.column("exercise_id", sa.String()),
        sa.column("alias", sa.String()),
        sa.column("number", sa.Integer()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(attempts.c.id, attempts.c.exercise_id, attempts.c.alias).order_by(attempts.c.id)
    ).all()
    seen: Counter[tuple[str, str]] = Counter()
    for attempt_id, exercise_id, stored in rows:
        alias = _normalised(str(stored))
        seen[(str(exercise_id), alias)] += 1
        connection.execute(
            attempts.update()
            .where(attempts.c.id == attempt_id)
            .values(alias=alias, number=seen[(str(exercise_id), alias)])
        )


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.drop_index("ux_attempts_alias_number")
        batch.drop_column("secret_hash")
        batch.drop_column("number")
    with op.batch_alter_table("rooms") as batch:
        batch.drop_index("ix_rooms_active_at")
        batch.drop_column("active_at")
    with op.batch_alter_table("presentations") as batch:
        batch.drop_index("ix_presentations_lecturer_id")
        batch.drop_constraint("fk_presentations_lecturer_id", type_="foreignkey")
        batch.drop_column("lecturer_id")
    for table in ("rate_hits", "rate_keys", "logins", "lecturers"):
        op.drop_table(table)
