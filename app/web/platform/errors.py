"""Errors as pages for people, JSON for the API: always what is wrong, never a 500 page."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from app.sessions import TooManySessions
from app.sim import ScenarioError
from app.store.db import NulInText

from ..deps import NotSignedIn
from .security import HEADERS

TITLES = {
    403: "Not open to this browser",
    404: "Not found",
    409: "Not now",
    422: "That was not understood",
    503: "Back in a moment",
}


def _ways_on(path: str, message: str) -> list[tuple[str, str]]:
    """Where a person who met this error most likely wants to go next."""
    ways = []
    if "room" in message or path.startswith(("/r/", "/join")):
        ways.append(("/join", "Join a class with its code"))
    if "lesson" in message:
        ways.append(("/lessons", "Study a lesson yourself"))
    if "instructor" in message.lower():
        ways.append(("/instructor/login", "Sign in as an instructor"))
    return ways


def install_error_pages(app: FastAPI, templates: Jinja2Templates) -> None:
    def page(request: Request, status: int, message: str, problems: list[str]) -> Response:
        context = {
            "status": status,
            "title": TITLES.get(status, "Error"),
            "message": message,
            "problems": problems,
            "ways": _ways_on(request.url.path, message),
        }
        return templates.TemplateResponse(request, "error.html", context, status_code=status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 400 and request.url.path.startswith("/api/"):
            # a body that cannot even be decoded is bad input like any other
            return JSONResponse({"problems": [f"body: {error.detail}"]}, status_code=422)
        if _wants_json(request):
            return await http_exception_handler(request, error)
        if isinstance(error, NotSignedIn) and request.method == "GET":
            # a person who opens an instructor page is taken to sign in, then back
            return RedirectResponse(
                f"/instructor/login?next={quote(request.url.path)}", status_code=303
            )
        return page(request, error.status_code, str(error.detail), [])

    @app.exception_handler(TooManySessions)
    async def too_many_sessions(request: Request, error: TooManySessions) -> Response:
        retry = {"Retry-After": str(max(1, round(error.wait_s)))}
        return await http_error(request, HTTPException(429, str(error), headers=retry))

    @app.exception_handler(ScenarioError)
    async def scenario_error(request: Request, error: ScenarioError) -> Response:
        # what a route did not catch itself: a stored session that no longer fits the hop
        # budget (lowered since it was made) is refused like any scenario past it
        if _wants_json(request):
            return JSONResponse({"problems": list(error.problems)}, status_code=422)
        return page(request, 422, "", list(error.problems))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def database_away(request: Request, error: DBAPIError) -> Response:
        # nothing was half-written: each change commits in one transaction or not at all
        message = "the database is unavailable for a moment; nothing was lost, try again shortly"
        return unavailable(request, message, retry_after=5)

    @app.exception_handler(PoolTimeout)
    async def database_busy(request: Request, error: PoolTimeout) -> Response:
        message = "the server is busy this moment; nothing was lost, try again in a few seconds"
        return unavailable(request, message, retry_after=2)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        if request.url.path.startswith("/api/"):
            # the API answers every bad input in one shape: {"problems": [...]}
            return JSONResponse({"problems": problems}, status_code=422)
        if _wants_json(request):
            return await request_validation_exception_handler(request, error)
        return page(request, 422, "", problems)

    @app.exception_handler(NulInText)
    async def nul_in_text(request: Request, error: NulInText) -> Response:
        # a NUL in the address names nothing there is; a NUL in a field is that field's fault
        if "\x00" in request.url.path or "%00" in request.url.path:
            return await http_error(request, HTTPException(404, "no such page"))
        problems = [str(error)]
        if _wants_json(request):
            return JSONResponse({"problems": problems}, status_code=422)
        return page(request, 422, "", problems)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        # answered outside every middleware (Starlette's outermost layer): its own headers
        headers = {name.decode(): value.decode() for name, value in HEADERS}
        message = "something went wrong on the server"
        return PlainTextResponse(message, status_code=500, headers=headers)

    def unavailable(request: Request, message: str, *, retry_after: int) -> Response:
        headers = {"Retry-After": str(retry_after)}
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=503, headers=headers)
        response = page(request, 503, message, [])
        response.headers.update(headers)
        return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
        "accept", ""
    )
