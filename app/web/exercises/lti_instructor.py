"""An instructor from the LMS: picking an exercise to add to a course (Deep Linking 2.0),
and opening an exercise from the course, which shows its results to its owner.

An LMS often shows the tool in a frame, where the browser keeps iovlab's sign-in
cookie from it; so an instructor who signs in while picking is kept with the
picking itself, and the instructor's launch offers its results in a window of their own.
"""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.exercises.settings import load_settings, points_possible
from app.lti import deep_linking
from app.lti.deep_linking import Picking
from app.lti.tool import LtiError
from app.store import accounts
from app.store import exercises as repo
from app.store.lti import LtiValues
from app.store.models import InstructorRow

from ..application import Iovlab
from ..deps import LOGIN_KEY, AppDep, ClientDep, DbDep, SignedInDep, sign_in
from ..platform.security import policy
from .lms import config_of, refused

router = APIRouter(prefix="/lti")


def _picking(iovlab: Iovlab, request: Request, db: Session, pick_id: str) -> Picking:
    config_of(iovlab)  # without an LMS registered, none of this exists
    browser = request.cookies.get(deep_linking.COOKIE)
    found = deep_linking.find(LtiValues(db), pick_id, browser)
    if found is None:
        detail = (
            "no such choice in this browser, or it is over (a choice lasts an hour): "
            "add the activity again from the LMS"
        )
        raise HTTPException(status_code=404, detail=detail)
    return found


def _chooser(
    db: Session, picking: Picking, signed: InstructorRow | None
) -> tuple[Picking, InstructorRow | None]:
    """Who chooses: whoever signed in on this picking, else the instructor signed in to
    iovlab in this browser, who is then kept with it."""
    if picking.instructor_id is not None:
        return picking, accounts.get_instructor(db, picking.instructor_id)
    if signed is not None and signed.id is not None:
        return deep_linking.signed_in(LtiValues(db), picking, signed.id), signed
    return picking, None


def _page(
    iovlab: Iovlab,
    request: Request,
    db: Session,
    picking: Picking,
    chooser: InstructorRow | None,
    problem: str | None = None,
    email: str = "",
    status: int = 200,
) -> Response:
    exercises = repo.exercises_of(db, chooser.id or 0) if chooser else []
    context = {
        "picking": picking,
        "chooser": chooser,
        "exercises": [
            (e, points_possible(json.loads(e.templates), load_settings(e.settings)))
            for e in exercises
        ],
        "problem": problem,
        "email": email,
    }
    return iovlab.templates.TemplateResponse(request, "lti/pick.html", context, status_code=status)


@router.get("/pick/{pick_id}", response_class=HTMLResponse)
def pick_page(
    request: Request, iovlab: AppDep, db: DbDep, signed: SignedInDep, pick_id: str
) -> Response:
    picking, chooser = _chooser(db, _picking(iovlab, request, db, pick_id), signed)
    return _page(iovlab, request, db, picking, chooser)


@router.post("/pick/{pick_id}/signin")
def pick_sign_in(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    client: ClientDep,
    pick_id: str,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    picking = _picking(iovlab, request, db, pick_id)
    # the same sign-in as /instructor/login, with its limits on failures
    signed = sign_in(db, email, password, client)
    if signed is None:
        problem = "That e-mail address and password do not match an instructor."
        return _page(iovlab, request, db, picking, None, problem, email, status=401)
    assert signed.instructor.id is not None
    deep_linking.signed_in(LtiValues(db), picking, signed.instructor.id)
    request.session.clear()  # signed in to iovlab too, where the browser keeps the cookie
    request.session[LOGIN_KEY] = signed.login_id
    return RedirectResponse(f"/lti/pick/{picking.id}", status_code=303)


@router.post("/pick/{pick_id}")
def pick(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    signed: SignedInDep,
    pick_id: str,
    exercise: Annotated[str, Form(max_length=40)],
) -> Response:
    """The chosen exercise goes back to the LMS as a resource link with a gradebook column."""
    picking, chooser = _chooser(db, _picking(iovlab, request, db, pick_id), signed)
    if chooser is None:
        problem = "Sign in first: the exercises you add are your own."
        return _page(iovlab, request, db, picking, None, problem, status=403)
    row = repo.get_exercise(db, exercise)
    if row is None or row.instructor_id != chooser.id:
        raise HTTPException(status_code=404, detail=f"exercise: you have none called {exercise!r}")
    target = urlsplit(picking.return_url)
    if target.scheme not in ("https", "http") or not target.netloc:
        return refused(iovlab, request, "the LMS gave no address to send the activity back to")
    chosen = deep_linking.Exercise(
        id=row.id,
        title=row.title,
        url=f"{request.base_url}x/{row.id}",
        points=points_possible(json.loads(row.templates), load_settings(row.settings)),
    )
    try:
        sent = deep_linking.answer(config_of(iovlab), LtiValues(db), picking, chosen)
    except LtiError as error:
        return refused(iovlab, request, str(error))
    context = {"answer": sent, "exercise": chosen}
    response = iovlab.templates.TemplateResponse(request, "lti/return.html", context)
    # the one page whose form posts to another site: the LMS that asked
    origin = f"{target.scheme}://{target.netloc}"
    ancestors = iovlab.settings.embed_ancestors
    response.headers["content-security-policy"] = policy(ancestors, (origin,))
    return response


@router.get("/teach/{exercise_id}", response_class=HTMLResponse)
def teach(
    request: Request, iovlab: AppDep, db: DbDep, signed: SignedInDep, exercise_id: str
) -> Response:
    """Where an instructor's launch lands: the exercise's results for its owner, signed in;
    otherwise a page that says whose results they are and how to see them."""
    config_of(iovlab)
    exercise = repo.get_exercise(db, exercise_id) if len(exercise_id) <= 40 else None
    if exercise is None:
        raise HTTPException(status_code=404, detail="no such exercise")
    results = f"/instructor/exercises/{exercise.id}"
    if signed is not None and signed.id == exercise.instructor_id:
        return RedirectResponse(results, status_code=303)
    context = {"exercise": exercise, "signed": signed, "results": results}
    status = 403 if signed is not None else 200
    return iovlab.templates.TemplateResponse(request, "lti/teach.html", context, status_code=status)
