"""A bare SSE endpoint for the load bench: iovlab's hop events replayed, and nothing else.

It sends the events a student's stream carried (read from the JSON list of their data in
``BARE_HOPS_FILE``), framed as iovlab frames them (``id``, ``event: hop``, ``retry``), each
framed once for all clients as iovlab frames an event once for a class, each client
paced as iovlab paces a stream: an event, then a pause of 1/``BARE_HOPS_RATE`` seconds.
What iovlab delivers beside what this delivers to the same clients is the cost of
everything iovlab does to make the bytes.

    uvicorn bench.bare_hops:create_app --factory --workers 2
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

RETRY_MS = 1000  # as iovlab's stream says


def create_app() -> Starlette:
    payloads: list[str] = json.loads(Path(os.environ["BARE_HOPS_FILE"]).read_text())
    pause = 1 / float(os.environ.get("BARE_HOPS_RATE", "5"))
    frames = [_framed(data, k) for k, data in enumerate(payloads)]

    async def stream(request: Request) -> EventSourceResponse:
        count = int(request.query_params.get("hops", len(payloads)))

        async def events() -> AsyncIterator[bytes]:
            for k in range(count):
                # the hop's id beyond the kept events: framed for this client
                yield frames[k] if k < len(frames) else _framed(payloads[k % len(payloads)], k)
                await asyncio.sleep(pause)
            while True:  # iovlab's stream waits at the end of its trace: the client hangs up
                await asyncio.sleep(1)

        return EventSourceResponse(events(), ping=15)

    async def health(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/stream", stream), Route("/healthz", health)])


def _framed(data: str, k: int) -> bytes:
    return ServerSentEvent(data=data, event="hop", id=str(k), retry=RETRY_MS).encode()
