"""What serves every feature: the JSON API, health, error pages and response headers."""

from fastapi import APIRouter

from . import api, assets, health

router = APIRouter()
for _feature in (health, api, assets):
    router.include_router(_feature.router)
