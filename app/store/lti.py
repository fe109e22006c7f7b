"""The LTI repository: the library's short-lived values, launches, and scores sent back.

Nothing here is kept for long. A value the library keeps between the OIDC login and
the launch (a state, a nonce) or a deep-linking choice lives until its expiry; a
launch opens its student's pages for ``LAUNCH_HOURS``, after which the student opens
the exercise from the LMS again (a new launch, the same student, their attempts kept).
Both are deleted once past, every time a launch is stored, so the tables hold only
what is current however many launches an LMS makes.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .models import LtiLaunchRow, LtiScoreRow, LtiValueRow

# A day: long enough to answer an exercise opened in the evening the next morning; a
# launch's address is as good as the student's LMS sign-in while it lasts.
LAUNCH_HOURS = 24


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(when: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time stored here is UTC.
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class LtiValues:
    """Keys with an expiry, shared by every worker (the OIDC nonce is made by one, checked by
    another). Expired values are swept when a new one is stored."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def get(self, key: str) -> Any:
        row = self.db.get(LtiValueRow, key)
        if row is None or _aware(row.expires_at) <= _now():
            return None
        return json.loads(row.value)

    def set(self, key: str, value: Any, seconds: int) -> None:
        self.db.exec(delete(LtiValueRow).where(LtiValueRow.expires_at <= _now()))  # type: ignore[arg-type]
        row = self.db.get(LtiValueRow, key) or LtiValueRow(key=key, value="", expires_at=_now())
        row.value = json.dumps(value)
        row.expires_at = _now() + timedelta(seconds=seconds)
        self.db.add(row)
        self.db.commit()

    def take(self, key: str) -> bool:
        """Remove a key; True only for the one caller that removed it (a nonce is used once)."""
        result = self.db.exec(delete(LtiValueRow).where(LtiValueRow.key == key))  # type: ignore[arg-type]
        self.db.commit()
        return bool(result.rowcount)


def save_launch(
    db: Session,
    *,
    exercise_id: str,
    issuer: str,
    client_id: str,
    subject: str,
    name: str,
    ags: dict[str, Any],
) -> LtiLaunchRow:
    prune(db)
    row = LtiLaunchRow(
        id=secrets.token_urlsafe(18),
        exercise_id=exercise_id,
        issuer=issuer,
        client_id=client_id,
        subject=subject,
        name=name[:200],
        ags=json.dumps(ags),
    )
    db.add(row)
    db.commit()
    return row


def get_launch(db: Session, launch_id: str, now: datetime | None = None) -> LtiLaunchRow | None:
    """The launch under ``launch_id`` while it is open (for ``LAUNCH_HOURS``)."""
    row = db.get(LtiLaunchRow, launch_id)
    if row is None or _aware(row.created_at) <= _launched_since(now):
        return None
    return row


@dataclass(frozen=True, slots=True)
class Pruned:
    values: int
    launches: int


def prune(db: Session, *, now: datetime | None = None) -> Pruned:
    """Delete expired values and the launches past ``LAUNCH_HOURS``; the scores sent for a
    deleted launch stay with their attempts (the student and the instructor still see
    whether the gradebook took them), no longer pointing at it."""
    moment = now or _now()
    cutoff = _launched_since(moment)
    values = db.exec(delete(LtiValueRow).where(col(LtiValueRow.expires_at) <= moment))
    old = select(LtiLaunchRow.id).where(col(LtiLaunchRow.created_at) <= cutoff)
    unlink = update(LtiScoreRow).where(col(LtiScoreRow.launch_id).in_(old)).values(launch_id=None)
    db.exec(unlink)
    launches = db.exec(delete(LtiLaunchRow).where(col(LtiLaunchRow.created_at) <= cutoff))
    try:
        db.commit()
    except IntegrityError:  # a score recorded for an old launch this moment: prune next time
        db.rollback()
        return Pruned(0, 0)
    return Pruned(int(values.rowcount), int(launches.rowcount))


def _launched_since(now: datetime | None) -> datetime:
    return (now or _now()) - timedelta(hours=LAUNCH_HOURS)


def record_score(
    db: Session, attempt_id: int, launch_id: str | None, posted_at: datetime | None, error: str
) -> LtiScoreRow:
    row = db.get(LtiScoreRow, attempt_id) or LtiScoreRow(attempt_id=attempt_id, launch_id=launch_id)
    row.posted_at = posted_at
    row.error = error[:500]
    db.add(row)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise
    return row


def score_of(db: Session, attempt_id: int) -> LtiScoreRow | None:
    return db.get(LtiScoreRow, attempt_id)


def scores_of(db: Session, attempt_ids: list[int]) -> dict[int, LtiScoreRow]:
    """The scores sent to a gradebook for these attempts (those launched from an LMS)."""
    if not attempt_ids:
        return {}
    found = db.exec(select(LtiScoreRow).where(col(LtiScoreRow.attempt_id).in_(attempt_ids)))
    return {row.attempt_id: row for row in found}
