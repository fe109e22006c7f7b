"""Instructor pages: author exercises, read their results, move them between servers."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from app.exercises.questions import TEMPLATES, applicable
from app.sim import ScenarioError, load_scenario
from app.store import exercises as repo
from app.store.models import ExerciseRow, InstructorRow

from ..application import Iovlab
from ..deps import AppDep, DbDep, InstructorDep

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
    problems: list[str],
    status: int = 200,
) -> Response:
    exercises = repo.exercises_of(db, instructor.id or 0)
    counts = {e.id: len(repo.attempts_of(db, e.id)) for e in exercises}
    return iovlab.templates.TemplateResponse(
        request,
        "instructor/home.html",
        {
            "instructor": instructor,
            "exercises": exercises,
            "counts": counts,
            "shipped": iovlab.shipped,
            "templates": TEMPLATES,
            "problems": problems,
        },
        status_code=status,
    )


@router.get("", response_class=HTMLResponse)
def home(request: Request, iovlab: AppDep, db: DbDep, instructor: InstructorDep) -> Response:
    return _home(iovlab, request, db, instructor, [])


@router.post("/exercises")
async def create(
    request: Request, iovlab: AppDep, db: DbDep, instructor: InstructorDep
) -> Response:
    form = await request.form()
    problems: list[str] = []
    shipped = iovlab.shipped
    name = str(form.get("scenario", ""))
    source = str(form.get("scenario_yaml", "")).strip()
    if not source and name in shipped:
        source = shipped[name].source
    templates = [str(t) for t in form.getlist("templates") if str(t) in TEMPLATES]
    try:
        iovlab.sessions.check_size(source)
        scenario = load_scenario(source) if source else None
    except ScenarioError as error:
        scenario, problems = None, error.problems
    if scenario is None and not problems:
        problems.append("scenario: pick a shipped scenario or paste one")
    if scenario is not None:
        usable = applicable(scenario)
        problems += [
            f"templates: {t} ({TEMPLATES[t][0].lower()}) does not fit this scenario"
            for t in templates
            if t not in usable
        ]
    if not templates:
        problems.append("templates: choose at least one question template")
    variants = _integer(form.get("variants"), "variants", 1, 50, problems)
    due_at = _due(str(form.get("due_at", "")), problems)
    title = str(form.get("title", "")).strip()[:200] or (scenario.name if scenario else "")
    if problems or scenario is None:
        return _home(iovlab, request, db, instructor, problems, status=422)
    row = repo.create_exercise(
        db,
        instructor_id=instructor.id or 0,
        title=title,
        source=source,
        templates=templates,
        variants=variants,
        due_at=due_at,
        retries=form.get("retries") == "on",
    )
    return RedirectResponse(f"/instructor/exercises/{row.id}", status_code=303)


def _integer(value: Any, name: str, low: int, high: int, problems: list[str]) -> int:
    try:
        number = int(str(value))
    except ValueError:
        problems.append(f"{name}: a whole number from {low} to {high}, got {value!r}")
        return low
    if not low <= number <= high:
        problems.append(f"{name}: from {low} to {high}, got {number}")
    return number


def _due(value: str, problems: list[str]) -> datetime | None:
    if not value.strip():
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        problems.append(f"due_at: not a date and time: {value!r}")
        return None
    return due if due.tzinfo else due.replace(tzinfo=UTC)  # the form says: in UTC


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse)
def results(
    request: Request, iovlab: AppDep, db: DbDep, instructor: InstructorDep, exercise_id: str
) -> Response:
    exercise = _own(db, instructor, exercise_id)
    attempts = repo.attempts_of(db, exercise.id)
    context = {
        "exercise": exercise,
        "attempts": attempts,
        **summarize(exercise, attempts),
        "templates": TEMPLATES,
        "link": f"/x/{exercise.id}",
    }
    return iovlab.templates.TemplateResponse(request, "instructor/results.html", context)


def summarize(exercise: ExerciseRow, attempts: list[Any]) -> dict[str, Any]:
    """Success per template, and the commonest wrong answers grouped by stage of the path."""
    success: dict[str, list[bool]] = {t: [] for t in json.loads(exercise.templates)}
    wrong: dict[str, Counter[str]] = {}
    for attempt in attempts:
        for result in json.loads(attempt.results):
            success.setdefault(result["template"], []).append(result["correct"])
            for f in result["fields"]:
                if not f["correct"]:
                    given = f["given"] or "(blank)"
                    label = f"{result['template']}: {f['name']} = {given} (right: {f['expected']})"
                    wrong.setdefault(result["stage"], Counter())[label] += 1
    rates = {t: (sum(v) / len(v) if v else None, len(v)) for t, v in success.items()}
    common = {stage: counter.most_common(5) for stage, counter in sorted(wrong.items())}
    return {"rates": rates, "common": common}


@router.get("/exercises/{exercise_id}/results.csv")
def results_csv(db: DbDep, instructor: InstructorDep, exercise_id: str) -> Response:
    exercise = _own(db, instructor, exercise_id)
    templates = json.loads(exercise.templates)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["alias", "variant", "score", "submitted_at", *templates])
    for attempt in repo.attempts_of(db, exercise.id):
        by_template = {r["template"]: int(r["correct"]) for r in json.loads(attempt.results)}
        writer.writerow(
            [
                attempt.alias,
                attempt.variant + 1,
                f"{attempt.score:.3f}",
                attempt.submitted_at.isoformat(),
                *(by_template.get(t, "") for t in templates),
            ]
        )
    return Response(
        out.getvalue(),
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
    }
    return JSONResponse(
        document,
        headers={"Content-Disposition": f'attachment; filename="exercise-{exercise.id}.json"'},
    )


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
        document = json.loads(raw)
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
        )
    except ScenarioError as error:
        problems = [f"scenario: {p}" for p in error.problems]
    except (ValueError, KeyError, TypeError) as error:
        problems = [f"the file is not an exported exercise: {error}"]
    if problems:
        return _home(iovlab, request, db, instructor, problems, status=422)
    return RedirectResponse(f"/instructor/exercises/{row.id}", status_code=303)
