"""Rate limits every worker sees: hits per key in a sliding window, kept in the database.

A key names what is limited and for whom: ``sessions:<addr>``, ``join:<addr>``,
``login:<addr>``. Taking a place first upserts the key's row, which locks it
(a row lock on PostgreSQL, the write lock on SQLite) until the transaction
ends; only then are the key's hits counted. Two workers taking a place at once
are thereby served one after the other, so the last place goes to one of them.

A class behind one address (a lecture hall's NAT, or loopback in ``bench/load.py``)
opens its sessions one after the other on that key, so the lock is held as briefly as
can be: on PostgreSQL its statements and the commit go to the server in one go.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

import psycopg
from sqlalchemy import delete, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from .models import RateHitRow, RateKeyRow

LONGEST_WINDOW_S = 86_400.0  # no limit looks further back than a day: older hits are pruned
PRUNE_EVERY = 200  # hits taken by this process between two prunes of every key's old hits

_taken_since_prune = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a hit was within the limit; if not, the seconds until one will be."""

    allowed: bool
    wait_s: float = 0.0
    hit_id: int | None = None  # the hit recorded, for ``give_back``


def take(
    db: Session, *, key: str, limit: int, window_s: float, now: float | None = None
) -> Verdict:
    """Record a hit for ``key`` if fewer than ``limit`` were recorded in the last ``window_s``
    seconds; a refused hit is not recorded (waiting, not retrying, is what shortens the wait).

    Runs in a transaction of its own: anything pending in ``db`` is committed first.
    """
    if not 0 < window_s <= LONGEST_WINDOW_S:
        raise ValueError(f"window_s: between 0 and {LONGEST_WINDOW_S:.0f} seconds")
    db.commit()
    if db.get_bind().dialect.name == "postgresql":
        at = time.time() if now is None else now
        hit_id, freeing = _take_in_one_go(db, key, limit, at - window_s, at)
        # the wait counts from when the answer came: hits taken while this one waited for
        # the lock are stamped later than it asked
        now = time.time() if now is None else now
    else:
        _lock_key(db, key, time.time() if now is None else now)
        now = time.time() if now is None else now  # after the wait for the lock: others hit
        hit_id = _hit_if_room(db, key, limit, now - window_s, now)
        freeing = None if hit_id is not None else _freeing(db, key, limit, now - window_s)
        db.commit()  # the key's lock goes with the transaction
    if hit_id is None:
        freeing = freeing if limit > 0 else None
        return Verdict(False, window_s if freeing is None else max(0.0, freeing + window_s - now))
    _prune_now_and_then(db, now)
    return Verdict(True, 0.0, hit_id)


# The key's hits older than its window go, and a hit is recorded if fewer than the limit
# remain in it, after the key is locked so its count sees every committed hit (SQLite: two
# statements; PostgreSQL: one, the DELETE a data-modifying CTE, below).
_FORGET_OLD_SQLITE = text("DELETE FROM rate_hits WHERE key = :key AND at_s <= :since")
_HIT_IF_ROOM_SQLITE = text(
    "INSERT INTO rate_hits (key, at_s) SELECT :key, :now "
    "WHERE (SELECT count(*) FROM rate_hits WHERE key = :key AND at_s > :since) < :limit "
    "RETURNING id"
)


def _hit_if_room(db: Session, key: str, limit: int, since: float, now: float) -> int | None:
    values = {"key": key, "now": now, "since": since, "limit": limit}
    db.connection().execute(_FORGET_OLD_SQLITE, values)
    return db.connection().execute(_HIT_IF_ROOM_SQLITE, values).scalar()


def _freeing(db: Session, key: str, limit: int, since: float) -> float | None:
    """When a place frees: the limit-th newest hit leaves the window then."""
    newest = (
        select(RateHitRow.at_s)
        .where(RateHitRow.key == key, col(RateHitRow.at_s) > since)
        .order_by(col(RateHitRow.at_s).desc())
        .offset(max(0, limit - 1))
        .limit(1)
    )
    return db.exec(newest).first()


# On PostgreSQL the lock, the hit, the look at when a place frees and the commit go to the
# server in one go (psycopg's pipeline): the key stays locked only while the server runs
# them, not for three round trips each waiting for a busy worker's interpreter. A class
# behind one address queued on that lock, and when its holders waited, the queue grew
# faster than it drained (sessions opened 2 s late). Each statement still takes its own
# snapshot once the one before it has run, so the count sees every hit committed before.
_LOCK_PG = (
    "INSERT INTO rate_keys (key, last_s) VALUES (%(key)s, %(now)s) "
    "ON CONFLICT (key) DO UPDATE SET last_s = EXCLUDED.last_s"
)
_HIT_IF_ROOM_PG = (
    "WITH gone AS (DELETE FROM rate_hits WHERE key = %(key)s AND at_s <= %(since)s) "
    "INSERT INTO rate_hits (key, at_s) SELECT %(key)s, %(now)s "
    "WHERE (SELECT count(*) FROM rate_hits WHERE key = %(key)s AND at_s > %(since)s) "
    "< %(limit)s RETURNING id"
)
_FREEING_PG = (
    "SELECT at_s FROM rate_hits WHERE key = %(key)s AND at_s > %(since)s "
    "ORDER BY at_s DESC OFFSET %(offset)s LIMIT 1"
)


def _take_in_one_go(
    db: Session, key: str, limit: int, since: float, now: float
) -> tuple[int | None, float | None]:
    raw = cast(psycopg.Connection[Any], db.connection().connection.driver_connection)
    values = {"key": key, "now": now, "since": since, "limit": limit, "offset": max(0, limit - 1)}
    with raw.pipeline():
        raw.execute(_LOCK_PG, values)
        hit = raw.execute(_HIT_IF_ROOM_PG, values)
        freeing = raw.execute(_FREEING_PG, values)
        raw.commit()
    db.commit()  # the session's own transaction: already over on the server, no round trip
    hit_row, freeing_row = hit.fetchone(), freeing.fetchone()
    return (
        None if hit_row is None else int(hit_row[0]),
        None if freeing_row is None else float(freeing_row[0]),
    )


def give_back(db: Session, hit_id: int | None) -> None:
    """Forget a hit that should not count after all (a sign-in that succeeded)."""
    if hit_id is not None:
        db.exec(delete(RateHitRow).where(col(RateHitRow.id) == hit_id))
        db.commit()


def hits(db: Session, *, key: str, window_s: float, now: float | None = None) -> int:
    """How many hits ``key`` has in the last ``window_s`` seconds."""
    since = (time.time() if now is None else now) - window_s
    query = select(func.count()).where(RateHitRow.key == key, col(RateHitRow.at_s) > since)
    return int(db.exec(query).one())


def prune(db: Session, *, now: float | None = None) -> int:
    """Delete every hit older than the longest window, and keys left without hits;
    returns the number of hits deleted. ``take`` calls it every PRUNE_EVERY hits."""
    cutoff = (time.time() if now is None else now) - LONGEST_WINDOW_S
    gone = db.exec(delete(RateHitRow).where(col(RateHitRow.at_s) <= cutoff))
    db.exec(delete(RateKeyRow).where(col(RateKeyRow.last_s) <= cutoff))
    db.commit()
    return int(gone.rowcount)


def _lock_key(db: Session, key: str, now: float) -> None:
    """Insert the key's row, or update it if it is there: either way it is locked now."""
    dialect = db.get_bind().dialect.name
    add = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RateKeyRow)
    upsert = add.values(key=key, last_s=now).on_conflict_do_update(
        index_elements=[RateKeyRow.key], set_={"last_s": now}
    )
    db.connection().execute(upsert)


def _prune_now_and_then(db: Session, now: float) -> None:
    global _taken_since_prune
    _taken_since_prune += 1
    if _taken_since_prune >= PRUNE_EVERY:
        _taken_since_prune = 0
        prune(db, now=now)
