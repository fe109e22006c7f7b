"""PostgreSQL LISTEN for room changes made by other workers."""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from app.store.rooms import CHANNEL


def listen_for_rooms(engine: Engine, poke: Callable[[], None]) -> Callable[[], None] | None:
    """On PostgreSQL, a thread that calls ``poke`` on every room NOTIFY; returns its stopper."""
    if engine.dialect.name != "postgresql":
        return None
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    while not stop.is_set():
                        for _ in connection.notifies(timeout=0.5, stop_after=1):
                            poke()
            except psycopg.Error:
                stop.wait(1.0)  # the database is away: the watchers' polling covers meanwhile

    thread = threading.Thread(target=run, name="iovlab-room-listener", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        thread.join(timeout=2)

    return stopper
