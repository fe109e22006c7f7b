"""Static files under addresses that carry a hash of their content, cached for good.

``asset("player.js")`` in a template gives ``/assets/<hash>/player.js``: a browser keeps it
as long as it likes (a new release changes the hash, so the address), and a returning
student's page loads with no request for scripts or styles at all.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from app.settings import ROOT

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
