"""Lectures: lessons presented by a lecturer, and live rooms the class follows."""

from fastapi import APIRouter

from . import lessons, rooms, study

router = APIRouter()
for _feature in (lessons, rooms, study):
    router.include_router(_feature.router)
