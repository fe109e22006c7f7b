"""The exercise repository: exercises, and the attempts students submit."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .models import AttemptRow, ExerciseRow


def create_exercise(
    db: Session,
    *,
    instructor_id: int,
    title: str,
    source: str,
    templates: list[str],
    variants: int,
    due_at: datetime | None,
    retries: bool,
) -> ExerciseRow:
    row = ExerciseRow(
        id=secrets.token_urlsafe(12),
        instructor_id=instructor_id,
        title=title,
        source=source,
        templates=json.dumps(templates),
        variants=variants,
        due_at=due_at,
        retries=retries,
    )
    db.add(row)
    db.commit()
    return row


def get_exercise(db: Session, exercise_id: str) -> ExerciseRow | None:
    return db.get(ExerciseRow, exercise_id)


def exercises_of(db: Session, instructor_id: int) -> list[ExerciseRow]:
    query = select(ExerciseRow).where(ExerciseRow.instructor_id == instructor_id)
    return list(db.exec(query.order_by(col(ExerciseRow.created_at).desc())))


def attempts_of(db: Session, exercise_id: str, alias: str | None = None) -> list[AttemptRow]:
    query = select(AttemptRow).where(AttemptRow.exercise_id == exercise_id)
    if alias is not None:
        query = query.where(AttemptRow.alias == alias)
    return list(db.exec(query.order_by(col(AttemptRow.submitted_at))))


def get_attempt(db: Session, exercise_id: str, attempt_id: int) -> AttemptRow | None:
    row = db.get(AttemptRow, attempt_id)
    return row if row is not None and row.exercise_id == exercise_id else None


def save_attempt(
    db: Session,
    *,
    exercise_id: str,
    token: str,
    alias: str,
    variant: int,
    answers: dict[str, Any],
    results: list[dict[str, Any]],
    score: float,
) -> AttemptRow:
    """Store an attempt at once; the same form submitted twice returns the first."""
    existing = _by_token(db, exercise_id, token)
    if existing is not None:
        return existing
    row = AttemptRow(
        exercise_id=exercise_id,
        token=token,
        alias=alias,
        variant=variant,
        answers=json.dumps(answers),
        results=json.dumps(results),
        score=score,
    )
    db.add(row)
    try:
        db.commit()
    except IntegrityError:  # the same token committed by a concurrent request
        db.rollback()
        found = _by_token(db, exercise_id, token)
        assert found is not None
        return found
    return row


def _by_token(db: Session, exercise_id: str, token: str) -> AttemptRow | None:
    query = select(AttemptRow).where(
        AttemptRow.exercise_id == exercise_id, AttemptRow.token == token
    )
    return db.exec(query).first()
