"""Rooms end and free their codes, codes are too many to guess, one follower is one
answer, and a lecturer's rooms are found from one id."""

from datetime import UTC, datetime, timedelta

import pytest

from app.store import rooms, sessions
from app.store.models import AnswerRow

from .conftest import at_once


@pytest.fixture
def session_id(db):
    row = sessions.create_session(db, name="lecture", source="x: 1", shipped=None)
    rooms.start_presentation(db, session_id=row.id, lesson="dma")
    return row.id


def codes(*drawn):
    """A code generator that draws the given codes in order."""
    queue = list(drawn)
    return lambda: queue.pop(0)


def test_a_code_is_eight_of_thirty_two_symbols_and_is_found_however_it_is_typed(db, session_id):
    assert len(rooms.CODE_LETTERS) == len(set(rooms.CODE_LETTERS)) == 32
    assert not set("ILOU") & set(rooms.CODE_LETTERS)
    drawn = {rooms.new_room_code() for _ in range(200)}
    assert len(drawn) == 200 and all(
        len(c) == 8 and set(c) <= set(rooms.CODE_LETTERS) for c in drawn
    )
    room = rooms.open_room(db, session_id=session_id, step=0, k=-1, new_code=codes("K1P0QR7T"))
    for typed in ("K1P0QR7T", "k1p0qr7t", "K1P0 QR7T", "k1po-qr7t", "KIP0QR7T", "klpoqr7t"):
        assert rooms.get_room(db, typed).code == room.code, typed
    assert rooms.get_room(db, "K1P0QR7") is None


def test_a_taken_code_is_drawn_again_not_an_error(db, session_id):
    first = rooms.open_room(db, session_id=session_id, step=0, k=-1, new_code=codes("AAAA1111"))
    second = rooms.open_room(
        db, session_id=session_id, step=0, k=-1, new_code=codes("AAAA1111", "AAAA1111", "BBBB2222")
    )
    assert (first.code, second.code) == ("AAAA1111", "BBBB2222")


def test_a_closed_room_is_gone_with_its_answers_and_its_code_is_free(db, session_id):
    room = rooms.open_room(db, session_id=session_id, step=0, k=-1, new_code=codes("CCCC3333"))
    rooms.answer(db, room=room, follower="f1", value="64")
    assert rooms.end_room(db, "cccc3333")
    assert rooms.get_room(db, "CCCC3333") is None and rooms.rooms_of(db, session_id) == []
    assert not rooms.end_room(db, "CCCC3333")
    again = rooms.open_room(db, session_id=session_id, step=0, k=-1, new_code=codes("CCCC3333"))
    assert again.code == "CCCC3333" and rooms.distribution(db, again) == {}


def test_a_room_idle_for_longer_than_the_limit_has_ended(db, session_id):
    idle = rooms.open_room(db, session_id=session_id, step=0, k=-1, new_code=codes("DDDD4444"))
    busy = rooms.open_room(db, session_id=session_id, step=0, k=-1, new_code=codes("EEEE5555"))
    rooms.answer(db, room=idle, follower="f1", value="1")
    idle.active_at = datetime.now(UTC) - timedelta(hours=3)
    db.add(idle)
    db.commit()
    rooms.update_room(db, busy, question="open")  # the lecturer acted: the room is active
    assert rooms.get_room(db, "DDDD4444", idle_hours=2) is None
    assert rooms.get_room(db, "DDDD4444", idle_hours=4) is not None
    assert rooms.end_idle_rooms(db, idle_hours=2) == ["DDDD4444"]
    assert [r.code for r in rooms.rooms_of(db, session_id)] == ["EEEE5555"]
    assert db.get(AnswerRow, 1) is None
    # opening a room ends idle ones first, so their codes are free again
    busy.active_at = datetime.now(UTC) - timedelta(hours=13)
    db.add(busy)
    db.commit()
    fresh = rooms.open_room(db, session_id=session_id, step=0, k=-1, new_code=codes("EEEE5555"))
    assert fresh.code == "EEEE5555" and fresh.question == "none"


def test_one_follower_answering_twice_at_once_is_one_answer(engine, db, session_id):
    room = rooms.open_room(db, session_id=session_id, step=2, k=-1)
    values = [str(n) for n in range(12)]
    results = at_once(
        engine, 12, lambda s, i: rooms.answer(s, room=room, follower="same", value=values[i])
    )
    assert results == [None] * 12
    counts = rooms.distribution(db, room)
    assert sum(counts.values()) == 1 and next(iter(counts)) in values
    rooms.answer(db, room=room, follower="other", value="7")
    rooms.answer(db, room=room, follower="same", value="7")
    assert rooms.distribution(db, room) == {"7": 2}


def test_an_answer_needs_a_follower(db, session_id):
    room = rooms.open_room(db, session_id=session_id, step=0, k=-1)
    for nobody in ("", "  "):
        with pytest.raises(ValueError, match="follower"):
            rooms.answer(db, room=room, follower=nobody, value="1")
    assert rooms.distribution(db, room) == {}


def test_a_lecturers_rooms_are_kept_under_one_id(db):
    lecturer = rooms.new_lecturer(db)
    other = rooms.new_lecturer(db)
    presented = []
    for n in range(80):  # the cookie once grew with each of these
        row = sessions.create_session(db, name=f"l{n}", source="x: 1", shipped=None)
        rooms.start_presentation(db, session_id=row.id, lesson="dma", lecturer_id=lecturer)
        rooms.open_room(db, session_id=row.id, step=0, k=-1)
        presented.append(row.id)
    assert rooms.is_lecturer(db, lecturer) and not rooms.is_lecturer(db, "forged")
    assert len(lecturer) <= 40
    assert {p.session_id for p in rooms.presentations_of(db, lecturer)} == set(presented)
    last = presented[-1]
    assert rooms.presents(db, lecturer_id=lecturer, session_id=last)
    assert not rooms.presents(db, lecturer_id=other, session_id=last)
    assert rooms.lecturer_room(db, lecturer_id=lecturer, session_id=last) is not None
    assert rooms.lecturer_room(db, lecturer_id=other, session_id=last) is None
