"""``create_app(settings)``: the one place the web application is put together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware

from app.lessons.compile import load_lessons
from app.settings import ROOT, Settings
from app.store.accounts import signing_secret
from app.store.db import make_engine
from app.store.rooms import on_change as room_changes
from app.store.schema import NotMigrated, require_migrated

from . import (
    analysis,
    api,
    auth,
    exports,
    health,
    instructor,
    lessons,
    pages,
    player,
    practice,
    rooms,
    stream,
    student,
)
from .errors import install_error_pages
from .limits import OpenStreams, PerMinute
from .live import LiveSessions
from .render import install_filters
from .room_listener import listen_for_rooms
from .roomhub import RoomHub
from .security import BodyLimit, SameOrigin, SecurityHeaders
from .shipped import load_shipped
from .streamhub import StreamHub


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    try:
        require_migrated(engine)  # NotMigrated says to run `iovlab db upgrade`
    except NotMigrated:
        engine.dispose()
        raise

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # no more worker threads than connections: a thread never waits for the pool, and
        # a busy server queues work fairly instead of timing out in the pool
        to_thread.current_default_thread_limiter().total_tokens = 2 * settings.db_pool_size
        hub = app.state.rooms
        unsubscribe = room_changes(hub.poke)
        stop_listening = listen_for_rooms(engine, hub.poke)
        app.state.stream_hub.start()
        yield
        await app.state.stream_hub.stop()
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
    app.state.settings = settings
    app.state.engine = engine
    if settings.secret_key is not None:
        secret = settings.secret_key.get_secret_value()
    else:
        with Session(engine) as db:
            secret = signing_secret(db)
    app.add_middleware(SecurityHeaders, embed_ancestors=settings.embed_ancestors)
    app.add_middleware(SameOrigin)
    app.add_middleware(BodyLimit, limit=settings.max_scenario_bytes * 4)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="iovlab_session",
        max_age=12 * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.state.live = LiveSessions()
    app.state.stream_hub = StreamHub(engine, settings.stream_poll_s)
    app.state.session_limit = PerMinute(settings.sessions_per_minute)
    app.state.streams = OpenStreams(settings.streams_per_client)
    app.state.shipped = load_shipped(Path(settings.scenarios_dir))
    app.state.lessons = load_lessons(
        Path(settings.scenarios_dir) / "lessons", Path(settings.scenarios_dir)
    )
    app.state.rooms = RoomHub(
        lambda code: rooms.room_version(app, code),
        lambda code: rooms.render_follower(app, code),
        settings.room_poll_s,
    )
    templates = Jinja2Templates(directory=ROOT / "templates")
    # templates change only with a new release: no stat() of the file on every render
    templates.env.auto_reload = False
    install_filters(templates.env)
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    install_error_pages(app)
    for module in (
        pages,
        player,
        stream,
        exports,
        health,
        analysis,
        api,
        auth,
        instructor,
        student,
        practice,
        lessons,
        rooms,
    ):
        app.include_router(module.router)
    return app
