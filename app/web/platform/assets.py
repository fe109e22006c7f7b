"""The hashed addresses of static files (see ``app.web.assets``)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

from ..assets import FOREVER
from ..deps import AppDep

router = APIRouter()


@router.get("/assets/{digest}/{name:path}", include_in_schema=False)
def asset(iovlab: AppDep, digest: str, name: str) -> Response:
    assets = iovlab.assets
    try:
        current = assets.digest(name)
    except FileNotFoundError:
        raise HTTPException(status_code=404, detail="no such file") from None
    if digest != current:  # a page from an older release: the file as it is now, not kept
        return FileResponse(assets.path(name), headers={"Cache-Control": "no-cache"})
    return FileResponse(assets.path(name), headers={"Cache-Control": FOREVER})
