"""Instructor sign-in: a signed, HttpOnly, SameSite session cookie.

Students need no account; everything under /instructor needs a signed-in
instructor, and an instructor sees only their own exercises.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.store.accounts import authenticate

from ..deps import AppDep, DbDep

router = APIRouter()


def _next(value: str) -> str:
    """Where to go after signing in: an instructor page of this site, nothing else."""
    return value if value.startswith("/instructor") and "//" not in value else "/instructor"


@router.get("/instructor/login", response_class=HTMLResponse)
def login_page(request: Request, iovlab: AppDep, next: str = "/instructor") -> Response:
    context = {"problem": None, "email": "", "next": _next(next)}
    return iovlab.templates.TemplateResponse(request, "instructor/login.html", context)


@router.post("/instructor/login")
def login(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=200)] = "/instructor",
) -> Response:
    row = authenticate(db, email=email, password=password)
    if row is None:
        return iovlab.templates.TemplateResponse(
            request,
            "instructor/login.html",
            {
                "problem": "That e-mail address and password do not match an instructor.",
                "email": email,
                "next": _next(next),
            },
            status_code=401,
        )
    request.session.clear()
    request.session["instructor_id"] = row.id
    return RedirectResponse(_next(next), status_code=303)


@router.post("/instructor/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)
