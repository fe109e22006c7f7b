"""Headers on every response: security, and what a cache must know of htmx.

The pages run no inline script (iovlab.js and the vendored htmx are files), so
the policy allows scripts from this origin only; styles may be inline because
bar widths and the QR code are drawn with style attributes.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EMBED_PREFIX = "/embed/"  # pages another site may show in a frame
LTI_PREFIX = "/lti/"  # an LMS may show its launched exercise in a frame too
# An LMS starts a launch with a form on its own site: the login initiation only
# redirects back to the LMS, and the launch is trusted for its signed id_token.
CROSS_SITE_ALLOWED = ("/lti/login", "/lti/launch")


def policy(frame_ancestors: str, form_targets: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy; ``form_targets`` are the other origins a page's form may
    post to (only the answer to an LMS's deep-linking request has one: the LMS)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            f"frame-ancestors {frame_ancestors}",
            "base-uri 'self'",
            " ".join(["form-action 'self'", *form_targets]),
        ]
    )


COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
HEADERS = [
    (b"content-security-policy", policy("'none'").encode()),
    (b"x-frame-options", b"DENY"),  # for browsers that predate frame-ancestors
    *COMMON,
]


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class SameOrigin:
    """Refuses a state-changing request that a browser says came from another site.

    With the SameSite=Lax cookie this closes cross-site request forgery: a form
    on another site posts with its own Origin, which is not ours.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in UNSAFE
            and scope["path"] not in CROSS_SITE_ALLOWED
        ):
            headers = dict(scope["headers"])
            if _cross_site(headers):
                response = PlainTextResponse(
                    "refused: this form was sent from another site", status_code=403
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _cross_site(headers: dict[bytes, bytes]) -> bool:
    """What the browser says of where the request comes from: Sec-Fetch-Site where it sends
    it (every current browser), else Origin; a request with neither is no browser's form."""
    site = headers.get(b"sec-fetch-site")
    if site is not None:
        return site not in {b"same-origin", b"none"}  # none: typed or bookmarked by the user
    origin = headers.get(b"origin")
    return origin is not None and origin.split(b"://", 1)[-1] != headers.get(b"host", b"")


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes: a declared length at once, before any of
    it is read; a body of no declared length (``Transfer-Encoding: chunked``) as it arrives,
    the moment its count passes the limit — no more than the limit is ever held."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse()(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # raised where the body is read: the error pages answer it like any 4xx
                    raise HTTPException(status_code=413, detail=self._message())
            return message

        await self.app(scope, counted, send)

    def _message(self) -> str:
        return f"refused: the request body is over {self.limit:,} bytes"

    def _refuse(self) -> PlainTextResponse:
        return PlainTextResponse(self._message(), status_code=413)


class SecurityHeaders:
    """Pure ASGI middleware, so streamed responses (SSE) pass through untouched.

    Every page refuses to be framed, except the embed pages, which the sites in
    ``embed_ancestors`` may frame (a course page, slides). A response that states its
    own policy (built with ``policy``) keeps it."""

    def __init__(self, app: ASGIApp, embed_ancestors: str = "*") -> None:
        self.app = app
        self.embed_headers = [
            (b"content-security-policy", policy(embed_ancestors).encode()),
            *COMMON,
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        frameable = scope["path"].startswith((EMBED_PREFIX, LTI_PREFIX))
        extra = self.embed_headers if frameable else HEADERS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = [*message.get("headers", [])]
                named = {k.lower() for k, _ in own}
                message["headers"] = [*own, *(h for h in extra if h[0] not in named)]
            await send(message)

        await self.app(scope, receive, with_headers)


class VaryOnHtmx:
    """Every HTML answer says it may depend on ``HX-Request``.

    A route that htmx calls answers with a fragment of a page, at an address a browser may
    also open whole; without ``Vary: HX-Request`` a cache (the browser's back button among
    them) could show a bare fragment as a page. Pure ASGI, so streams pass untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _vary_on_htmx(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, with_vary)


def _vary_on_htmx(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    if not content_type.startswith(b"text/html"):
        return headers
    vary = [v for k, v in headers if k.lower() == b"vary"]
    if any(b"hx-request" in v.lower() for v in vary):
        return headers
    others = [(k, v) for k, v in headers if k.lower() != b"vary"]
    return [*others, (b"vary", b", ".join([*vary, b"HX-Request"]))]
