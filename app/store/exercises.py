"""The exercise repository: exercises, and the attempts students submit."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .db import write_first
from .models import AttemptRow, ExerciseRow

ALIAS_LENGTH = 80
SAVE_TRIES = 50


def normalise_alias(alias: str) -> str:
    """The one form of an alias that is stored and compared: ``"  Ａlice   SMITH "`` and
    ``"alice smith"`` are one student. NFKC folds look-alike forms (full-width letters,
    ligatures, non-breaking spaces), casefold folds case (ß → ss) and is normalised again,
    runs of white space become one space, and the result is cut to 80 characters."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", alias).casefold())
    return " ".join(folded.split())[:ALIAS_LENGTH].strip()


class NoAttemptsLeft(Exception):
    """The alias has used every attempt the exercise allows."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        super().__init__(f"this alias has used its {allowed} attempt(s) at this exercise")


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
    settings: str = "",
    exercise_id: str | None = None,
) -> ExerciseRow:
    row = ExerciseRow(
        id=exercise_id or secrets.token_urlsafe(12),
        instructor_id=instructor_id,
        title=title,
        source=source,
        templates=json.dumps(templates),
        variants=variants,
        due_at=due_at,
        retries=retries,
        settings=settings,
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
    """Every attempt at an exercise (the instructor's view), or one alias's, in order."""
    query = select(AttemptRow).where(AttemptRow.exercise_id == exercise_id)
    if alias is not None:
        query = query.where(AttemptRow.alias == normalise_alias(alias))
    return list(db.exec(query.order_by(col(AttemptRow.submitted_at), col(AttemptRow.id))))


def count_attempts(db: Session, exercise_id: str, alias: str) -> int:
    query = select(func.count()).where(
        AttemptRow.exercise_id == exercise_id, AttemptRow.alias == normalise_alias(alias)
    )
    return int(db.exec(query).one())


def attempt_for(db: Session, exercise_id: str, token: str, secret: str) -> AttemptRow | None:
    """An attempt, to the browser that submitted it: ``secret`` must be the one it was saved
    with. Anyone else, and any attempt saved without a secret, gets None."""
    row = _by_token(db, exercise_id, token)
    if row is None or row.secret_hash is None:
        return None
    return row if hmac.compare_digest(row.secret_hash, _hash(secret)) else None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def get_attempt(db: Session, exercise_id: str, attempt_id: int) -> AttemptRow | None:
    row = db.get(AttemptRow, attempt_id)
    return row if row is not None and row.exercise_id == exercise_id else None


def save_attempt(
    db: Session,
    *,
    exercise_id: str,
    token: str,
    secret: str,
    alias: str,
    allowed: int,
    variant: int,
    answers: dict[str, Any],
    results: list[dict[str, Any]],
    score: float,
) -> AttemptRow:
    """Store an attempt at once, as the alias's next (NoAttemptsLeft past ``allowed``).

    ``secret`` is a random string (16 characters or more) the submitting browser holds:
    only it opens the result (``attempt_for``); only its hash is stored. The same form
    (``token``) submitted twice with the same secret returns the first attempt.

    An attempt is numbered 1, 2... per (exercise, alias), the number unique: attempts sent
    at once under one alias take numbers one by one, and none past ``allowed`` is written.
    """
    if len(secret) < 16:
        raise ValueError("secret: at least 16 random characters")
    alias = normalise_alias(alias)
    if not alias:
        raise ValueError("alias: empty once normalised")
    for _ in range(SAVE_TRIES):
        write_first(db)
        # counted before the token is looked up: a twin of this form committed in between is
        # then found by its token, never mistaken for an earlier attempt of the alias
        number = count_attempts(db, exercise_id, alias) + 1
        existing = _by_token(db, exercise_id, token)
        if existing is not None:
            db.commit()  # gives the write lock back (SQLite); existing stays readable
            if existing.secret_hash is not None and hmac.compare_digest(
                existing.secret_hash, _hash(secret)
            ):
                return existing
            raise NoAttemptsLeft(allowed)  # another browser's form: not this one's to repeat
        if number > allowed:
            db.rollback()
            raise NoAttemptsLeft(allowed)
        row = AttemptRow(
            exercise_id=exercise_id,
            token=token,
            alias=alias,
            number=number,
            secret_hash=_hash(secret),
            variant=variant,
            answers=json.dumps(answers),
            results=json.dumps(results),
            score=score,
        )
        db.add(row)
        try:
            db.commit()
        except IntegrityError:  # this number or this token was taken meanwhile: look again
            db.rollback()
            continue
        return row
    raise TimeoutError(f"exercise {exercise_id}: {SAVE_TRIES} attempts arrived at once")


def _by_token(db: Session, exercise_id: str, token: str) -> AttemptRow | None:
    query = select(AttemptRow).where(
        AttemptRow.exercise_id == exercise_id, AttemptRow.token == token
    )
    return db.exec(query).first()
