"""The database engine: SQLite by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from . import models  # noqa: F401  (registers the tables)


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """At most ``2 × pool_size`` connections, as many as the app's worker threads (app.py),
    each kept once opened: connections opened at a peak and closed after it (a pool's
    overflow) made a busy class pay for a new PostgreSQL backend every few requests."""
    connections = 2 * pool_size
    if url.startswith("sqlite"):
        options: dict[str, object] = {"connect_args": {"check_same_thread": False}}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            options["poolclass"] = StaticPool  # one shared in-memory database
        else:
            options |= {"pool_size": connections, "max_overflow": 0}
        engine = create_engine(url, **options)
    else:
        # pre-ping: a connection that died in an outage is replaced, not handed to a request
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=connections, max_overflow=0, pool_timeout=30
        )
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


class NulInText(ValueError):
    """A text sent to the database holds a NUL character (U+0000).

    PostgreSQL cannot store one in any text column (and cannot even compare against
    one), so every statement is checked before it is sent, on SQLite as on PostgreSQL:
    a NUL is a clear error naming the field, never a driver failure.
    """

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(f"{field}: the text holds a NUL character (U+0000), which is not allowed")


def _refuse_nul(
    connection: Any,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    for row in parameters if executemany else [parameters]:
        for name, value in _named(row, context):
            if isinstance(value, str) and "\x00" in value:
                raise NulInText(_field(name))


def _named(row: Any, context: Any) -> Iterator[tuple[str, object]]:
    if isinstance(row, Mapping):
        yield from row.items()
    elif isinstance(row, Sequence):  # SQLite's positional parameters: names from the statement
        compiled = getattr(context, "compiled", None)
        names = list(getattr(compiled, "positiontup", None) or [])
        for index, value in enumerate(row):
            yield (names[index] if index < len(names) else f"parameter {index + 1}"), value


def _field(bind_name: str) -> str:
    """``alias_1`` (a compared column's parameter) or ``alias`` (an inserted one) → ``alias``."""
    return re.sub(r"_\d+$", "", bind_name)


def write_first(db: Session) -> None:
    """On SQLite, end what ``db`` read so far and take the database's write lock now.

    A SQLite transaction that reads and then writes while another one writes cannot
    get the write lock without a deadlock, which SQLite settles by failing one
    ("database is locked"); a transaction that takes the lock first simply waits its
    turn. PostgreSQL locks rows, not the database: there this does nothing.
    """
    if db.get_bind().dialect.name == "sqlite":
        db.commit()
        db.connection().exec_driver_sql("UPDATE secrets SET name = name WHERE 0")


def sessions_of(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
