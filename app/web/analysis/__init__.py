"""Analysis of a session: the three levels compared, trace diffs, device contention."""

from fastapi import APIRouter

from . import routes

router = APIRouter()
router.include_router(routes.router)
