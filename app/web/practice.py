"""Practice mode: endless variants of the question templates on a shipped scenario,
graded at once, with a streak counter kept in the signed session cookie."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.exercises.grading import grade
from app.exercises.questions import TEMPLATES, Question, applicable
from app.exercises.variants import questions
from app.sim import Scenario

from .deps import DbDep
from .student import open_question_session

router = APIRouter(prefix="/practice")
SEED = re.compile(r"^[0-9a-f]{16}$")


def _shipped(request: Request, name: str) -> tuple[str, Scenario]:
    shipped = request.app.state.shipped.get(name)
    if shipped is None:
        raise HTTPException(status_code=404, detail="no such shipped scenario")
    return shipped.source, shipped.scenario


def _question(scenario: Scenario, template: str, seed: str) -> Question:
    if template not in TEMPLATES or not SEED.match(seed):
        raise HTTPException(status_code=422, detail="template and seed: start a new question")
    made = questions(scenario, [template], f"practice/{seed}")
    if not made:
        raise HTTPException(
            status_code=422, detail=f"template: {template} does not fit this scenario"
        )
    return made[0]


@router.get("/{name}", response_class=HTMLResponse)
def ask(request: Request, name: str) -> Response:
    _, scenario = _shipped(request, name)
    usable = applicable(scenario)
    turn = int(request.session.get("practice_turn", 0))
    request.session["practice_turn"] = turn + 1
    template = usable[turn % len(usable)]
    seed = secrets.token_hex(8)
    context = {
        "name": name,
        "scenario": scenario,
        "question": _question(scenario, template, seed),
        "template": template,
        "seed": seed,
        "streak": _streaks(request).get(name, 0),
        "result": None,
    }
    return request.app.state.templates.TemplateResponse(request, "exercise/practice.html", context)


@router.post("/{name}", response_class=HTMLResponse)
async def answer(
    request: Request, name: str, template: Annotated[str, Form()], seed: Annotated[str, Form()]
) -> Response:
    _, scenario = _shipped(request, name)
    question = _question(scenario, template, seed)
    form = await request.form()
    result = grade(question, {f.name: str(form.get(f.name, ""))[:200] for f in question.fields})
    streaks = _streaks(request)
    streaks[name] = streaks.get(name, 0) + 1 if result.correct else 0
    request.session["streaks"] = streaks
    context = {
        "name": name,
        "scenario": scenario,
        "question": question,
        "template": template,
        "seed": seed,
        "streak": streaks[name],
        "result": result,
    }
    return request.app.state.templates.TemplateResponse(request, "exercise/practice.html", context)


@router.post("/{name}/watch")
def watch(
    request: Request,
    db: DbDep,
    name: str,
    template: Annotated[str, Form()],
    seed: Annotated[str, Form()],
) -> Response:
    source, scenario = _shipped(request, name)
    row = open_question_session(db, source, _question(scenario, template, seed))
    return RedirectResponse(f"/s/{row.id}", status_code=303)


def _streaks(request: Request) -> dict[str, int]:
    value = request.session.get("streaks")
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}
