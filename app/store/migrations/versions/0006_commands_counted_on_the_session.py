"""How many commands a session holds, kept on the session's row: loading a session, adding
a command and a worker's look at its streams read it, instead of counting the commands
each time (a class of 500 counted them tens of thousands of times a minute).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("commands", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE sessions SET commands = "
        "(SELECT count(*) FROM commands WHERE commands.session_id = sessions.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("commands")
