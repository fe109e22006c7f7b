"""Fan-out for live rooms: one render per change, sent to every follower.

Each process watches the rooms its followers are in with one task per room,
which reads the room's version from the database — the state every worker
shares — and renders the follower view once per new version; each follower's
stream only takes the rendered text from its queue. So followers connected to
any worker stay in step with a lecturer on any other.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from sse_starlette import ServerSentEvent
from starlette.concurrency import run_in_threadpool

Version = Callable[[str], int | None]  # room code -> its version, None if gone
Render = Callable[[str], tuple[int, str] | None]  # room code -> (version, html)
Frame = tuple[int, bytes]  # a version and its Server-Sent Event, encoded once for everyone
ENDED = 2**62  # the version of a room's last frame: the lecturer ended it

ENDED_VIEW = (
    '<div class="room-ended" role="status"><h1>This class has ended</h1>'
    "<p>The lecturer ended the live room. To follow another class, type its code on the "
    '<a href="/join">join page</a>; to go over a lesson yourself, open the '
    '<a href="/lessons">lessons</a>.</p></div>'
)


@dataclass
class _Room:
    followers: set[asyncio.Queue[Frame]] = field(default_factory=set)
    latest: Frame | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    watcher: asyncio.Task[None] | None = None


class RoomHub:
    def __init__(self, version: Version, render: Render, poll_s: float) -> None:
        self._version = version
        self._render = render
        self._poll_s = poll_s
        self._rooms: dict[str, _Room] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.renders = 0  # how many times a view was rendered (once per change, not per follower)

    def poke(self) -> None:
        """A room changed (here, or on another worker): look now rather than at the next poll.

        Safe from any thread: a request handler's or the PostgreSQL listener's."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        for room in self._rooms.values():
            room.wake.set()

    async def follow(self, code: str) -> AsyncIterator[Frame]:
        """The room's view now, then every new one; a slow follower skips to the newest."""
        self._loop = asyncio.get_running_loop()
        room = self._rooms.setdefault(code, _Room())
        queue: asyncio.Queue[Frame] = asyncio.Queue(maxsize=4)
        room.followers.add(queue)
        if room.watcher is None:  # one watcher per room, however many join at once
            room.watcher = asyncio.create_task(self._watch(code, room))
        sent = -1
        try:
            await room.ready.wait()
            current = room.latest
            while True:
                if current is not None and current[0] > sent:
                    sent = current[0]
                    yield current
                    if sent == ENDED:  # nothing more will come: the stream closes
                        return
                current = await queue.get()
        finally:
            room.followers.discard(queue)
            if not room.followers and room.watcher is not None:
                room.watcher.cancel()
                self._rooms.pop(code, None)

    async def _fresh(self, code: str, room: _Room) -> Frame | None:
        """The room's view as an event, rendered and encoded again only when its version moved."""
        version = await run_in_threadpool(self._version, code)
        if version is None:
            if room.latest is None:
                return None  # never live here: the stream's route already said 404
            ended = ServerSentEvent(data=ENDED_VIEW, event="room", id=str(ENDED)).encode()
            # and the page closes its stream (sse-close), so no one asks a gone room again
            return ENDED, ended + ServerSentEvent(data="ended", event="ended").encode()
        if room.latest is not None and room.latest[0] == version:
            return room.latest
        rendered = await run_in_threadpool(self._render, code)
        if rendered is None:
            return None
        self.renders += 1
        version, html = rendered
        event = ServerSentEvent(data=html, event="room", id=str(version))
        return version, event.encode()

    async def _watch(self, code: str, room: _Room) -> None:
        while True:
            fresh = await self._fresh(code, room)
            if fresh is not None and fresh is not room.latest:
                room.latest = fresh
                for queue in list(room.followers):
                    if queue.full():  # a slow follower skips to the newest state
                        with contextlib.suppress(asyncio.QueueEmpty):
                            queue.get_nowait()
                    queue.put_nowait(fresh)
            room.ready.set()
            if room.latest is not None and room.latest[0] == ENDED:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(room.wake.wait(), self._poll_s)
            room.wake.clear()
