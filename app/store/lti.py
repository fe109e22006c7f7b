"""The LTI repository: the library's short-lived values, launches, and scores sent back."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from .models import LtiLaunchRow, LtiScoreRow, LtiValueRow


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


def get_launch(db: Session, launch_id: str) -> LtiLaunchRow | None:
    return db.get(LtiLaunchRow, launch_id)


def record_score(
    db: Session, attempt_id: int, launch_id: str, posted_at: datetime | None, error: str
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
