"""A bare SSE endpoint for the fan-out benchmark: the same bytes, no iovlab in between."""

from __future__ import annotations

import asyncio
import os

from fastapi import FastAPI
from sse_starlette import EventSourceResponse, ServerSentEvent

PAYLOAD = "x" * int(os.environ.get("BARE_PAYLOAD_BYTES", "8000"))
RATE = float(os.environ.get("BARE_RATE", "5"))


def create_app() -> FastAPI:
    app = FastAPI()
    state = {"version": 0}

    async def ticker() -> None:
        while True:
            await asyncio.sleep(1 / RATE)
            state["version"] += 1

    @app.on_event("startup")
    async def start() -> None:
        asyncio.get_running_loop().create_task(ticker())

    @app.get("/stream")
    async def stream() -> EventSourceResponse:
        async def events():  # type: ignore[no-untyped-def]
            seen = -1
            while True:
                if state["version"] != seen:
                    seen = state["version"]
                    yield ServerSentEvent(data=PAYLOAD, event="room", id=str(seen))
                await asyncio.sleep(0.01)

        return EventSourceResponse(events(), ping=15)

    return app
