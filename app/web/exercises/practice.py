"""Practice mode: endless variants of the question templates on a shipped scenario,
graded at once, with a streak counter kept in the signed session cookie."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.exercises.grading import grade, refusals
from app.exercises.questions import TEMPLATES, Question, applicable
from app.exercises.variants import questions
from app.sessions import Shipped
from app.sim import Scenario

from ..deps import AppDep, ClientDep, DbDep, form_fields

router = APIRouter(prefix="/practice")
SEED = re.compile(r"^[0-9a-f]{16}$")


def _shipped(shipped: Mapping[str, Shipped], name: str) -> Shipped:
    found = shipped.get(name)
    if found is None:
        raise HTTPException(status_code=404, detail="no such shipped scenario")
    return found


def _question(scenario: Scenario, template: str, seed: str) -> Question:
    if template not in TEMPLATES or not SEED.match(seed):
        raise HTTPException(status_code=422, detail="template and seed: start a new question")
    made = questions(scenario, [template], f"practice/{seed}")
    if not made:
        raise HTTPException(
            status_code=422, detail=f"template: {template} does not fit this scenario"
        )
    return made[0]


@router.get("", response_class=HTMLResponse)
def index(request: Request, iovlab: AppDep) -> Response:
    """Every shipped scenario with the questions it can ask."""
    shipped = iovlab.shipped
    offers = {
        name: [TEMPLATES[t][0] for t in applicable(s.scenario)] for name, s in shipped.items()
    }
    context = {"shipped": shipped, "offers": offers, "streaks": _streaks(request)}
    return iovlab.templates.TemplateResponse(request, "exercise/practice_index.html", context)


@router.get("/{name}", response_class=HTMLResponse)
def ask(request: Request, iovlab: AppDep, name: str) -> Response:
    scenario = _shipped(iovlab.shipped, name).scenario
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
    return iovlab.templates.TemplateResponse(request, "exercise/practice.html", context)


@router.post("/{name}", response_class=HTMLResponse)
async def answer(
    request: Request,
    iovlab: AppDep,
    name: str,
    template: Annotated[str, Form()],
    seed: Annotated[str, Form()],
) -> Response:
    scenario = _shipped(iovlab.shipped, name).scenario
    question = _question(scenario, template, seed)
    form = await form_fields(request)
    given = {f.name: str(form.get(f.name, ""))[:200] for f in question.fields}
    problems = refusals(question, given)
    if problems:  # not an answer yet: nothing graded, the streak unchanged
        context = {
            "name": name,
            "scenario": scenario,
            "question": question,
            "template": template,
            "seed": seed,
            "streak": _streaks(request).get(name, 0),
            "result": None,
            "problems": {0: problems},
            "answers": given,
        }
        return iovlab.templates.TemplateResponse(
            request, "exercise/practice.html", context, status_code=422
        )
    result = grade(question, given)
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
    return iovlab.templates.TemplateResponse(request, "exercise/practice.html", context)


@router.post("/{name}/watch")
def watch(
    iovlab: AppDep,
    client: ClientDep,
    db: DbDep,
    name: str,
    template: Annotated[str, Form()],
    seed: Annotated[str, Form()],
) -> Response:
    shipped = _shipped(iovlab.shipped, name)
    question = _question(shipped.scenario, template, seed)
    row = iovlab.sessions.open_question(db, client, shipped.source, question)
    return RedirectResponse(f"/s/{row.id}", status_code=303)


def _streaks(request: Request) -> dict[str, int]:
    value = request.session.get("streaks")
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}
