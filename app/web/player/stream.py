"""Hops as Server-Sent Events, paced for the eye.

Each event carries ``id: <seq>``; a browser that reconnects sends the last id
it saw (``Last-Event-ID``) and the stream resumes after it, so no hop is
missed or shown twice. At the end of the trace the stream waits: hops that a
new command adds are sent as they appear.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Header, HTTPException, Query, Request
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from app.diagram.pieces import Piece
from app.sessions import Live
from app.store import rooms

from .. import owners
from ..application import Iovlab
from ..deps import AppDep, ClientDep, session_for, stream_place
from ..drawn import Film, event_key, profile_named, render_hop
from ..render import SPEEDS
from .frames import hop_frame

router = APIRouter()
# how soon a browser whose stream dropped asks again (with Last-Event-ID)
RETRY_MS = 1000
# A stream's film is built, and a fold caught up, on threads of their own, at most this many
# at once (its next hop is rendered on the event loop): hundreds of streams starting at once
# would otherwise fill the threads every request waits for, and a student's command would
# queue behind other students' films
RENDERING = anyio.CapacityLimiter(4)


@router.get("/s/{session_id}/stream")
async def stream(
    request: Request,
    iovlab: AppDep,
    client: ClientDep,
    session_id: str,
    speed: Annotated[float, Query(ge=min(SPEEDS), le=max(SPEEDS))] = 1.0,
    start: Annotated[int | None, Query(alias="from", ge=0)] = None,
    until: Annotated[int | None, Query(ge=-1, description="stop after this hop")] = None,
    last_event_id: Annotated[str | None, Header()] = None,
    # what each hop changed, as the drawn player applies it: the one format (tools name it)
    format: Annotated[Literal["hops"], Query(description="hops: each hop's event")] = "hops",
) -> EventSourceResponse:
    # no database session held for the life of a stream: only short ones, per hop
    live, lecturing = await run_in_threadpool(session_for, request, iovlab, session_id)
    first = _first_hop(live, start, last_event_id)
    # a viewer's position is theirs: only the owner's stream moves the session's bookmark
    owning = lecturing or owners.owns(request, iovlab.secret, live.id)
    render = HopRenderer(request.query_params.get("profile", "laptop"))
    events = _events(iovlab, live, first, speed, until, lecturing, owning, render)
    return EventSourceResponse(events, ping=15, background=stream_place(iovlab.streams, client))


def _first_hop(live: Live, start: int | None, last_event_id: str | None) -> int:
    if last_event_id is not None and last_event_id.strip().isdigit():
        if len(last_event_id.strip()) > 10:  # no trace has that many hops: not an id we sent
            raise HTTPException(status_code=422, detail="Last-Event-ID: not a hop this sent")
        return int(last_event_id) + 1
    if start is not None:
        return start
    return live.cursor + 1


class HopRenderer:
    """A stream's renderer of hop events, as the bytes of an SSE frame. It holds the
    session's film for the life of the stream (built again only when the session changes):
    with more sessions streaming than the shared cache keeps, each event would otherwise
    rebuild its film from the whole trace, and a class of 500 would stop the server."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self._chosen = profile_named(profile)
        self._held: dict[str, Film] = {}  # the film of the session's content now streamed

    def at_once(self, iovlab: Iovlab, live: Live, k: int) -> bytes | None:
        """The frame if it can be had here and now, with no worker thread to wait for: made
        lately (for this or a same-content session), or the next hop of the film this
        stream holds (a fraction of a millisecond). None when it takes a film built or a
        fold caught up: that is a thread's work, not the event loop's."""
        frame = iovlab.films.frames.get(event_key(live, k, self.profile))
        if frame is not None:
            return frame
        film = self._held.get(live.digest)
        changed = film.pieces.changed_at_once(k) if film is not None else None
        if film is None or changed is None:
            return None
        return self._framed(iovlab, live, k, film, changed)

    def __call__(self, iovlab: Iovlab, live: Live, k: int) -> bytes:
        film = self._held.get(live.digest)
        if film is None:
            self._held.clear()
            film = self._held[live.digest] = iovlab.films.of(live, self._chosen)
        return self._framed(iovlab, live, k, film, film.pieces.changed(k))

    def _framed(
        self, iovlab: Iovlab, live: Live, k: int, film: Film, changed: dict[str, Piece]
    ) -> bytes:
        html = render_hop(
            iovlab, live, k, profile=self.profile, film=film, changed=changed, keep=False
        )
        frame = hop_frame(html, k, RETRY_MS)
        iovlab.films.frames.put(event_key(live, k, self.profile), frame)
        return frame


class Pace:
    """When a stream's next hop is due: one ``interval`` after the last was due, on a
    schedule, so a hop sent late (a busy worker) does not put off every hop after it, and
    the stream keeps its speed. A hop more than an interval late is sent at once and the
    schedule starts again from it: after a stall the page gets one hop sooner, never a burst.
    """

    def __init__(self, interval: float, now: float) -> None:
        self.interval = interval
        self._due = now

    def sent(self, now: float) -> float:
        """A hop was sent at ``now``: the seconds to wait before the next one."""
        self._due = max(self._due + self.interval, now)
        return self._due - now

    def restart(self, now: float) -> None:
        """The stream waited for hops to be made: the next is due as soon as it is."""
        self._due = now


async def _events(
    iovlab: Iovlab,
    live: Live,
    next_seq: int,
    speed: float,
    until: int | None,
    lecturing: bool,
    owning: bool,
    render: HopRenderer,
) -> AsyncIterator[ServerSentEvent | bytes]:
    settings = iovlab.settings
    hub = iovlab.stream_hub
    pace = Pace(settings.hop_interval_s / speed, time.monotonic())
    idle_since = time.monotonic()
    hub.watch(live.id, live.version)
    try:
        while True:  # until the client goes: EventSourceResponse then cancels this
            if time.monotonic() - idle_since > settings.stream_idle_s:
                # a tab left open at the end of its trace: the page pauses itself (sse-close)
                yield ServerSentEvent(data="paused", event="idle", retry=RETRY_MS)
                return
            if next_seq < len(live.trace.hops) and (until is None or next_seq <= until):
                frame = render.at_once(iovlab, live, next_seq)
                if frame is None:
                    frame = await anyio.to_thread.run_sync(
                        render, iovlab, live, next_seq, limiter=RENDERING
                    )
                yield frame
                if lecturing:  # the rooms follow at once
                    await run_in_threadpool(_lecturer_moved, iovlab, live.id, next_seq)
                elif owning:  # a bookmark, saved with every other stream's at the hub's next look
                    hub.bookmark(live.id, next_seq)
                next_seq += 1
                idle_since = time.monotonic()
                await asyncio.sleep(pace.sent(idle_since))
            else:
                await asyncio.sleep(settings.stream_poll_s)
                pace.restart(time.monotonic())
            if hub.version(live.id) not in (None, live.version):  # someone added commands
                live = await run_in_threadpool(_reload, iovlab, live)
    finally:
        hub.unwatch(live.id)


def _reload(iovlab: Iovlab, live: Live) -> Live:
    try:
        return iovlab.sessions.load(live.id) or live
    except DBAPIError:  # the database is away: play on with the hops already known
        return live


def _lecturer_moved(iovlab: Iovlab, session_id: str, cursor: int) -> None:
    try:
        with Session(iovlab.engine) as db:
            iovlab.sessions.bookmark(db, session_id, cursor)
            rooms.follow_cursor(db, session_id=session_id, k=cursor)
    except DBAPIError:
        pass  # the database is away: the next hop saved after the outage moves the room on
