"""Who may change a session: its owner, and only its owner.

The browser that made a session owns it (its signed cookie lists the sessions it made);
an API client owns the sessions it made by the ``token`` it was given with their id,
sent back as ``Authorization: Bearer <token>``. The token is an HMAC of the session's id
under the server's signing secret, so nothing more is stored and nobody can make one.

Everyone else who has the link views the session read-only, from their own position, and
may make their own copy to experiment with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import HTTPException, Request

KEY = "owned"
KEPT = 50  # a browser's recent sessions; older ones become read-only for it


def token_for(secret: str, session_id: str) -> str:
    digest = hmac.new(secret.encode(), f"owner:{session_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def hold(request: Request, session_id: str) -> None:
    """The browser of this request made the session: it owns it from now on."""
    held = [s for s in request.session.get(KEY, []) if isinstance(s, str) and s != session_id]
    request.session[KEY] = [*held[-(KEPT - 1) :], session_id]


def owns(request: Request, secret: str, session_id: str) -> bool:
    held = request.session.get(KEY, [])
    if isinstance(held, list) and session_id in held:
        return True
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip(), token_for(secret, session_id)
    )


def require(request: Request, secret: str, session_id: str) -> None:
    if not owns(request, secret, session_id):
        raise HTTPException(
            status_code=403,
            detail="only the session's owner changes it: make your own copy to experiment",
        )
