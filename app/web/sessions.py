"""Starting a session from a shipped scenario, a user's text, or another session."""

from __future__ import annotations

from fastapi import HTTPException, Request
from sqlmodel import Session

from app.sim import ScenarioError, load_scenario
from app.store import sessions as repo
from app.store.models import SessionRow

from .live import Live


def start_session(
    request: Request,
    db: Session,
    *,
    shipped_name: str | None,
    source: str | None,
    copy_of: Live | None = None,
) -> SessionRow:
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.session_limit.allow(client)
    if wait:
        raise HTTPException(
            status_code=429,
            detail=f"too many new sessions from this address: try again in {wait:.0f} s",
            headers={"Retry-After": str(max(1, round(wait)))},
        )
    shipped = request.app.state.shipped
    if copy_of is not None:
        row = repo.get_session(db, copy_of.id)
        assert row is not None
        return repo.create_session(db, name=row.name, source=row.source, shipped=row.shipped)
    if shipped_name:
        if shipped_name not in shipped:
            names = ", ".join(shipped)
            raise ScenarioError([f"scenario: no shipped scenario {shipped_name!r} ({names})"])
        chosen = shipped[shipped_name]
        return repo.create_session(
            db, name=chosen.scenario.name, source=chosen.source, shipped=shipped_name
        )
    if not source or not source.strip():
        raise ScenarioError(["scenario: paste a scenario, upload a file, or pick a shipped one"])
    check_size(request, source)
    scenario = load_scenario(source)
    return repo.create_session(db, name=scenario.name, source=source, shipped=None)


def check_size(request: Request, source: str) -> None:
    """A scenario a user sends is refused past the size limit, before it is parsed."""
    limit = request.app.state.settings.max_scenario_bytes
    if len(source.encode("utf-8")) > limit:
        raise ScenarioError([f"scenario: the text is over {limit:,} bytes"])
