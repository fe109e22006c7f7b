"""What handlers need, as annotated parameters that read as prose."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from .live import Live, LiveSessions


def _db(request: Request) -> Iterator[Session]:
    session = Session(request.app.state.engine)
    try:
        yield session
    finally:
        _close(session)


def _close(session: Session) -> None:
    """Close, even when the database went away after the work: what was committed is kept,
    what was not is gone with the connection, so a failed rollback needs no answer."""
    try:
        session.close()
    except DBAPIError:
        with contextlib.suppress(DBAPIError):
            session.invalidate()


# closed before the response is sent, so a database error still becomes a clear 503
DbDep = Annotated[Session, Depends(_db, scope="function")]


def _sessions(request: Request) -> LiveSessions:
    return request.app.state.live  # type: ignore[no-any-return]


SessionsDep = Annotated[LiveSessions, Depends(_sessions)]


def _live(session_id: str, db: DbDep, sessions: SessionsDep) -> Live:
    live = sessions.get(db, session_id) if len(session_id) <= 40 else None
    if live is None:
        raise HTTPException(status_code=404, detail="no such session")
    return live


LiveDep = Annotated[Live, Depends(_live)]
