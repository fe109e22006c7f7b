"""Instructor sign-in: a signed, HttpOnly, SameSite session cookie holding a login id only.

The login is kept server-side: signing out revokes it, so a copy of the cookie signs no
one in afterwards; failed sign-ins are limited per address and per account.

Students need no account; everything under /instructor needs a signed-in
instructor, and an instructor sees only their own exercises.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.store import accounts

from ..deps import LOGIN_KEY, AppDep, ClientDep, DbDep, sign_in

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
    client: ClientDep,
    db: DbDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=200)] = "/instructor",
) -> Response:
    signed = sign_in(db, email, password, client)
    if signed is None:
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
    request.session[LOGIN_KEY] = signed.login_id
    return RedirectResponse(_next(next), status_code=303)


@router.post("/instructor/logout")
def logout(request: Request, db: DbDep) -> Response:
    login_id = request.session.get(LOGIN_KEY)
    if isinstance(login_id, str):
        accounts.sign_out(db, login_id)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
