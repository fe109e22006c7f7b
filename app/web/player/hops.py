"""A hop's event, as the drawn player asks for it: what hop ``k`` changed, or every piece."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse, Response

from ..deps import AppDep, LiveDep
from ..drawn import render_hop

router = APIRouter()


@router.get("/s/{session_id}/hops/{k}", response_class=HTMLResponse)
def hop_event(
    iovlab: AppDep,
    live: LiveDep,
    k: int,
    full: bool = False,
    profile: Annotated[str, Query(pattern="^(laptop|projector)$")] = "laptop",
) -> Response:
    """Hop ``k`` as the page applies it; the same hop of the same session never changes."""
    if not -1 <= k < len(live.trace.hops) or (k == -1 and not full):
        raise HTTPException(status_code=404, detail="no such hop")
    html = render_hop(iovlab, live, k, full=full, profile=profile)
    # a hop's event depends only on the session's version: cached while it stands
    return HTMLResponse(html, headers={"Cache-Control": "private, max-age=0, must-revalidate"})
