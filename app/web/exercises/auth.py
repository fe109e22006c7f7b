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


@router.get("/instructor/login", response_class=HTMLResponse)
def login_page(request: Request, iovlab: AppDep) -> Response:
    return iovlab.templates.TemplateResponse(
        request, "instructor/login.html", {"problem": None, "email": ""}
    )


@router.post("/instructor/login")
def login(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    row = authenticate(db, email=email, password=password)
    if row is None:
        return iovlab.templates.TemplateResponse(
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
