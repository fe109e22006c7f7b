"""Static files under addresses that carry a hash of their content, cached for good.

``asset("player.js")`` in a template gives ``/assets/<hash>/player.js``: a browser keeps it
as long as it likes (a new release changes the hash, so the address), and a returning
student's page loads with no request for scripts or styles at all.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

from app.settings import ROOT

from ..deps import AppDep

router = APIRouter()

STATIC = ROOT / "static"
FOREVER = "public, max-age=31536000, immutable"


class Assets:
    """The content hash of each static file, read once (files change only with a release)."""

    def __init__(self, root: Path = STATIC) -> None:
        self._root = root.resolve()
        self._digests: dict[str, str] = {}
        self._lock = threading.Lock()

    def digest(self, name: str) -> str:
        with self._lock:
            known = self._digests.get(name)
        if known is None:
            known = hashlib.sha256(self.path(name).read_bytes()).hexdigest()[:12]
            with self._lock:
                self._digests[name] = known
        return known

    def url(self, name: str) -> str:
        return f"/assets/{self.digest(name)}/{name}"

    def path(self, name: str) -> Path:
        path = (self._root / name).resolve()
        if not path.is_relative_to(self._root) or not path.is_file():
            raise FileNotFoundError(name)
        return path


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
