"""LTI 1.3 routes: an LMS starts a launch here, and its student takes the exercise.

The LTI work is in app/lti (pylti1p3 and its adapter); these routes hand it the
request's values and answer with what it says. A launch is one of three: a student
opens an exercise (here); an instructor opens one, or picks one to add to the course
(Deep Linking), both in ``lti_instructor``. Without ``IOVLAB_LTI_CONFIG`` every
route here is a 404.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pylti1p3.tool_config.json_file import ToolConfJsonFile
from sqlmodel import Session

from app.exercises.attempts import points_of, submit
from app.exercises.question import Question
from app.exercises.settings import load_settings
from app.exercises.variants import is_closed, student_questions
from app.lti import deep_linking
from app.lti.adapter import Cookie
from app.lti.tool import LaunchFacts, LtiError, launch, login, post_score, tool_jwks
from app.store import exercises as repo
from app.store import lti as lti_repo
from app.store.models import AttemptRow, ExerciseRow, LtiLaunchRow

from ..application import Iovlab
from ..deps import AppDep, DbDep, form_fields
from .lms import config_of, incoming, refused, set_cookies

router = APIRouter(prefix="/lti")

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # one per opened form, as on /x/
ATTEMPTS_WITH_RETRIES = 10  # as on /x/


def questions_of(exercise: ExerciseRow, alias: str) -> tuple[int, list[Question]]:
    templates = json.loads(exercise.templates)
    return student_questions(exercise.source, templates, exercise.id, exercise.variants, alias)


def closed(exercise: ExerciseRow) -> bool:
    return is_closed(exercise.due_at, datetime.now(UTC))


@router.get("/jwks.json")
def jwks(iovlab: AppDep) -> Response:
    return JSONResponse(tool_jwks(config_of(iovlab)))


@router.get("/login")
@router.post("/login")  # an LMS may initiate either way
async def oidc_login(request: Request, iovlab: AppDep, db: DbDep) -> Response:
    config = config_of(iovlab)
    launch_url = str(request.url_for("lti_launch"))
    try:
        redirect = login(config, lti_repo.LtiValues(db), await incoming(request), launch_url)
    except LtiError as error:
        return refused(iovlab, request, str(error))
    response = RedirectResponse(redirect.url, status_code=302)
    set_cookies(response, redirect.cookies)
    return response


@router.post("/launch", name="lti_launch")
async def lti_launch(request: Request, iovlab: AppDep, db: DbDep) -> Response:
    config = config_of(iovlab)
    sent = await incoming(request)
    values = lti_repo.LtiValues(db)
    try:  # the LMS's keys are fetched over the network: not on the event loop
        facts = await to_thread.run_sync(launch, config, values, sent)
    except LtiError as error:
        return refused(iovlab, request, str(error))
    if facts.is_deep_link:
        return _picking(iovlab, request, values, facts, sent.secure)
    exercise = repo.get_exercise(db, facts.exercise or "")
    if exercise is None:
        message = f"the link names no exercise of this server ({facts.exercise or 'none'})"
        return refused(iovlab, request, message)
    if facts.staff:  # the course's instructor: the results, not an attempt of their own
        return RedirectResponse(f"/lti/teach/{exercise.id}", status_code=303)
    row = lti_repo.save_launch(
        db,
        exercise_id=exercise.id,
        issuer=facts.issuer,
        client_id=facts.client_id,
        subject=facts.subject,
        name=facts.name,
        ags=facts.ags,
    )
    return RedirectResponse(f"/lti/x/{row.id}", status_code=303)


def _picking(
    iovlab: Iovlab, request: Request, values: lti_repo.LtiValues, facts: LaunchFacts, secure: bool
) -> Response:
    """A deep-linking request: kept while the instructor signs in and picks an exercise, for
    this browser alone (a cookie only the picking's own pages receive)."""
    if not facts.staff:
        message = "only instructors of the course add activities, and the LMS says you are not one"
        return refused(iovlab, request, message, status=403, title="Instructors only")
    picking = deep_linking.start(values, facts)
    response = RedirectResponse(f"/lti/pick/{picking.id}", status_code=303)
    cookie = Cookie(deep_linking.COOKIE, picking.browser, deep_linking.PICK_SECONDS, secure)
    set_cookies(response, [cookie], path=f"/lti/pick/{picking.id}")
    return response


def lms_alias(row: LtiLaunchRow) -> str:
    """The student's name in the LMS and a mark of their LMS account (one name, two people,
    two aliases): what the results page and the CSV show."""
    mark = hashlib.sha256(f"{row.issuer}\0{row.subject}".encode()).hexdigest()[:6]
    return repo.normalise_alias(f"{row.name[:60]} #{mark}")  # as every alias is stored


def _launched(db: Session, launch_id: str) -> tuple[LtiLaunchRow, ExerciseRow]:
    row = lti_repo.get_launch(db, launch_id) if len(launch_id) <= 40 else None
    exercise = repo.get_exercise(db, row.exercise_id) if row else None
    if row is None or exercise is None:
        detail = "no such launch, or it is over (a launch lasts a day): open it from the LMS again"
        raise HTTPException(status_code=404, detail=detail)
    return row, exercise


def _take(
    iovlab: Iovlab,
    request: Request,
    db: Session,
    row: LtiLaunchRow,
    exercise: ExerciseRow,
    problems: dict[int, list[str]] | None = None,
    answers: dict[str, str] | None = None,
    token: str | None = None,
) -> Response:
    alias = lms_alias(row)
    _, questions = questions_of(exercise, alias)
    context: dict[str, Any] = {
        "exercise": exercise,
        "alias": row.name,
        "closed": closed(exercise),
        "questions": questions,
        "settings": load_settings(exercise.settings),
        "token": token or secrets.token_urlsafe(18),
        "action": f"/lti/x/{row.id}/attempts",
        "problems": problems or {},
        "answers": answers or {},
        "earlier": repo.attempts_of(db, exercise.id, alias),
    }
    return iovlab.templates.TemplateResponse(
        request, "exercise/take.html", context, status_code=422 if problems else 200
    )


@router.get("/x/{launch_id}", response_class=HTMLResponse)
def take(request: Request, iovlab: AppDep, db: DbDep, launch_id: str) -> Response:
    row, exercise = _launched(db, launch_id)
    earlier = repo.attempts_of(db, exercise.id, lms_alias(row))
    if earlier and not exercise.retries:
        return RedirectResponse(f"/lti/x/{row.id}/a/{earlier[-1].token}", status_code=303)
    return _take(iovlab, request, db, row, exercise)


@router.post("/x/{launch_id}/attempts")
async def attempt(request: Request, iovlab: AppDep, db: DbDep, launch_id: str) -> Response:
    row, exercise = _launched(db, launch_id)
    form = {k: str(v) for k, v in (await form_fields(request)).items()}
    token = form.get("token", "")
    if not TOKEN.match(token):
        raise HTTPException(status_code=422, detail="token: open the exercise from the LMS again")
    if closed(exercise):
        raise HTTPException(
            status_code=409, detail="this exercise is closed: its due date has passed"
        )
    alias = lms_alias(row)
    earlier = repo.attempts_of(db, exercise.id, alias)
    if earlier and not exercise.retries and all(a.token != token for a in earlier):
        return RedirectResponse(f"/lti/x/{row.id}/a/{earlier[-1].token}", status_code=303)
    variant, questions = questions_of(exercise, alias)
    done = submit(questions, form, load_settings(exercise.settings))
    if done.refused:
        return _take(iovlab, request, db, row, exercise, done.problems, done.answers, token)
    try:
        stored = repo.save_attempt(
            db,
            exercise_id=exercise.id,
            token=token,
            # the launch is what this browser holds: the result opens from its address
            secret=row.id,
            alias=alias,
            allowed=ATTEMPTS_WITH_RETRIES if exercise.retries else 1,
            variant=variant,
            answers=done.answers,
            results=[r.to_dict() for r in done.results],
            score=done.score,
        )
    except repo.NoAttemptsLeft:
        if not earlier:
            raise HTTPException(status_code=409, detail="no attempts left") from None
        return RedirectResponse(f"/lti/x/{row.id}/a/{earlier[-1].token}", status_code=303)
    if stored.id is not None and lti_repo.score_of(db, stored.id) is None:
        earned, possible = points_of(done.results)
        # a call to the LMS: on a worker thread, not the event loop
        config = config_of(iovlab)
        await to_thread.run_sync(_send_score, config, db, row, stored, earned, possible)
    return RedirectResponse(f"/lti/x/{row.id}/a/{token}", status_code=303)


def _send_score(
    config: ToolConfJsonFile,
    db: Session,
    row: LtiLaunchRow,
    stored: AttemptRow,
    earned: float,
    possible: float,
) -> None:
    """Post the score now; a refusal is kept and shown, never lost in a log."""
    facts = LaunchFacts(
        row.issuer, row.client_id, row.subject, row.name, row.exercise_id, json.loads(row.ags)
    )
    assert stored.id is not None
    try:
        post_score(config, facts, earned, possible, datetime.now(UTC))
    except LtiError as error:
        lti_repo.record_score(db, stored.id, row.id, None, str(error))
        return
    lti_repo.record_score(db, stored.id, row.id, datetime.now(UTC), "")


@router.get("/x/{launch_id}/a/{token}", response_class=HTMLResponse)
def result(request: Request, iovlab: AppDep, db: DbDep, launch_id: str, token: str) -> Response:
    row, exercise = _launched(db, launch_id)
    alias = lms_alias(row)
    found = [a for a in repo.attempts_of(db, exercise.id, alias) if a.token == token]
    if not found:
        raise HTTPException(status_code=404, detail="no such attempt")
    stored = found[0]
    _, questions = questions_of(exercise, alias)
    sent = lti_repo.score_of(db, stored.id) if stored.id is not None else None
    context = {
        "exercise": exercise,
        "attempt": stored,
        "items": list(zip(questions, json.loads(stored.results), strict=False)),
        "gradebook": sent,
        "again": f"/lti/x/{row.id}" if exercise.retries else None,
        "watch": None,
    }
    return iovlab.templates.TemplateResponse(request, "exercise/result.html", context)
