"""Per-question settings of an exercise; LTI 1.3: the library's values between login
and launch, the launches from an LMS, and the scores sent back to its gradebook.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _text(length: int | None = None) -> sa.String:
    return sa.String(length=length)


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("exercises") as batch:
        batch.add_column(sa.Column("settings", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "lti_values",
        sa.Column("key", _text(200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_lti_values_expires_at", "lti_values", ["expires_at"])
    op.create_table(
        "lti_launches",
        sa.Column("id", _text(40), nullable=False),
        sa.Column("exercise_id", _text(40), nullable=False),
        sa.Column("issuer", _text(400), nullable=False),
        sa.Column("client_id", _text(200), nullable=False),
        sa.Column("subject", _text(255), nullable=False),
        sa.Column("name", _text(200), nullable=False),
        sa.Column("ags", sa.Text(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercises.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lti_launches_exercise_id", "lti_launches", ["exercise_id"])
    op.create_table(
        "lti_scores",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("launch_id", _text(40), nullable=False),
        sa.Column("posted_at", _when(), nullable=True),
        sa.Column("error", _text(500), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"]),
        sa.ForeignKeyConstraint(["launch_id"], ["lti_launches.id"]),
        sa.PrimaryKeyConstraint("attempt_id"),
    )
    op.create_index("ix_lti_scores_launch_id", "lti_scores", ["launch_id"])


def downgrade() -> None:
    for table in ("lti_scores", "lti_launches", "lti_values"):
        op.drop_table(table)
    with op.batch_alter_table("exercises") as batch:
        batch.drop_column("settings")
