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
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from app.store import rooms
from app.store import sessions as repo

from . import lecturer
from .live import Live
from .render import SPEEDS, render_stage

router = APIRouter()
# how soon a browser whose stream dropped asks again (with Last-Event-ID)
RETRY_MS = 1000


@router.get("/s/{session_id}/stream")
async def stream(
    request: Request,
    session_id: str,
    speed: Annotated[float, Query(ge=min(SPEEDS), le=max(SPEEDS))] = 1.0,
    start: Annotated[int | None, Query(alias="from", ge=0)] = None,
    until: Annotated[int | None, Query(ge=-1, description="stop after this hop")] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse:
    # no database session held for the life of a stream: only short ones, per hop
    live = await run_in_threadpool(_load, request, session_id)
    first = _first_hop(live, start, last_event_id)
    presenter = request.query_params.get("presenter") == "1"
    events = _events(request, live, first, speed, until, presenter)
    return EventSourceResponse(events, ping=15, background=stream_place(request))


def stream_place(request: Request) -> BackgroundTask:
    """Hold one of the client's stream places until the stream ends (refuse if none is left)."""
    client = request.client.host if request.client else "unknown"
    streams = request.app.state.streams
    if not streams.take(client):
        raise HTTPException(
            status_code=429, detail="too many open streams from this address: close a tab"
        )
    return BackgroundTask(streams.give_back, client)


def _first_hop(live: Live, start: int | None, last_event_id: str | None) -> int:
    if last_event_id is not None and last_event_id.strip().isdigit():
        return int(last_event_id) + 1
    if start is not None:
        return start
    return live.cursor + 1


async def _events(
    request: Request, live: Live, next_seq: int, speed: float, until: int | None, presenter: bool
) -> AsyncIterator[ServerSentEvent]:
    settings = request.app.state.settings
    hub = request.app.state.stream_hub
    pause = settings.hop_interval_s / speed
    lecturing = lecturer.holds(request, live.id)  # the class follows its lecturer's stream only
    idle_since = time.monotonic()
    hub.watch(live.id, live.version)
    try:
        while not await request.is_disconnected():
            if time.monotonic() - idle_since > settings.stream_idle_s:
                # a tab left open at the end of its trace: the page pauses itself (sse-close)
                yield ServerSentEvent(data="paused", event="idle", retry=RETRY_MS)
                return
            if next_seq < len(live.trace.hops) and (until is None or next_seq <= until):
                html = await run_in_threadpool(
                    render_stage,
                    request,
                    live,
                    next_seq,
                    speed=speed,
                    until=until,
                    presenter=presenter,
                )
                yield ServerSentEvent(data=html, event="hop", id=str(next_seq), retry=RETRY_MS)
                if lecturing:  # the rooms follow at once
                    await run_in_threadpool(_lecturer_moved, request, live.id, next_seq)
                else:  # a bookmark, saved with every other stream's at the hub's next look
                    hub.bookmark(live.id, next_seq)
                next_seq += 1
                idle_since = time.monotonic()
                await asyncio.sleep(pause)
            else:
                await asyncio.sleep(settings.stream_poll_s)
            if hub.version(live.id) not in (None, live.version):  # someone added commands
                live = await run_in_threadpool(_reload, request, live)
    finally:
        hub.unwatch(live.id)


def _load(request: Request, session_id: str) -> Live:
    engine = request.app.state.engine
    live = request.app.state.live.load(engine, session_id) if len(session_id) <= 40 else None
    if live is None:
        raise HTTPException(status_code=404, detail="no such session")
    return live


def _reload(request: Request, live: Live) -> Live:
    try:
        return request.app.state.live.load(request.app.state.engine, live.id) or live
    except DBAPIError:  # the database is away: play on with the hops already known
        return live


def _lecturer_moved(request: Request, session_id: str, cursor: int) -> None:
    try:
        with Session(request.app.state.engine) as db:
            repo.set_cursor(db, session_id=session_id, cursor=cursor)
            rooms.follow_cursor(db, session_id=session_id, k=cursor)
    except DBAPIError:
        pass  # the database is away: the next hop saved after the outage moves the room on
