"""The steps whose answer a lecturer revealed, kept with the presentation: a reload, a
new room or another of the lecturer's browsers keeps a question hidden until revealed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("presentations") as batch:
        batch.add_column(sa.Column("revealed", sa.String(400), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("presentations") as batch:
        batch.drop_column("revealed")
