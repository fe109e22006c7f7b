"""Instructor pages: author exercises, read their results, move them between servers."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.exercises.authoring import Draft, check, default_draft, preview, read_draft
from app.exercises.questions import TEMPLATES, applicable
from app.exercises.report import AttemptView, points, results_rows, summarize, to_csv
from app.exercises.settings import dump_settings, load_settings, parse_settings
from app.exercises.variants import student_questions
from app.sim import ScenarioError, load_scenario
from app.sim.parsing import parse_json
from app.store import exercises as repo
from app.store import lti as lti_repo
from app.store.models import AttemptRow, ExerciseRow, InstructorRow

from ..application import Iovlab
from ..deps import AppDep, DbDep, InstructorDep, form_fields

router = APIRouter(prefix="/instructor")
EXPORT_FORMAT = "iovlab-exercise/1"


def _own(db: Session, instructor: InstructorRow, exercise_id: str) -> ExerciseRow:
    row = repo.get_exercise(db, exercise_id)
    if row is None or row.instructor_id != instructor.id:
        raise HTTPException(status_code=404, detail="no such exercise")
    return row


def _home(
    iovlab: Iovlab,
    request: Request,
    db: Session,
    instructor: InstructorRow,
    draft: Draft,
    problems: list[str],
    shown: list[tuple[str, str, str]] | None = None,
    status: int = 200,
) -> Response:
    exercises = repo.exercises_of(db, instructor.id or 0)
    counts = {e.id: len(repo.attempts_of(db, e.id)) for e in exercises}
    shipped = iovlab.shipped
    return iovlab.templates.TemplateResponse(
        request,
        "instructor/home.html",
        {
            "instructor": instructor,
            "exercises": exercises,
            "counts": counts,
            "shipped": shipped,
            "templates": TEMPLATES,
            "fits": {name: applicable(s.scenario) for name, s in shipped.items()},
            "problems": problems,
            "draft": draft,
            "preview": shown,
        },
        status_code=status,
    )


def _fresh(iovlab: Iovlab) -> Draft:
    scenarios = {name: s.scenario for name, s in iovlab.shipped.items()}
    return default_draft(scenarios, secrets.token_urlsafe(12))


@router.get("", response_class=HTMLResponse)
def home(request: Request, iovlab: AppDep, db: DbDep, instructor: InstructorDep) -> Response:
    return _home(iovlab, request, db, instructor, _fresh(iovlab), [])


@router.post("/exercises")
async def create(
    request: Request, iovlab: AppDep, db: DbDep, instructor: InstructorDep
) -> Response:
    """Preview or publish the form; a problem shows the form again as it was typed."""
    form = await form_fields(request)
    fields = {k: str(v) for k, v in form.items() if k != "templates"}
    ticked = [str(t) for t in form.getlist("templates")]
    draft = read_draft(fields, ticked, secrets.token_urlsafe(12))
    sources = {name: s.source for name, s in iovlab.shipped.items()}
    ready, problems = check(draft, sources, iovlab.sessions.max_scenario_bytes)
    if ready is None:
        return _home(iovlab, request, db, instructor, draft, problems, status=422)
    if fields.get("action") == "preview":
        return _home(iovlab, request, db, instructor, draft, [], preview(ready))
    existing = repo.get_exercise(db, ready.id)
    if existing is None:
        try:
            existing = repo.create_exercise(
                db,
                instructor_id=instructor.id or 0,
                title=ready.title,
                source=ready.source,
                templates=ready.templates,
                variants=ready.variants,
                due_at=ready.due_at,
                retries=ready.retries,
                settings=dump_settings(ready.settings),
                exercise_id=ready.id,
            )
        except IntegrityError:  # the same form published twice at once: one exercise
            db.rollback()
            existing = repo.get_exercise(db, ready.id)
    if existing is None or existing.instructor_id != instructor.id:
        raise HTTPException(status_code=409, detail="publish again from a fresh form")
    return RedirectResponse(f"/instructor/exercises/{existing.id}", status_code=303)


def _due(value: str, problems: list[str]) -> datetime | None:
    if not value.strip():
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        problems.append(f"due_at: not a date and time: {value!r}")
        return None
    return due if due.tzinfo else due.replace(tzinfo=UTC)  # the form says: in UTC


def _views(attempts: list[AttemptRow]) -> list[AttemptView]:
    return [AttemptView(a.alias, a.score, a.submitted_at, json.loads(a.results)) for a in attempts]


def _points(view: AttemptView) -> tuple[float, float]:
    """(earned, possible) of one attempt."""
    found = [points(r) for r in view.results]
    return sum(e for e, _ in found), sum(p for _, p in found)


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse)
def results(
    request: Request, iovlab: AppDep, db: DbDep, instructor: InstructorDep, exercise_id: str
) -> Response:
    exercise = _own(db, instructor, exercise_id)
    attempts = repo.attempts_of(db, exercise.id)
    views = _views(attempts)
    context = {
        "exercise": exercise,
        "rows": [(a, v, _points(v)) for a, v in zip(attempts, views, strict=True)],
        "summary": summarize(json.loads(exercise.templates), views),
        "templates": TEMPLATES,
        "settings": load_settings(exercise.settings),
        "link": f"/x/{exercise.id}",
        # attempts launched from an LMS: whether its gradebook took the score
        "gradebook": lti_repo.scores_of(db, [a.id for a in attempts if a.id is not None]),
    }
    return iovlab.templates.TemplateResponse(request, "instructor/results.html", context)


@router.get("/exercises/{exercise_id}/attempts/{attempt_id}", response_class=HTMLResponse)
def one_attempt(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    instructor: InstructorDep,
    exercise_id: str,
    attempt_id: int,
) -> Response:
    """One student's attempt: each question, their answers, right or wrong, and why."""
    exercise = _own(db, instructor, exercise_id)
    attempt = repo.get_attempt(db, exercise.id, attempt_id)
    if attempt is None:
        raise HTTPException(status_code=404, detail="no such attempt")
    templates = json.loads(exercise.templates)
    _, questions = student_questions(
        exercise.source, templates, exercise.id, exercise.variants, attempt.alias
    )
    context = {
        "exercise": exercise,
        "attempt": attempt,
        "items": list(zip(questions, json.loads(attempt.results), strict=False)),
        "points": _points(_views([attempt])[0]),
    }
    return iovlab.templates.TemplateResponse(request, "instructor/attempt.html", context)


@router.get("/exercises/{exercise_id}/results.csv")
def results_csv(db: DbDep, instructor: InstructorDep, exercise_id: str) -> Response:
    exercise = _own(db, instructor, exercise_id)
    views = _views(repo.attempts_of(db, exercise.id))
    return Response(
        to_csv(results_rows(json.loads(exercise.templates), views)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="results-{exercise.id}.csv"'},
    )


@router.get("/exercises/{exercise_id}/export")
def export(db: DbDep, instructor: InstructorDep, exercise_id: str) -> Response:
    exercise = _own(db, instructor, exercise_id)
    document = {
        "format": EXPORT_FORMAT,
        "title": exercise.title,
        "scenario": exercise.source,
        "templates": json.loads(exercise.templates),
        "variants": exercise.variants,
        "due_at": exercise.due_at.isoformat() if exercise.due_at else None,
        "retries": exercise.retries,
        "settings": json.loads(exercise.settings) if exercise.settings else {},
    }
    return JSONResponse(
        document,
        headers={"Content-Disposition": f'attachment; filename="exercise-{exercise.id}.json"'},
    )


def _exported(raw: bytes) -> object:
    """The uploaded file read as the scenarios are: Infinity, NaN, a number of thousands of
    digits, a NUL or deep nesting is a problem to show, never a 500."""
    try:
        return parse_json(raw)
    except ScenarioError as error:
        raise ValueError("; ".join(error.problems)) from None


@router.post("/exercises/import")
async def import_exercise(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    instructor: InstructorDep,
    upload: Annotated[UploadFile, Form()],
) -> Response:
    raw = await upload.read(iovlab.sessions.max_scenario_bytes * 2)
    problems: list[str] = []
    try:
        document = _exported(raw)
        if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
            raise ValueError(f"format: expected {EXPORT_FORMAT!r}")
        iovlab.sessions.check_size(str(document["scenario"]))
        scenario = load_scenario(str(document["scenario"]))
        templates = [t for t in document["templates"] if t in applicable(scenario)]
        if not templates:
            raise ValueError("templates: none of them fits the scenario")
        row = repo.create_exercise(
            db,
            instructor_id=instructor.id or 0,
            title=str(document.get("title") or scenario.name)[:200],
            source=str(document["scenario"]),
            templates=templates,
            variants=max(1, min(50, int(document.get("variants", 4)))),
            due_at=_due(str(document.get("due_at") or ""), problems),
            retries=bool(document.get("retries", False)),
            settings=_imported_settings(document.get("settings"), templates, problems),
        )
    except ScenarioError as error:
        problems = [f"scenario: {p}" for p in error.problems]
    except (ValueError, KeyError, TypeError, OverflowError) as error:
        problems = [f"the file is not an exported exercise: {error}"]
    if problems:
        return _home(iovlab, request, db, instructor, _fresh(iovlab), problems, status=422)
    return RedirectResponse(f"/instructor/exercises/{row.id}", status_code=303)


def _imported_settings(value: Any, templates: list[str], problems: list[str]) -> str:
    """An exported exercise's per-question settings, checked like the form's."""
    if not isinstance(value, dict):
        return ""
    flat = {
        f"{key}.{t}": str(v if key != "partial" else ("on" if v else "off"))
        for t, chosen in value.items()
        if isinstance(chosen, dict) and t in templates
        for key, v in chosen.items()
        if key in {"points", "tolerance", "partial"} and v is not None
    }
    return dump_settings(parse_settings(flat, templates, problems))
