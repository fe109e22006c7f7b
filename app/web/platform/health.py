"""``/healthz``: whether this worker can reach its database, for load balancers and compose."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ..deps import AppDep

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def healthz(iovlab: AppDep) -> JSONResponse:
    with iovlab.engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # an outage answers 503 through the error handler
    return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})
