"""The same operations as JSON, under /api/, with FastAPI's OpenAPI schema."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.sim import ScenarioError
from app.sim.export import trace_document

from .. import lecturer, owners
from ..application import Iovlab
from ..deps import AppDep, ClientDep, DbDep, LiveDep, session_for

router = APIRouter(prefix="/api", tags=["api"])


class NewSession(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str | None = Field(None, description="The name of a shipped scenario.")
    scenario_yaml: str | None = Field(None, description="A scenario file's text (YAML or JSON).")


class SessionCreated(BaseModel):
    id: str
    url: str
    token: str = Field(description="The owner's: `Authorization: Bearer <token>` to change it.")


class Problems(BaseModel):
    problems: list[str] = Field(description="One line per problem, each naming the field path.")


class CommandIssued(BaseModel):
    request: str
    at_us: int
    hops: list[dict[str, Any]]


class SessionInfo(BaseModel):
    id: str
    name: str
    shipped: str | None
    cursor: int
    hops: int
    commands: list[dict[str, Any]]


class ShippedInfo(BaseModel):
    name: str
    title: str
    description: str
    categories: list[str]


def _problems(error: ScenarioError) -> JSONResponse:
    return JSONResponse({"problems": error.problems}, status_code=422)


@router.get("/scenarios", response_model=list[ShippedInfo])
def shipped_scenarios(iovlab: AppDep) -> list[ShippedInfo]:
    return [
        ShippedInfo(
            name=s.name,
            title=s.scenario.name,
            description=s.scenario.description,
            categories=s.categories,
        )
        for s in iovlab.shipped.values()
    ]


@router.post(
    "/sessions",
    status_code=201,
    response_model=SessionCreated,
    responses={422: {"model": Problems}},
)
def create_session(
    request: Request, iovlab: AppDep, client: ClientDep, db: DbDep, body: NewSession
) -> Any:
    """Open a session; the answer's `token` is its owner's (send it back as
    `Authorization: Bearer <token>` to change it), and the browser that made it owns it."""
    if (body.scenario is None) == (body.scenario_yaml is None):
        return _problems(ScenarioError(["body: give exactly one of scenario, scenario_yaml"]))
    try:
        if body.scenario is not None:
            row = iovlab.sessions.open_shipped(db, client, body.scenario)
        else:
            row = iovlab.sessions.open_text(db, client, body.scenario_yaml)
    except ScenarioError as error:
        return _problems(error)
    owners.hold(request, row.id)
    return SessionCreated(
        id=row.id, url=f"/s/{row.id}", token=owners.token_for(iovlab.secret, row.id)
    )


@router.get("/sessions/{session_id}", response_model=SessionInfo, responses={404: {}})
def session_info(live: LiveDep) -> SessionInfo:
    return SessionInfo(
        id=live.id,
        name=live.name,
        shipped=live.shipped,
        cursor=live.cursor,
        hops=len(live.trace.hops),
        commands=[c.model_dump(mode="json", exclude_none=True) for c in live.commands],
    )


@router.post(
    "/sessions/{session_id}/commands",
    status_code=201,
    response_model=CommandIssued,
    responses={403: {}, 404: {}, 422: {"model": Problems}},
)
async def issue_command(
    request: Request,
    iovlab: AppDep,
    db: DbDep,
    session_id: str,
    command: Annotated[dict[str, Any], Body(description="One workload item, without at_us.")],
    cursor: Annotated[
        int | None, Query(ge=-1, le=2**31 - 1, description="Default: the session's.")
    ] = None,
) -> Any:
    """Issue one request at the simulated time of the cursor; returns its hops. Only the
    session's owner may (the browser that made it, or `Authorization: Bearer <token>`)."""
    # the look-up, the check, the replay and the write in one hand-off to a worker thread:
    # under a class each hand-off waits for the interpreter the streams hold, and a
    # command took three (the session, the command, its answer)
    return await run_in_threadpool(_issue, request, iovlab, db, session_id, command, cursor)


def _issue(
    request: Request,
    iovlab: Iovlab,
    db: Session,
    session_id: str,
    command: dict[str, Any],
    cursor: int | None,
) -> CommandIssued | JSONResponse:
    live, _ = session_for(request, iovlab, session_id)
    if not lecturer.holds(request, db, live.id):
        owners.require(request, iovlab.secret, live.id)
    at = live.cursor if cursor is None else cursor
    try:
        updated, request_id = iovlab.sessions.command(db, live, command, at)
    except ScenarioError as error:
        return _problems(error)
    hops = [h.to_dict() for h in updated.trace.hops if h.request == request_id]
    return CommandIssued(request=request_id, at_us=updated.time_at(at), hops=hops)


@router.get("/sessions/{session_id}/trace", responses={404: {}})
def session_trace(live: LiveDep) -> dict[str, Any]:
    """The same document as `iovlab trace --format json`."""
    return trace_document(live.trace)
