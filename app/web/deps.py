"""What handlers need, as annotated parameters that read as prose.

A database connection is held only inside one step of work on one thread: the
request's session closes on the event loop, and the dependencies that read
before the handler runs use sessions of their own. A connection held while
waiting for a worker thread, with every thread waiting for a connection, would
stop a busy server dead.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from .live import Live, LiveSessions


async def _db(request: Request) -> AsyncIterator[Session]:
    # rows stay readable after a commit without a new query, so a handler whose answer is
    # still to be serialized (on another thread) holds no connection meanwhile
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        _close(session)  # here, on the event loop: no worker thread needed to give it back


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


def _live(request: Request, session_id: str, sessions: SessionsDep) -> Live:
    if len(session_id) > 40:
        raise HTTPException(status_code=404, detail="no such session")
    live = sessions.load(request.app.state.engine, session_id)
    if live is None:
        raise HTTPException(status_code=404, detail="no such session")
    return live


LiveDep = Annotated[Live, Depends(_live)]
