"""The database engine: SQLite by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, event, exc
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from . import models  # noqa: F401  (registers the tables)

# A connection idle in the pool longer than this is pinged before it is handed out
IDLE_PING_S = 10.0


def make_engine(url: str, *, pool_size: int = 10, idle_ping_s: float = IDLE_PING_S) -> Engine:
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
        engine = create_engine(url, pool_size=connections, max_overflow=0, pool_timeout=30)
        _ping_when_idle(engine, idle_ping_s)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


def reading(engine: Engine) -> Engine:
    """The same pool, for reads that need no transaction: each statement alone, with no
    BEGIN before it or ROLLBACK after (three round trips to the database become one).
    Every look at a session is one; on PostgreSQL's READ COMMITTED each statement of a
    transaction saw the newest data anyway."""
    if engine.dialect.name != "postgresql":
        return engine  # SQLite is in the process: a transaction costs it no round trip
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """A connection that sat idle longer than ``idle_s`` is pinged before a request gets it,
    and replaced if the database dropped it meanwhile (a restart in a quiet hour).

    Not every checkout, as the pool's ``pre_ping`` would: under a class each request takes
    two connections, and their pings were a sixth of a command's work. A connection used
    moments ago that an outage has just cut fails its statement instead (a clear 503, see
    web/platform/errors.py), and the pool then renews every connection it holds.
    """

    @event.listens_for(engine, "checkin")
    def idle_from_now(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def alive_or_replaced(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_s:
            return  # new, or used moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the database closed an idle connection") from error


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
