"""A session's pages: the player, its hop stream, the requests a person composes, exports."""

from fastapi import APIRouter

from . import composer, exports, hops, numbers, pages, stream

router = APIRouter()
for _feature in (pages, composer, stream, hops, exports, numbers):
    router.include_router(_feature.router)
