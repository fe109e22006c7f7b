"""The repositories on their own, on both lanes: what each call leaves in the database."""

import pytest
from sqlmodel import Session

from app.store import accounts, exercises, rooms, sessions
from app.store.db import make_engine

from ..databases import empty_tables, postgres_schema, sqlite_url


@pytest.fixture(scope="module")
def postgres_lane():
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_lane")
        empty_tables(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def _session(db, name="s"):
    return sessions.create_session(db, name=name, source="name: s", shipped=None)


def test_a_session_gets_an_unguessable_id_of_its_own(db):
    one, two = _session(db, "one"), _session(db, "two")
    assert one.id != two.id and len(one.id) == 22  # 128 random bits, URL-safe
    assert sessions.get_session(db, one.id).name == "one"
    assert sessions.get_session(db, "no-such-id") is None


def test_commands_take_the_next_positions_and_come_back_in_order(db):
    row = _session(db)
    positions = [
        sessions.add_command(db, session_id=row.id, item_json=f'{{"n": {i}}}') for i in range(3)
    ]
    assert positions == [0, 1, 2]
    assert [c.item for c in sessions.list_commands(db, row.id)] == [
        '{"n": 0}',
        '{"n": 1}',
        '{"n": 2}',
    ]
    assert sessions.count_commands(db, row.id) == 3


def test_command_counts_leave_out_sessions_with_none(db):
    busy, idle = _session(db), _session(db)
    sessions.add_command(db, session_id=busy.id, item_json="{}")
    assert sessions.command_counts(db, session_ids=[busy.id, idle.id]) == {busy.id: 1}
    assert sessions.command_counts(db, session_ids=[]) == {}


def test_a_workers_every_stream_is_counted_and_bookmarked_in_one_statement_each(db):
    # a worker streaming a class asks about hundreds of sessions at each tick
    rows = [_session(db) for _ in range(300)]
    for n, row in enumerate(rows[:120]):
        for _ in range(n % 3 + 1):
            sessions.add_command(db, session_id=row.id, item_json="{}")
    ids = [r.id for r in rows] + ["no-such-session"]
    assert sessions.command_counts(db, session_ids=ids) == {
        row.id: n % 3 + 1 for n, row in enumerate(rows[:120])
    }
    sessions.set_cursors(db, cursors={row.id: n for n, row in enumerate(rows)} | {"gone": 3})
    db.expire_all()
    assert [sessions.get_session(db, r.id).cursor for r in rows] == list(range(300))


def test_cursors_move_one_at_a_time_or_many_in_one_transaction(db):
    a, b = _session(db), _session(db)
    sessions.set_cursor(db, session_id=a.id, cursor=7)
    sessions.set_cursors(db, cursors={a.id: 9, b.id: 4})
    db.expire_all()
    assert sessions.get_session(db, a.id).cursor == 9
    assert sessions.get_session(db, b.id).cursor == 4


def test_a_room_follows_the_cursor_of_the_session_it_presents(db):
    row = _session(db)
    rooms.start_presentation(db, session_id=row.id, lesson="3-partitioned")
    room = rooms.open_room(db, session_id=row.id, step=0, k=-1)
    before = room.version
    rooms.follow_cursor(db, session_id=row.id, k=5)
    db.expire_all()
    again = rooms.get_room(db, room.code.lower())  # codes are read in any case
    assert again.k == 5 and again.version == before + 1
    assert rooms.get_presentation(db, row.id).lesson == "3-partitioned"
    assert rooms.get_room(db, "") is None


def test_the_same_attempt_sent_twice_is_stored_once(db):
    teacher = accounts.add_instructor(db, email="t@example.org", password="a long passphrase")
    assert accounts.authenticate(db, email="t@example.org", password="wrong") is None
    exercise = exercises.create_exercise(
        db,
        instructor_id=teacher.id,
        title="t",
        source="name: s",
        templates=["chs"],
        variants=1,
        due_at=None,
        retries=False,
    )
    sent = dict(alias="ada", variant=0, answers={"q0.x": "1"}, results=[], score=1.0, allowed=1)
    first = exercises.save_attempt(
        db, exercise_id=exercise.id, token="t" * 16, secret="s" * 32, **sent
    )
    second = exercises.save_attempt(
        db, exercise_id=exercise.id, token="t" * 16, secret="s" * 32, **sent
    )
    assert first.id == second.id
    assert len(exercises.attempts_of(db, exercise.id, "ada")) == 1
