"""The session service on its own, with no web: every way of making a session passes the
same limits, and what each way makes is the session it says."""

from pathlib import Path

import pytest
import yaml
from sqlmodel import Session

from app.exercises.variants import questions
from app.lessons.compile import load_lessons
from app.sessions import Sessions, TooManySessions, load_shipped
from app.sim import ScenarioError
from app.store import rooms
from app.store.db import make_engine
from app.workloads import contention_data

from ..databases import sqlite_url

SCENARIOS = Path("scenarios")
SHIPPED = load_shipped(SCENARIOS)
LESSONS = load_lessons(SCENARIOS / "lessons", SCENARIOS)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(sqlite_url(tmp_path))
    yield engine
    engine.dispose()


def _service(engine, per_minute=30, max_bytes=256_000):
    return Sessions(engine, SHIPPED, per_minute=per_minute, max_scenario_bytes=max_bytes)


def _generated_source():
    data = contention_data(guests=2, device="disk", rate_per_s=50, duration_ms=100, seed=1)
    return yaml.safe_dump(data, sort_keys=False)


def test_every_way_of_making_a_session_counts_against_the_clients_minute(engine):
    service = _service(engine, per_minute=6)
    partitioned = SHIPPED["partitioned"]
    question = questions(partitioned.scenario, ["chs"], "seed")[0]
    with Session(engine, expire_on_commit=False) as db:
        first = service.open_shipped(db, "10.0.0.1", "partitioned")
        service.open_text(db, "10.0.0.1", partitioned.source)
        service.copy(db, "10.0.0.1", service.load(first.id))
        service.open_lesson(db, "10.0.0.1", LESSONS["3-partitioned"])
        service.open_question(db, "10.0.0.1", partitioned.source, question)
        service.open_generated(db, "10.0.0.1", _generated_source())
        for seventh in (
            lambda: service.open_shipped(db, "10.0.0.1", "shared"),
            lambda: service.open_lesson(db, "10.0.0.1", LESSONS["4-shared"]),
            lambda: service.open_generated(db, "10.0.0.1", _generated_source()),
        ):
            with pytest.raises(TooManySessions) as refused:
                seventh()
            assert 0 < refused.value.wait_s <= 60  # until the first of the minute ages out
        assert service.open_shipped(db, "10.0.0.2", "shared").shipped == "shared"


def test_a_users_text_over_the_size_limit_is_refused_before_it_is_read(engine):
    service = _service(engine, max_bytes=100)
    with Session(engine, expire_on_commit=False) as db, pytest.raises(ScenarioError) as refused:
        service.open_text(db, "a", "name: x\n" + "#" * 200)
    assert refused.value.problems == ["scenario: the text is over 100 bytes"]


def test_a_presented_lesson_holds_its_commands_and_replays_to_the_lessons_trace(engine):
    service = _service(engine)
    lesson = LESSONS["3-partitioned"]
    with Session(engine, expire_on_commit=False) as db:
        row = service.open_lesson(db, "a", lesson)
        assert rooms.get_presentation(db, row.id).lesson == "3-partitioned"
    live = service.load(row.id)
    assert len(live.commands) == len(lesson.commands)
    assert live.trace.hops == lesson.trace.hops


def test_a_question_opens_at_the_hop_that_answers_it(engine):
    service = _service(engine)
    partitioned = SHIPPED["partitioned"]
    question = questions(partitioned.scenario, ["chs"], "seed")[0]
    with Session(engine, expire_on_commit=False) as db:
        row = service.open_question(db, "a", partitioned.source, question)
    live = service.load(row.id)
    assert live.cursor == question.focus >= 0
    assert live.trace.hops[question.focus].stage == "physical_mapping"


def test_a_command_happens_at_the_cursors_time_and_is_kept(engine):
    service = _service(engine)
    with Session(engine, expire_on_commit=False) as db:
        row = service.open_shipped(db, "a", "partitioned")
        live = service.load(row.id)
        command = {"guest": "vm1", "op": "disk_read", "device": "disk0", "block": 3}
        updated, request = service.command(db, live, command, 4)
        service.bookmark(db, row.id, 4)
    hops = [h for h in updated.trace.hops if h.request == request]
    assert hops[0].t_us == live.trace.hops[4].t_us
    again = service.load(row.id)
    assert again.cursor == 4 and len(again.commands) == 1
    assert again.trace.hops == updated.trace.hops


def test_no_query_for_an_id_no_session_can_have(engine):
    service = _service(engine)
    assert service.load("x" * 41) is None
    assert service.load("no-such-session") is None


def test_sessions_of_the_same_content_are_replayed_once_and_diverge_with_a_command(engine):
    """A class opening one scenario costs one replay a worker, and a second worker (a
    service of its own, with nothing cached) rebuilds the same trace from the store."""
    service = _service(engine)
    replays = []
    real = service._live.replay
    service._live.replay = lambda *a, **k: replays.append(1) or real(*a, **k)
    with Session(engine, expire_on_commit=False) as db:
        rows = [service.open_shipped(db, f"10.0.0.{i}", "shared") for i in range(5)]
        lives = [service.load(r.id) for r in rows]
        assert len(replays) == 1 and all(live.trace is lives[0].trace for live in lives)
        frame = {"op": "frame_arrives", "device": "nic0", "dst_mac": "52:54:00:00:00:02"}
        changed, _ = service.command(db, lives[1], {**frame, "bytes": 80}, 0)
        assert len(replays) == 2 and changed.trace is not lives[0].trace
        assert service.load(rows[0].id).trace is lives[0].trace  # the others as they were
        other = _service(engine)  # another worker: nothing kept, rebuilt from what is stored
        rebuilt = other.load(rows[1].id)
        assert rebuilt.digest == changed.digest
        assert rebuilt.trace.to_dict() == changed.trace.to_dict()
