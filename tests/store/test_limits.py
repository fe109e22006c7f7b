"""Rate limits kept in the database: every worker counts the same hits, exactly."""

from sqlmodel import select

from app.store import limits
from app.store.models import RateHitRow

from .conftest import at_once

T0 = 1_800_000_000.0  # a fixed clock: windows are checked to the second


def test_a_key_gets_its_limit_in_a_window_and_is_told_how_long_to_wait(db):
    taken = [
        limits.take(db, key="join:10.0.0.1", limit=3, window_s=60, now=T0 + i) for i in range(3)
    ]
    assert all(v.allowed for v in taken)
    refused = limits.take(db, key="join:10.0.0.1", limit=3, window_s=60, now=T0 + 10)
    # the first hit (at T0) leaves the 60 s window at T0 + 60: 50 s from T0 + 10
    assert not refused.allowed and refused.wait_s == 50.0
    assert limits.take(db, key="join:10.0.0.2", limit=3, window_s=60, now=T0 + 10).allowed
    assert limits.take(db, key="join:10.0.0.1", limit=3, window_s=60, now=T0 + 60).allowed
    # refused hits were not recorded: at T0 + 61 only the hits at T0+1, T0+2, T0+60 count
    assert limits.hits(db, key="join:10.0.0.1", window_s=60, now=T0 + 61) == 2


def test_a_refused_hit_waits_for_the_oldest_hit_that_still_fills_the_limit(db):
    for t in (0, 30, 40):
        limits.take(db, key="login:a", limit=2, window_s=100, now=T0 + t)
    # hits at 0 and 30 were taken, 40 refused; at 50 the place frees when 0 leaves (100)
    assert limits.take(db, key="login:a", limit=2, window_s=100, now=T0 + 50).wait_s == 50.0
    assert limits.take(db, key="login:a", limit=2, window_s=100, now=T0 + 100).allowed
    # now 30 and 100 fill it: the next place frees at 130
    assert limits.take(db, key="login:a", limit=2, window_s=100, now=T0 + 101).wait_s == 29.0


def test_old_hits_are_pruned(db):
    for i in range(5):
        limits.take(db, key="sessions:x", limit=100, window_s=60, now=T0 + i)
    # the key's own hits older than its window go when it is hit again
    limits.take(db, key="sessions:x", limit=100, window_s=60, now=T0 + 120)
    assert len(db.exec(select(RateHitRow)).all()) == 1
    limits.take(db, key="sessions:y", limit=100, window_s=60, now=T0 + 120)
    # and a prune clears every key's hits older than a day
    assert limits.prune(db, now=T0 + 120 + limits.LONGEST_WINDOW_S) == 2
    assert db.exec(select(RateHitRow)).all() == []


def test_a_success_can_be_given_back(db):
    first = limits.take(db, key="login:b", limit=1, window_s=60, now=T0)
    assert not limits.take(db, key="login:b", limit=1, window_s=60, now=T0 + 1).allowed
    limits.give_back(db, first.hit_id)
    assert limits.take(db, key="login:b", limit=1, window_s=60, now=T0 + 2).allowed


def test_hits_at_once_from_many_workers_never_pass_the_limit(engine):
    # 16 threads, each with its own connection, as 16 requests on several workers would be
    verdicts = at_once(
        engine, 16, lambda db, i: limits.take(db, key="sessions:nat", limit=5, window_s=60)
    )
    assert not [v for v in verdicts if isinstance(v, BaseException)]
    assert sum(v.allowed for v in verdicts) == 5
    assert all(0 < v.wait_s <= 60 for v in verdicts if not v.allowed)
