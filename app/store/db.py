"""The database engine: SQLite by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from . import models  # noqa: F401  (registers the tables)


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """At most ``2 × pool_size`` connections: the app runs as many worker threads (app.py)."""
    if url.startswith("sqlite"):
        options: dict[str, object] = {"connect_args": {"check_same_thread": False}}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            options["poolclass"] = StaticPool  # one shared in-memory database
        else:
            options |= {"pool_size": pool_size, "max_overflow": pool_size}
        engine = create_engine(url, **options)
    else:
        # pre-ping: a connection that died in an outage is replaced, not handed to a request
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size, pool_timeout=30
        )
    return engine


def sessions_of(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
