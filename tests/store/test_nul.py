"""A NUL character never reaches the database: a typed error names the field instead
(PostgreSQL cannot store one, and used to fail with a driver error, a 500)."""

import pytest

from app.store import exercises, rooms, sessions
from app.store.accounts import find_instructor
from app.store.db import NulInText


def test_a_nul_in_a_stored_field_is_refused_naming_the_field(db):
    with pytest.raises(NulInText, match=r"^name: the text holds a NUL"):
        sessions.create_session(db, name="a\x00b", source="x: 1", shipped=None)
    db.rollback()
    row = sessions.create_session(db, name="fine", source="x: 1", shipped=None)
    with pytest.raises(NulInText) as refused:
        sessions.add_command(db, session_id=row.id, item_json='{"op": "\x00"}')
    assert refused.value.field == "item"
    db.rollback()
    assert sessions.count_commands(db, row.id) == 0


def test_a_nul_in_a_looked_up_key_is_refused_naming_the_field(db):
    with pytest.raises(NulInText) as refused:
        find_instructor(db, email="a@b\x00.org")
    assert refused.value.field == "email"
    db.rollback()
    with pytest.raises(NulInText) as refused:
        exercises.attempts_of(db, "ex\x00")
    assert refused.value.field == "exercise_id"
    db.rollback()
    assert rooms.get_room(db, "AB\x00C") is None  # a code with a NUL names no room
