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

from app.exercises.grading import grade, score
from app.exercises.questions import Question
from app.exercises.variants import variant_of, variant_questions
from app.sim import load_scenario
from app.store import exercises as repo
from app.store.models import AttemptRow, ExerciseRow

from ..deps import AppDep, ClientDep, DbDep

router = APIRouter(prefix="/x")
Alias = Annotated[str, Query(max_length=80)]
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


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
    alias = alias.strip()
    templates = iovlab.templates
    context: dict[str, Any] = {"exercise": exercise, "alias": alias, "closed": _closed(exercise)}
    if not alias:
        return templates.TemplateResponse(request, "exercise/alias.html", context)
    earlier = repo.attempts_of(db, exercise.id, alias)
    if earlier and not exercise.retries:
        return RedirectResponse(f"/x/{exercise.id}/a/{earlier[-1].token}", status_code=303)
    variant, questions = _questions(exercise, alias)
    context |= {
        "questions": questions,
        "variant": variant,
        "token": secrets.token_urlsafe(18),
        "earlier": earlier,
    }
    return templates.TemplateResponse(request, "exercise/take.html", context)


@router.post("/{exercise_id}/attempts")
async def submit(request: Request, db: DbDep, exercise_id: str) -> Response:
    exercise = _exercise(db, exercise_id)
    form = await request.form()
    alias = str(form.get("alias", "")).strip()[:80]
    token = str(form.get("token", ""))
    if not alias or not TOKEN.match(token):
        raise HTTPException(status_code=422, detail="alias and token: open the exercise link again")
    if _closed(exercise):
        raise HTTPException(
            status_code=409, detail="this exercise is closed: its due date has passed"
        )
    earlier = repo.attempts_of(db, exercise.id, alias)
    if earlier and not exercise.retries and all(a.token != token for a in earlier):
        return RedirectResponse(f"/x/{exercise.id}/a/{earlier[-1].token}", status_code=303)
    variant, questions = _questions(exercise, alias)
    answers = {
        f"q{i}.{f.name}": str(form.get(f"q{i}.{f.name}", ""))[:200]
        for i, q in enumerate(questions)
        for f in q.fields
    }
    results = [
        grade(q, {f.name: answers[f"q{i}.{f.name}"] for f in q.fields})
        for i, q in enumerate(questions)
    ]
    repo.save_attempt(
        db,
        exercise_id=exercise.id,
        token=token,
        alias=alias,
        variant=variant,
        answers=answers,
        results=[r.to_dict() for r in results],
        score=score(results),
    )
    return RedirectResponse(f"/x/{exercise.id}/a/{token}", status_code=303)


def _attempt(db: Session, exercise: ExerciseRow, token: str) -> AttemptRow:
    found = (
        [a for a in repo.attempts_of(db, exercise.id) if a.token == token]
        if TOKEN.match(token)
        else []
    )
    if not found:
        raise HTTPException(status_code=404, detail="no such attempt")
    return found[0]


@router.get("/{exercise_id}/a/{token}", response_class=HTMLResponse)
def result(request: Request, iovlab: AppDep, db: DbDep, exercise_id: str, token: str) -> Response:
    exercise = _exercise(db, exercise_id)
    attempt = _attempt(db, exercise, token)
    _, questions = _questions(exercise, attempt.alias)
    context = {
        "exercise": exercise,
        "attempt": attempt,
        "items": list(zip(questions, json.loads(attempt.results), strict=False)),
    }
    return iovlab.templates.TemplateResponse(request, "exercise/result.html", context)


@router.post("/{exercise_id}/a/{token}/watch/{number}")
def watch(
    iovlab: AppDep, client: ClientDep, db: DbDep, exercise_id: str, token: str, number: int
) -> Response:
    """Open the trace behind one question in a session of its own, at the hop that answers it."""
    exercise = _exercise(db, exercise_id)
    attempt = _attempt(db, exercise, token)
    _, questions = _questions(exercise, attempt.alias)
    if not 0 <= number < len(questions):
        raise HTTPException(status_code=404, detail="no such question")
    row = iovlab.sessions.open_question(db, client, exercise.source, questions[number])
    return RedirectResponse(f"/s/{row.id}", status_code=303)
