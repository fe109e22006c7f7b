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
from typing import Annotated, cast

from fastapi import Depends, FastAPI, HTTPException, Request
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.background import BackgroundTask
from starlette.datastructures import ImmutableMultiDict

from app.sessions import Live
from app.sessions.limits import OpenStreams
from app.store import accounts
from app.store.models import InstructorRow

from . import lecturer
from .application import Iovlab


def attach(app: FastAPI, iovlab: Iovlab) -> None:
    """Make ``iovlab`` the application object of ``app`` (once, in ``create_app``)."""
    app.state.iovlab = iovlab


# async, though it awaits nothing: FastAPI runs a plain function dependency on a worker
# thread, and every request asks for this one
async def _iovlab(request: Request) -> Iovlab:
    return cast(Iovlab, request.app.state.iovlab)  # the one place app.state is read


AppDep = Annotated[Iovlab, Depends(_iovlab)]


async def client_of(request: Request, iovlab: AppDep) -> str:
    """The address a limit per client counts against: the peer that connected, or, when that
    peer is a trusted proxy, the nearest address it forwarded that is not itself one (anyone
    may write X-Forwarded-For; only a proxy we run appends the truth to it)."""
    peer = request.client.host if request.client else "unknown"
    proxies = iovlab.settings.proxies
    if peer not in proxies:
        return peer
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in proxies:
            return hop[:64]
    return peer


ClientDep = Annotated[str, Depends(client_of)]


async def _db(iovlab: AppDep) -> AsyncIterator[Session]:
    # rows stay readable after a commit without a new query, so a handler whose answer is
    # still to be serialized (on another thread) holds no connection meanwhile
    session = Session(iovlab.engine, expire_on_commit=False)
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


def session_for(request: Request, iovlab: Iovlab, session_id: str) -> tuple[Live, bool]:
    """The session at ``session_id``, and whether this browser is its lecturer. A session
    that presents a lesson is only for its lecturer (the projector shows its id; its
    trace holds answers the class has not been shown).

    Read on a connection of its own, given back before the replay: the request's own
    session must not hold one through the handler while another is asked for (see above)."""
    stored = iovlab.sessions.find(session_id)
    if stored is None:
        raise HTTPException(status_code=404, detail="no such session")
    lecturer.guard(request, stored.presentation)
    lecturing = lecturer.holds_presentation(request, stored.presentation)
    return iovlab.sessions.build(stored), lecturing


def _live(request: Request, session_id: str, iovlab: AppDep) -> Live:
    return session_for(request, iovlab, session_id)[0]


LiveDep = Annotated[Live, Depends(_live)]


class NotSignedIn(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=403, detail="instructors only: sign in first")


LOGIN_KEY = "login"  # the sign-in cookie holds a login id, revoked at sign-out


def _instructor(request: Request, iovlab: AppDep) -> InstructorRow:
    login_id = request.session.get(LOGIN_KEY)
    if not isinstance(login_id, str):
        raise NotSignedIn()
    with Session(iovlab.engine, expire_on_commit=False) as db:  # see the module's docstring
        row = accounts.signed_in(db, login_id)
    if row is None:
        raise NotSignedIn()
    return row


InstructorDep = Annotated[InstructorRow, Depends(_instructor)]


def sign_in(db: Session, email: str, password: str, client: str) -> accounts.SignedIn | None:
    """An instructor's sign-in (None: no such e-mail and password), refused with a 429 that
    says when to try again once an address or an account has failed too often."""
    try:
        return accounts.sign_in(db, email=email, password=password, address=client)
    except accounts.TooManyFailures as error:
        raise HTTPException(
            status_code=429,
            detail=str(error),
            headers={"Retry-After": str(max(1, round(error.wait_s)))},
        ) from None


def _maybe_instructor(request: Request, iovlab: AppDep) -> InstructorRow | None:
    try:
        return _instructor(request, iovlab)
    except NotSignedIn:
        return None


# the signed-in instructor, or None: for a page that asks them to sign in itself
SignedInDep = Annotated[InstructorRow | None, Depends(_maybe_instructor)]


async def form_fields(request: Request) -> ImmutableMultiDict[str, str]:
    """The request's form as text, its uploaded files closed at once: a handler that reads
    the form itself is not one whose form FastAPI closes for it."""
    async with request.form() as form:
        return ImmutableMultiDict(
            [(k, v if isinstance(v, str) else "") for k, v in form.multi_items()]
        )


def stream_place(streams: OpenStreams, client: str) -> BackgroundTask:
    """Hold one of the client's stream places until the stream ends (refuse if none is left)."""
    if not streams.take(client):
        raise HTTPException(
            status_code=429, detail="too many open streams from this address: close a tab"
        )
    return BackgroundTask(streams.give_back, client)
