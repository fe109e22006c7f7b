"""``create_app(settings)``: the one place the web application is put together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware

from app.lessons.compile import load_lessons
from app.sessions import Sessions, load_shipped
from app.sessions.limits import OpenStreams
from app.settings import ROOT, Settings
from app.store.accounts import signing_secret
from app.store.db import make_engine
from app.store.rooms import on_change as room_changes
from app.store.schema import NotMigrated, require_migrated

from . import analysis, exercises, lectures, platform, player
from .application import Iovlab
from .assets import Assets
from .deps import attach
from .drawn import Films
from .lectures.follow import render_follower, room_version
from .lectures.room_listener import listen_for_rooms
from .lectures.roomhub import RoomHub
from .platform import collector
from .platform.errors import install_error_pages
from .platform.security import BodyLimit, SameOrigin, SecurityHeaders, VaryOnHtmx
from .player.streamhub import StreamHub
from .templating import page_templates, warm

# A request is matched against the routes in this order, a few µs a route: the player's
# and the JSON API's (a class's every step and command) come first. No two features'
# paths overlap, so the order changes nothing else.
FEATURES = (player, platform, analysis, lectures, exercises)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    try:
        require_migrated(engine)  # NotMigrated says to run `iovlab db upgrade`
    except NotMigrated:
        engine.dispose()
        raise
    iovlab = _build(settings, engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # no more worker threads than connections: a thread never waits for the pool, and
        # a busy server queues work fairly instead of timing out in the pool
        to_thread.current_default_thread_limiter().total_tokens = 2 * settings.db_pool_size
        warm(iovlab.templates)  # before the first request, not in front of it
        unsubscribe = room_changes(iovlab.rooms.poke)
        stop_listening = listen_for_rooms(engine, iovlab.rooms.poke)
        iovlab.stream_hub.start()
        async with collector.scheduled(settings.full_collect_s):
            yield
        await iovlab.stream_hub.stop()
        unsubscribe()
        if stop_listening is not None:
            stop_listening()
        engine.dispose()  # close pooled connections when the server stops

    app = FastAPI(
        lifespan=lifespan,
        title="iovlab",
        summary="I/O virtualization in a virtual machine monitor, step by step.",
        version="0.1.0",
    )
    attach(app, iovlab)  # handlers reach it through deps.AppDep
    # the last added is the outermost: the security headers go on every answer, the 413 and
    # the cross-site 403 included (a 500 gets them from its error page)
    app.add_middleware(VaryOnHtmx)
    app.add_middleware(SameOrigin)
    app.add_middleware(BodyLimit, limit=settings.max_scenario_bytes * 4)
    app.add_middleware(
        SessionMiddleware,
        secret_key=iovlab.secret,
        session_cookie="iovlab_session",
        max_age=12 * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    # pages, hop events and assets compressed on the wire (event streams never are), at
    # zlib's own default level: a page 0.3 % larger than at level 9 for two thirds the CPU
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(SecurityHeaders, embed_ancestors=settings.embed_ancestors)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    install_error_pages(app, iovlab.templates)
    for feature in FEATURES:
        app.include_router(feature.router)
    return app


def _build(settings: Settings, engine: Engine) -> Iovlab:
    scenarios = Path(settings.scenarios_dir)
    shipped = load_shipped(scenarios)
    templates = page_templates()
    assets = Assets()
    templates.env.globals["asset"] = assets.url
    sessions = Sessions(
        engine,
        shipped,
        per_minute=settings.sessions_per_minute,
        max_scenario_bytes=settings.max_scenario_bytes,
        max_hops=settings.max_hops,
    )
    rooms = RoomHub(
        lambda code: room_version(engine, code),
        lambda code: render_follower(iovlab, code),
        settings.room_poll_s,
    )
    iovlab = Iovlab(
        settings=settings,
        engine=engine,
        templates=templates,
        sessions=sessions,
        shipped=shipped,
        lessons=load_lessons(scenarios / "lessons", scenarios),
        streams=OpenStreams(settings.streams_per_client),
        room_streams=OpenStreams(settings.room_streams_per_client),
        stream_hub=StreamHub(engine, settings.stream_poll_s),
        rooms=rooms,
        assets=assets,
        films=Films(),
        secret=_signing_secret(settings, engine),
    )
    return iovlab


def _signing_secret(settings: Settings, engine: Engine) -> str:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    with Session(engine) as db:
        return signing_secret(db)
