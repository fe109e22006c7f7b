"""LTI launches are pruned once past their day: a score sent for a pruned launch stays
with its attempt without pointing at it, and launches are found by age.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lti_scores") as batch:
        batch.alter_column("launch_id", existing_type=sa.String(40), nullable=True)
    op.create_index("ix_lti_launches_created_at", "lti_launches", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_lti_launches_created_at", "lti_launches")
    # the column must name a launch again: a score whose launch was pruned is dropped
    op.execute("DELETE FROM lti_scores WHERE launch_id IS NULL")
    with op.batch_alter_table("lti_scores") as batch:
        batch.alter_column("launch_id", existing_type=sa.String(40), nullable=False)
