"""A session's trace as files: JSON (as `iovlab trace --format json`) and CSV."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from app.sim.export import trace_csv, trace_document

from ..deps import LiveDep

router = APIRouter()


@router.get("/s/{session_id}/trace.json")
def export_json(live: LiveDep) -> JSONResponse:
    return JSONResponse(
        trace_document(live.trace),
        headers={"Content-Disposition": f'attachment; filename="iovlab-{live.id}.json"'},
    )


@router.get("/s/{session_id}/trace.csv")
def export_csv(live: LiveDep) -> Response:
    return Response(
        trace_csv(live.trace),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="iovlab-{live.id}.csv"'},
    )
