"""A session's command cap holds in the transaction that appends, however many arrive at once."""

import pytest

from app.store import sessions

from .conftest import at_once


def test_commands_sent_at_once_stop_exactly_at_the_cap(engine, db):
    row = sessions.create_session(db, name="s", source="x: 1", shipped=None)
    for i in range(7):
        sessions.add_command(db, session_id=row.id, item_json=f'{{"n": {i}}}', limit=10)

    def send(session, i):
        return sessions.add_command(session, session_id=row.id, item_json='{"n": 0}', limit=10)

    results = at_once(engine, 16, send)
    positions = sorted(r for r in results if isinstance(r, int))
    assert positions == [7, 8, 9]  # three places were left, each taken once
    assert all(isinstance(r, sessions.SessionFull) for r in results if not isinstance(r, int))
    assert sessions.count_commands(db, row.id) == 10
    assert [c.position for c in sessions.list_commands(db, row.id)] == list(range(10))


def test_the_cap_is_five_hundred_and_says_so(db):
    row = sessions.create_session(db, name="s", source="x: 1", shipped=None)
    for _ in range(sessions.MAX_COMMANDS):
        sessions.add_command(db, session_id=row.id, item_json="{}")
    with pytest.raises(sessions.SessionFull, match="at most 500 commands"):
        sessions.add_command(db, session_id=row.id, item_json="{}")
    assert sessions.count_commands(db, row.id) == 500
