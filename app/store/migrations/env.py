"""Alembic's environment: runs on the connection that ``app.store.schema`` hands it."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from app.store import models  # noqa: F401  (registers the tables)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
