"""The one place a session is opened, copied, commanded, loaded, replayed and bookmarked.

Every caller — the JSON API, the pages, a lesson presented, a student's question, the
contention generator, the comparison of levels — goes through ``Sessions``, so the limits
on making a session hold for all of them: how many one client may open a minute, how large
a user's scenario text may be, and how much work a replay may take (``live.replay``).
Nothing here knows of HTTP: the web turns ``TooManySessions`` and ``ScenarioError`` into
statuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from sqlalchemy import Engine
from sqlmodel import Session

from app.exercises.question import Question
from app.lessons.compile import CompiledLesson
from app.sim import ScenarioError, Trace, load_scenario, parse_item
from app.sim.budget import DEFAULT_MAX_HOPS
from app.sim.scenario import Level, Scenario
from app.store import limits
from app.store import rooms as rooms_repo
from app.store import sessions as repo
from app.store.db import reading
from app.store.models import SessionRow

from .live import Live, LiveSessions, Stored, content_digest
from .shipped import Shipped


class TooManySessions(Exception):
    """A client opened its share of sessions this minute."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"too many new sessions from this address: try again in {wait_s:.0f} s")
        self.wait_s = wait_s


class Sessions:
    def __init__(
        self,
        engine: Engine,
        shipped: Mapping[str, Shipped],
        *,
        per_minute: int,
        max_scenario_bytes: int,
        max_hops: int = DEFAULT_MAX_HOPS,
    ) -> None:
        self._engine = engine
        self._reads = reading(engine)
        self._shipped = shipped
        self._per_minute = per_minute
        self.max_scenario_bytes = max_scenario_bytes
        self._live = LiveSessions(max_hops)

    # -- making a session: every way in passes _admit ------------------------------------

    def open_shipped(self, db: Session, client: str, name: str) -> SessionRow:
        self._admit(db, client)
        if name not in self._shipped:
            names = ", ".join(self._shipped)
            raise ScenarioError([f"scenario: no shipped scenario {name!r} ({names})"])
        chosen = self._shipped[name]
        return self._create(db, chosen.scenario.name, chosen.source, chosen.scenario, (), name)

    def open_text(self, db: Session, client: str, source: str | None) -> SessionRow:
        """A session of a scenario a user pasted, uploaded or sent."""
        self._admit(db, client)
        if not source or not source.strip():
            raise ScenarioError(
                ["scenario: paste a scenario, upload a file, or pick a shipped one"]
            )
        self.check_size(source)
        scenario = load_scenario(source)
        return self._create(db, scenario.name, source, scenario, ())

    def copy(self, db: Session, client: str, live: Live) -> SessionRow:
        """A fresh session of the same scenario; the old one stays as it was."""
        self._admit(db, client)
        row = repo.get_session(db, live.id)
        if row is None:
            raise ScenarioError(["session: it is gone"])
        return repo.create_session(db, name=row.name, source=row.source, shipped=row.shipped)

    def fork(self, db: Session, client: str, live: Live, cursor: int) -> SessionRow:
        """A copy of the session with the same requests, to experiment with from ``cursor``;
        the original stays as it was."""
        self._admit(db, client)
        commands = [c.model_dump(mode="json", exclude_none=True) for c in live.commands]
        row = repo.get_session(db, live.id)
        if row is None:
            raise ScenarioError(["session: it is gone"])
        copy = self._create(db, row.name, row.source, live.scenario, commands)
        repo.set_cursor(db, session_id=copy.id, cursor=cursor)
        return copy

    def open_lesson(
        self, db: Session, client: str, lesson: CompiledLesson, lecturer_id: str | None = None
    ) -> SessionRow:
        """A session holding a lesson's scenario and commands, presented from its first step
        by the lecturer ``lecturer_id``."""
        self._admit(db, client)
        row = self._create(db, lesson.lesson.title, lesson.source, lesson.scenario, lesson.commands)
        rooms_repo.start_presentation(
            db, session_id=row.id, lesson=lesson.name, lecturer_id=lecturer_id
        )
        return row

    def open_question(
        self, db: Session, client: str, source: str, question: Question
    ) -> SessionRow:
        """The trace behind one question, opened at the hop that answers it."""
        self._admit(db, client)
        scenario = load_scenario(source)
        if not question.keep_workload:
            data = scenario.model_dump(mode="json", exclude_none=True)
            source = yaml.safe_dump({**data, "workload": []}, sort_keys=False)
            scenario = load_scenario(source)
        row = self._create(db, scenario.name, source, scenario, question.commands)
        repo.set_cursor(db, session_id=row.id, cursor=question.focus)
        return row

    def open_generated(self, db: Session, client: str, source: str) -> SessionRow:
        """A session of a scenario the server wrote (the contention generator)."""
        self._admit(db, client)
        scenario = load_scenario(source)
        return self._create(db, scenario.name, source, scenario, ())

    def check_size(self, source: str) -> None:
        """A scenario a user sends is refused past the size limit, before it is parsed."""
        limit = self.max_scenario_bytes
        if len(source.encode("utf-8")) > limit:
            raise ScenarioError([f"scenario: the text is over {limit:,} bytes"])

    def _admit(self, db: Session, client: str) -> None:
        """The rate limit on making a session, counted in the database: every worker sees
        the same count, so two workers do not each allow a minute's share."""
        verdict = limits.take(db, key=f"sessions:{client}", limit=self._per_minute, window_s=60)
        if not verdict.allowed:
            raise TooManySessions(verdict.wait_s)

    def _create(
        self,
        db: Session,
        name: str,
        source: str,
        scenario: Scenario,
        commands: Iterable[dict[str, Any]],
        shipped: str | None = None,
    ) -> SessionRow:
        """Simulated first, within the work budget, then stored: a session past the budget
        is refused whole (``HopBudgetExceeded``) and nothing of it is kept."""
        items = tuple(parse_item(scenario, command) for command in commands)
        stored = [item.model_dump_json(exclude_none=True) for item in items]
        digest = content_digest(source, stored)
        trace = self._live.trace_of(digest, scenario, items)
        row = repo.create_session(db, name=name, source=source, shipped=shipped)
        for item_json in stored:
            repo.add_command(db, session_id=row.id, item_json=item_json)
        live = Live(row.id, row.name, row.shipped, row.cursor, scenario, items, trace, digest)
        self._live.remember(live)
        return row

    # -- using one ------------------------------------------------------------------------

    def load(self, session_id: str) -> Live | None:
        """A session read on a connection of its own, given back before the replay."""
        stored = self.find(session_id)
        return None if stored is None else self.build(stored)

    def find(self, session_id: str) -> Stored | None:
        """What the store holds of a session, read on a connection of its own (outside a
        transaction), given back to the pool before ``build`` replays it."""
        if len(session_id) > 40:  # no id is that long: no query for it
            return None
        with Session(self._reads) as db:
            return self._live.read(db, session_id)

    def build(self, stored: Stored) -> Live:
        """The session ``find`` found, replayed unless a trace of its content is kept."""
        return self._live.build(stored)

    def read(self, db: Session, session_id: str) -> Live | None:
        """A session read on the caller's connection (held during the replay)."""
        stored = self._live.read(db, session_id)
        return None if stored is None else self._live.build(stored)

    def command(self, db: Session, live: Live, data: Any, cursor: int) -> tuple[Live, str]:
        """Add a command at ``cursor``'s simulated time; return the session and its request id."""
        return self._live.issue(db, live, data, cursor)

    def at_level(self, live: Live, level: Level) -> Trace:
        """The session's workload and commands with every request caught at ``level``."""
        return self._live.at_level(live, level)

    def bookmark(self, db: Session, session_id: str, cursor: int) -> None:
        """Where a viewer stands in the session: the next page opens there."""
        repo.set_cursor(db, session_id=session_id, cursor=cursor)
