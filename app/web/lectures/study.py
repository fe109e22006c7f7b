"""Studying a lesson alone: a step at a time, answering before the hops are shown.

Progress is kept in this browser (a cookie: lesson -> step), so a student
resumes where they stopped; nothing is stored on the server.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.lessons.compile import CompiledLesson
from app.lessons.study import (
    PROGRESS_COOKIE,
    Checked,
    check,
    read_progress,
    study_step,
    write_progress,
)

from ..application import Iovlab
from ..deps import AppDep

router = APIRouter()
KEEP_S = 180 * 24 * 3600


def _lesson(iovlab: Iovlab, name: str) -> CompiledLesson:
    lesson = iovlab.lessons.get(name)
    if lesson is None:
        raise HTTPException(status_code=404, detail="no such lesson")
    return lesson


def _index(lesson: CompiledLesson, number: int) -> int:
    if not 1 <= number <= len(lesson.steps):
        detail = f"this lesson has steps 1 to {len(lesson.steps)}"
        raise HTTPException(status_code=404, detail=detail)
    return number - 1


@router.get("/lessons/{name}/study")
def resume(request: Request, iovlab: AppDep, name: str) -> Response:
    lesson = _lesson(iovlab, name)
    progress = read_progress(request.cookies.get(PROGRESS_COOKIE, ""))
    index = min(progress.get(name, 0), len(lesson.steps) - 1)
    return RedirectResponse(f"/lessons/{name}/study/{index + 1}", status_code=303)


@router.get("/lessons/{name}/study/{number}", response_class=HTMLResponse)
def step_page(request: Request, iovlab: AppDep, name: str, number: int) -> Response:
    lesson = _lesson(iovlab, name)
    return _render(request, iovlab, name, lesson, _index(lesson, number), None)


@router.post("/lessons/{name}/study/{number}", response_class=HTMLResponse)
def answer(
    request: Request,
    iovlab: AppDep,
    name: str,
    number: int,
    given: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    lesson = _lesson(iovlab, name)
    index = _index(lesson, number)
    step = study_step(lesson, index)
    if step.question is None:
        raise HTTPException(status_code=404, detail="this step asks nothing")
    return _render(request, iovlab, name, lesson, index, check(step, given))


def _render(
    request: Request,
    iovlab: Iovlab,
    name: str,
    lesson: CompiledLesson,
    index: int,
    checked: Checked | None,
) -> Response:
    step = study_step(lesson, index)
    answered = checked is not None and checked.refusal is None
    context = {
        "name": name,
        "lesson": lesson,
        "step": step,
        "checked": checked,
        # the hops would give the answer away: shown once the student has answered
        "show_hops": step.question is None or answered,
    }
    status = 422 if checked is not None and checked.refusal else 200
    response = iovlab.templates.TemplateResponse(
        request, "lessons/study.html", context, status_code=status
    )
    progress = read_progress(request.cookies.get(PROGRESS_COOKIE, ""))
    response.set_cookie(
        PROGRESS_COOKIE,
        write_progress(progress, name, index),
        max_age=KEEP_S,
        httponly=True,
        samesite="lax",
    )
    return response
