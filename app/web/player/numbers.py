""" "How the numbers are made": the cost model behind every figure the player shows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.sim.costs import cost_model

from ..deps import AppDep

router = APIRouter()


@router.get("/numbers", response_class=HTMLResponse)
def numbers(request: Request, iovlab: AppDep) -> Response:
    context = {"cost_model": cost_model()}
    return iovlab.templates.TemplateResponse(request, "numbers.html", context)
