"""A session's pages: the player, its hop stream, the requests a person composes, exports."""

from fastapi import APIRouter

from . import exports, hops, numbers, pages, playback, stream

router = APIRouter()
for _feature in (pages, playback, stream, hops, exports, numbers):
    router.include_router(_feature.router)
