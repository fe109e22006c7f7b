"""What the LTI route modules share: the LMS registrations, a request's values as the
tool reads them, cookies the tool sets, and the page that says why a launch was refused."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from fastapi import HTTPException, Request
from fastapi.responses import Response
from pylti1p3.tool_config.json_file import ToolConfJsonFile

from app.lti.adapter import Cookie, Incoming
from app.lti.tool import load_config

from ..application import Iovlab
from ..deps import form_fields


@cache
def _load(path: str) -> ToolConfJsonFile:
    return load_config(path)  # read once: registering a new LMS takes a restart


def config_of(iovlab: Iovlab) -> ToolConfJsonFile:
    path = iovlab.settings.lti_config
    if path is None:
        raise HTTPException(status_code=404, detail="this server is not registered with an LMS")
    return _load(str(path))


async def incoming(request: Request) -> Incoming:
    params = dict(request.query_params)
    if request.method == "POST":
        params |= {k: str(v) for k, v in (await form_fields(request)).items()}
    return Incoming(params, dict(request.cookies), request.url.scheme == "https")


def set_cookies(response: Response, cookies: Iterable[Cookie], path: str = "/") -> None:
    for c in cookies:
        response.set_cookie(
            c.name,
            c.value,
            max_age=c.max_age,
            path=path,
            secure=c.secure,
            httponly=True,
            samesite=c.samesite,  # type: ignore[arg-type]
        )


def refused(
    iovlab: Iovlab,
    request: Request,
    message: str,
    status: int = 400,
    title: str = "The LMS launch was refused",
) -> Response:
    return iovlab.templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": title, "message": message, "problems": []},
        status_code=status,
    )
