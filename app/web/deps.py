"""What handlers need, as annotated parameters that read as prose."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from .live import Live, LiveSessions


def _db(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


DbDep = Annotated[Session, Depends(_db)]


def _sessions(request: Request) -> LiveSessions:
    return request.app.state.live  # type: ignore[no-any-return]


SessionsDep = Annotated[LiveSessions, Depends(_sessions)]


def _live(session_id: str, db: DbDep, sessions: SessionsDep) -> Live:
    live = sessions.get(db, session_id) if len(session_id) <= 40 else None
    if live is None:
        raise HTTPException(status_code=404, detail="no such session")
    return live


LiveDep = Annotated[Live, Depends(_live)]
