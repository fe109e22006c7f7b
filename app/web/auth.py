"""Instructor sign-in: a signed, HttpOnly, SameSite session cookie.

Students need no account; everything under /instructor needs a signed-in
instructor, and an instructor sees only their own exercises.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.store.accounts import authenticate
from app.store.models import InstructorRow

from .deps import DbDep

router = APIRouter()


class NotSignedIn(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=403, detail="instructors only: sign in first")


def _instructor(request: Request) -> InstructorRow:
    instructor_id = request.session.get("instructor_id")
    if not isinstance(instructor_id, int):
        raise NotSignedIn()
    with Session(request.app.state.engine, expire_on_commit=False) as db:  # see deps.py
        row = db.get(InstructorRow, instructor_id)
    if row is None:
        raise NotSignedIn()
    return row


InstructorDep = Annotated[InstructorRow, Depends(_instructor)]


@router.get("/instructor/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return request.app.state.templates.TemplateResponse(
        request, "instructor/login.html", {"problem": None, "email": ""}
    )


@router.post("/instructor/login")
def login(
    request: Request,
    db: DbDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    row = authenticate(db, email=email, password=password)
    if row is None:
        return request.app.state.templates.TemplateResponse(
            request,
            "instructor/login.html",
            {
                "problem": "That e-mail address and password do not match an instructor.",
                "email": email,
            },
            status_code=401,
        )
    request.session.clear()
    request.session["instructor_id"] = row.id
    return RedirectResponse("/instructor", status_code=303)


@router.post("/instructor/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)
