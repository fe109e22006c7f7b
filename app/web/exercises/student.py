"""Students: open an exercise link, give an alias, answer, and see why."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.exercises.attempts import submit as submit_answers
from app.exercises.questions import Question
from app.exercises.settings import load_settings
from app.exercises.variants import variant_of, variant_questions
from app.sim import load_scenario
from app.store import exercises as repo
from app.store.models import AttemptRow, ExerciseRow

from ..deps import AppDep, ClientDep, DbDep, form_fields

router = APIRouter(prefix="/x")
Alias = Annotated[str, Query(max_length=80)]
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ATTEMPTS_WITH_RETRIES = 10
SECRET = "attempt_secret"  # the browser's own: it alone opens the results it submitted


def _secret(request: Request) -> str:
    secret = request.session.get(SECRET)
    if not isinstance(secret, str) or len(secret) < 16:
        secret = secrets.token_urlsafe(18)
        request.session[SECRET] = secret
    return secret


def _allowed(exercise: ExerciseRow) -> int:
    return ATTEMPTS_WITH_RETRIES if exercise.retries else 1


def _used_up(request: Request, db: Session, exercise: ExerciseRow, alias: str) -> Response:
    """Back to this browser's own latest result, if it holds one; else a clear refusal."""
    secret = _secret(request)
    for earlier in reversed(repo.attempts_of(db, exercise.id, alias)):
        if repo.attempt_for(db, exercise.id, earlier.token, secret) is not None:
            return RedirectResponse(f"/x/{exercise.id}/a/{earlier.token}", status_code=303)
    raise HTTPException(status_code=409, detail="this alias has used its attempts at this exercise")


def _exercise(db: Session, exercise_id: str) -> ExerciseRow:
    row = repo.get_exercise(db, exercise_id) if len(exercise_id) <= 40 else None
    if row is None:
        raise HTTPException(status_code=404, detail="no such exercise")
    return row


def _questions(exercise: ExerciseRow, alias: str) -> tuple[int, list[Question]]:
    variant = variant_of(exercise.id, alias, exercise.variants)
    scenario = load_scenario(exercise.source)
    return variant, variant_questions(
        scenario, json.loads(exercise.templates), exercise.id, variant
    )


def _closed(exercise: ExerciseRow) -> bool:
    due = exercise.due_at
    if due is None:
        return False
    return datetime.now(UTC) > (due if due.tzinfo else due.replace(tzinfo=UTC))


@router.get("/{exercise_id}", response_class=HTMLResponse)
def take(
    request: Request, iovlab: AppDep, db: DbDep, exercise_id: str, alias: Alias = ""
) -> Response:
    exercise = _exercise(db, exercise_id)
    alias = repo.normalise_alias(alias)
    templates = iovlab.templates
    context: dict[str, Any] = {"exercise": exercise, "alias": alias, "closed": _closed(exercise)}
    if not alias:
        return templates.TemplateResponse(request, "exercise/alias.html", context)
    earlier = repo.attempts_of(db, exercise.id, alias)
    if len(earlier) >= _allowed(exercise):
        return _used_up(request, db, exercise, alias)
    variant, questions = _questions(exercise, alias)
    context |= {
        "questions": questions,
        "variant": variant,
        "token": secrets.token_urlsafe(18),
        "earlier": earlier,
        "settings": load_settings(exercise.settings),
    }
    return templates.TemplateResponse(request, "exercise/take.html", context)


@router.post("/{exercise_id}/attempts")
async def submit(request: Request, iovlab: AppDep, db: DbDep, exercise_id: str) -> Response:
    exercise = _exercise(db, exercise_id)
    form = await form_fields(request)
    alias = repo.normalise_alias(str(form.get("alias", "")))
    token = str(form.get("token", ""))
    if not alias or not TOKEN.match(token):
        raise HTTPException(status_code=422, detail="alias and token: open the exercise link again")
    if _closed(exercise):
        raise HTTPException(
            status_code=409, detail="this exercise is closed: its due date has passed"
        )
    variant, questions = _questions(exercise, alias)
    settings = load_settings(exercise.settings)
    done = submit_answers(questions, {k: str(v) for k, v in form.items()}, settings)
    if done.refused:  # not answers yet: the form again, as typed, with what to fix
        context = {
            "exercise": exercise,
            "alias": alias,
            "closed": False,
            "questions": questions,
            "settings": settings,
            "token": token,
            "problems": done.problems,
            "answers": done.answers,
        }
        return iovlab.templates.TemplateResponse(
            request, "exercise/take.html", context, status_code=422
        )
    try:
        repo.save_attempt(
            db,
            exercise_id=exercise.id,
            token=token,
            secret=_secret(request),
            alias=alias,
            allowed=_allowed(exercise),
            variant=variant,
            answers=done.answers,
            results=[r.to_dict() for r in done.results],
            score=done.score,
        )
    except repo.NoAttemptsLeft:
        return _used_up(request, db, exercise, alias)
    return RedirectResponse(f"/x/{exercise.id}/a/{token}", status_code=303)


def _attempt(request: Request, db: Session, exercise: ExerciseRow, token: str) -> AttemptRow:
    """An attempt, shown only to the browser that submitted it."""
    found = (
        repo.attempt_for(db, exercise.id, token, _secret(request)) if TOKEN.match(token) else None
    )
    if found is None:
        raise HTTPException(status_code=404, detail="no such attempt")
    return found


@router.get("/{exercise_id}/a/{token}", response_class=HTMLResponse)
def result(request: Request, iovlab: AppDep, db: DbDep, exercise_id: str, token: str) -> Response:
    exercise = _exercise(db, exercise_id)
    attempt = _attempt(request, db, exercise, token)
    _, questions = _questions(exercise, attempt.alias)
    context = {
        "exercise": exercise,
        "attempt": attempt,
        "items": list(zip(questions, json.loads(attempt.results), strict=False)),
    }
    return iovlab.templates.TemplateResponse(request, "exercise/result.html", context)


@router.post("/{exercise_id}/a/{token}/watch/{number}")
def watch(
    request: Request,
    iovlab: AppDep,
    client: ClientDep,
    db: DbDep,
    exercise_id: str,
    token: str,
    number: int,
) -> Response:
    """Open the trace behind one question in a session of its own, at the hop that answers it."""
    exercise = _exercise(db, exercise_id)
    attempt = _attempt(request, db, exercise, token)
    _, questions = _questions(exercise, attempt.alias)
    if not 0 <= number < len(questions):
        raise HTTPException(status_code=404, detail="no such question")
    row = iovlab.sessions.open_question(db, client, exercise.source, questions[number])
    return RedirectResponse(f"/s/{row.id}", status_code=303)
