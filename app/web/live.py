"""Sessions as the web layer uses them: rebuilt from the store by replay.

Any process can rebuild any session from its stored scenario text and
commands; this cache only saves the replay when nothing changed since.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Engine
from sqlmodel import Session

from app.sim import Scenario, ScenarioError, Trace, WorkloadItem, load_scenario, simulate
from app.sim.loading import parse_item
from app.store import sessions as repo

_ITEMS = TypeAdapter(WorkloadItem)
MAX_COMMANDS = repo.MAX_COMMANDS


@dataclass(frozen=True, slots=True)
class Stored:
    """A session as read from the database; ``items`` is None when ``cached`` is current."""

    id: str
    name: str
    shipped: str | None
    cursor: int
    source: str
    items: tuple[str, ...] | None
    cached: Live | None


@dataclass(frozen=True, slots=True)
class Live:
    """One session at one version (its number of commands)."""

    id: str
    name: str
    shipped: str | None
    cursor: int
    scenario: Scenario
    commands: tuple[WorkloadItem, ...]
    trace: Trace

    @property
    def version(self) -> int:
        return len(self.commands)

    def time_at(self, cursor: int) -> int:
        """The simulated time a command issued at ``cursor`` is stamped with."""
        hops = self.trace.hops
        if cursor < 0 or not hops:
            return 0
        return hops[min(cursor, len(hops) - 1)].t_us


class LiveSessions:
    """Rebuilds sessions by replay and keeps the most recently used ones."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._cache: OrderedDict[str, Live] = OrderedDict()
        self._levels: OrderedDict[tuple[str, int, str], Trace] = OrderedDict()
        self._lock = threading.Lock()

    def at_level(self, live: Live, level: str) -> Trace:
        """The session's workload and commands with every request at ``level``."""
        key = (live.id, live.version, level)
        with self._lock:
            cached = self._levels.get(key)
        if cached is None:
            cached = simulate(live.scenario, live.commands, level=level)  # type: ignore[arg-type]
            with self._lock:
                self._levels[key] = cached
                while len(self._levels) > self._size:
                    self._levels.popitem(last=False)
        return cached

    def get(self, db: Session, session_id: str) -> Live | None:
        stored = self.read(db, session_id)
        return None if stored is None else self.build(stored)

    def load(self, engine: Engine, session_id: str) -> Live | None:
        """A session read on a connection of its own, given back before the replay."""
        with Session(engine) as db:
            stored = self.read(db, session_id)
        return None if stored is None else self.build(stored)

    def read(self, db: Session, session_id: str) -> Stored | None:
        """What the database holds of a session: all that ``build`` needs, so the connection
        can go back to the pool before the replay (which takes the CPU for a while)."""
        row = repo.get_session(db, session_id)
        if row is None:
            return None
        count = repo.count_commands(db, session_id)
        with self._lock:
            cached = self._cache.get(session_id)
        if cached is not None and cached.version == count:
            return Stored(row.id, row.name, row.shipped, row.cursor, row.source, None, cached)
        items = tuple(r.item for r in repo.list_commands(db, session_id))
        return Stored(row.id, row.name, row.shipped, row.cursor, row.source, items, cached)

    def build(self, stored: Stored) -> Live:
        cached = stored.cached
        if stored.items is None and cached is not None:
            with self._lock:
                if stored.id in self._cache:
                    self._cache.move_to_end(stored.id)
            return _with_cursor(cached, stored.cursor)
        scenario = cached.scenario if cached else load_scenario(stored.source)
        commands = tuple(_ITEMS.validate_python(json.loads(i)) for i in stored.items or ())
        live = Live(
            stored.id,
            stored.name,
            stored.shipped,
            stored.cursor,
            scenario,
            commands,
            simulate(scenario, commands),
        )
        self._remember(live)
        return live

    def issue(self, db: Session, live: Live, data: Any, cursor: int) -> tuple[Live, str]:
        """Add a command at ``cursor``'s simulated time; return the session and its request id."""
        if not isinstance(data, dict):
            raise ScenarioError(["command: expected a mapping with op, device and its fields"])
        if "at_us" in data:
            raise ScenarioError(
                ["command.at_us: set by the server; a command happens at the session's cursor"]
            )
        if len(live.commands) >= MAX_COMMANDS:
            limit = f"a session holds at most {MAX_COMMANDS} commands; reset it for a fresh one"
            raise ScenarioError([f"command: {limit}"])
        item = parse_item(live.scenario, {**data, "at_us": live.time_at(cursor)})
        item_json = item.model_dump_json(exclude_none=True)
        try:
            position = repo.add_command(
                db, session_id=live.id, item_json=item_json, limit=MAX_COMMANDS
            )
        except repo.SessionFull as full:  # commands sent at once reached the cap meanwhile
            raise ScenarioError([f"command: {full}"]) from full
        if position == live.version:
            commands = (*live.commands, item)
            updated = Live(
                live.id,
                live.name,
                live.shipped,
                cursor,
                live.scenario,
                commands,
                simulate(live.scenario, commands),
            )
            self._remember(updated)
        else:  # others added commands meanwhile: replay what is stored
            stored = self.read(db, live.id)
            db.rollback()  # only read since the commit: give the connection back first
            updated = _with_cursor(self.build(stored) if stored else live, cursor)
        origin = f"command[{position}]"
        request = next(r.id for r in updated.trace.requests if r.origin == origin)
        return updated, request

    def _remember(self, live: Live) -> None:
        with self._lock:
            self._cache[live.id] = live
            self._cache.move_to_end(live.id)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)


def _with_cursor(live: Live, cursor: int) -> Live:
    if live.cursor == cursor:
        return live
    return Live(live.id, live.name, live.shipped, cursor, live.scenario, live.commands, live.trace)
