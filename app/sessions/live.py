"""Sessions rebuilt from the store by replay.

Any process can rebuild any session from its stored scenario text and
commands; this cache only saves the replay when nothing changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from app.sim import Scenario, ScenarioError, Trace, load_scenario, simulate
from app.sim.budget import DEFAULT_MAX_HOPS
from app.sim.loading import parse_item
from app.sim.scenario import Level, WorkloadItem
from app.store import sessions as repo
from app.store.models import PresentationRow

from .cache import HopBoundedCache


class _Stored(BaseModel):
    """A stored command, read back (the item was validated against its scenario when issued)."""

    item: WorkloadItem


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
    # the lesson presentation the session holds (read with it): only its lecturer may look
    presentation: PresentationRow | None = None


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
    # what the trace follows from: the scenario's text and the commands, as stored. Sessions
    # with the same digest have the same trace hop for hop (the core is deterministic), so
    # they share it, and the page's films and hop events made from it
    digest: str

    @property
    def version(self) -> int:
        return len(self.commands)

    def time_at(self, cursor: int) -> int:
        """The simulated time a command issued at ``cursor`` is stamped with."""
        hops = self.trace.hops
        if cursor < 0 or not hops:
            return 0
        return hops[min(cursor, len(hops) - 1)].t_us


def content_digest(source: str, commands_json: Iterable[str] = ()) -> str:
    """The digest of a scenario's text followed by its commands, each as stored."""
    digest = hashlib.sha256(source.encode()).hexdigest()
    for item_json in commands_json:
        digest = extended(digest, item_json)
    return digest


def extended(digest: str, item_json: str) -> str:
    """The digest of a session after one more command."""
    return hashlib.sha256(f"{digest}\n{item_json}".encode()).hexdigest()


# A worker keeps the traces of the sessions it served last, weighed by their hops (a few
# hundred bytes each): this many budgets' worth, so one session at the budget never pushes
# out all the others, and the memory a worker gives to traces stays bounded whatever the mix.
CACHED_BUDGETS = 2


class LiveSessions:
    """Rebuilds sessions by replay and keeps the most recently used ones.

    ``max_hops`` is the work budget: every replay (a session built, a command added, the
    session at another level) stops past it with ``HopBudgetExceeded``, a ScenarioError
    that names the budget and what to shrink.

    Traces are kept by their content's digest, not by session: a class that opens the
    same scenario, or studies the same lesson, replays it once per worker.
    """

    def __init__(self, max_hops: int = DEFAULT_MAX_HOPS) -> None:
        self.max_hops = max_hops
        bound = CACHED_BUDGETS * max_hops
        self._cache: HopBoundedCache[str, Live] = HopBoundedCache(bound)
        self._made: HopBoundedCache[str, Trace] = HopBoundedCache(bound)
        self._levels: HopBoundedCache[tuple[str, Level], Trace] = HopBoundedCache(bound)

    def replay(
        self, scenario: Scenario, commands: tuple[WorkloadItem, ...], level: Level | None = None
    ) -> Trace:
        """The one place a session's trace is simulated (build, command, another level)."""
        return simulate(scenario, commands, level=level, max_hops=self.max_hops)

    def trace_of(
        self, digest: str, scenario: Scenario, commands: tuple[WorkloadItem, ...]
    ) -> Trace:
        """The trace of a scenario and its commands whose digest is ``digest``: replayed
        unless a session of the same content was replayed here lately."""
        trace = self._made.get(digest)
        if trace is None:
            trace = self.replay(scenario, commands)
            self._made.put(digest, trace, hops=len(trace.hops))
        return trace

    def at_level(self, live: Live, level: Level) -> Trace:
        """The session's workload and commands with every request at ``level``."""
        key = (live.digest, level)
        cached = self._levels.get(key)
        if cached is None:
            cached = self.replay(live.scenario, live.commands, level)
            self._levels.put(key, cached, hops=len(cached.hops))
        return cached

    def read(self, db: Session, session_id: str) -> Stored | None:
        """What the database holds of a session: all that ``build`` needs, so the connection
        can go back to the pool before the replay (which takes the CPU for a while)."""
        found = repo.get_session_presented(db, session_id)
        if found is None:
            return None
        row, shown = found
        cached = self._cache.get(session_id)
        items = None
        if cached is None or cached.version != row.commands:
            items = tuple(r.item for r in repo.list_commands(db, session_id))
        return Stored(row.id, row.name, row.shipped, row.cursor, row.source, items, cached, shown)

    def build(self, stored: Stored) -> Live:
        cached = stored.cached
        if stored.items is None and cached is not None:
            return _with_cursor(cached, stored.cursor)
        scenario = cached.scenario if cached else _parsed(stored.source)
        commands = tuple(_Stored(item=json.loads(i)).item for i in stored.items or ())
        digest = content_digest(stored.source, stored.items or ())
        trace = self.trace_of(digest, scenario, commands)
        live = Live(
            stored.id, stored.name, stored.shipped, stored.cursor, scenario, commands, trace, digest
        )
        self.remember(live)
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
        commands = (*live.commands, item)
        digest = extended(live.digest, item_json)
        # simulated before it is stored: a command that would pass the budget is refused
        # and the session stays as it was, never stored half-made
        trace = self.trace_of(digest, live.scenario, commands)
        try:
            position = repo.add_command(
                db, session_id=live.id, item_json=item_json, limit=MAX_COMMANDS
            )
        except repo.SessionFull as full:  # commands sent at once reached the cap meanwhile
            raise ScenarioError([f"command: {full}"]) from full
        if position == live.version:
            updated = Live(
                live.id, live.name, live.shipped, cursor, live.scenario, commands, trace, digest
            )
            self.remember(updated)
        else:  # others added commands meanwhile: replay what is stored
            stored = self.read(db, live.id)
            db.rollback()  # only read since the commit: give the connection back first
            updated = _with_cursor(self.build(stored) if stored else live, cursor)
        origin = f"command[{position}]"
        request = next(r.id for r in updated.trace.requests if r.origin == origin)
        return updated, request

    def remember(self, live: Live) -> None:
        """Keep a session just built, so its next load needs no replay."""
        self._cache.put(live.id, live, hops=len(live.trace.hops))


@lru_cache(maxsize=64)
def _parsed(source: str) -> Scenario:
    """A stored scenario's text, parsed: a class's sessions share one source, and parsing
    it is most of the cost of loading a session this worker has not seen (Scenario is
    frozen, so one parse can serve them all)."""
    return load_scenario(source)


def _with_cursor(live: Live, cursor: int) -> Live:
    if live.cursor == cursor:
        return live
    return Live(
        live.id, live.name, live.shipped, cursor, live.scenario, live.commands, live.trace,
        live.digest,
    )  # fmt: skip
