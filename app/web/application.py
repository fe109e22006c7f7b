"""The application object: everything a handler may use, built once by ``create_app``.

Handlers reach it through one dependency (``deps.AppDep``); helpers are handed the parts
they use, never a request to dig them out of.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from app.lessons.compile import CompiledLesson
from app.sessions import Sessions, Shipped
from app.sessions.limits import OpenStreams
from app.settings import Settings

if TYPE_CHECKING:  # the hubs live with their features, which import this module
    from .assets import Assets
    from .drawn import Films
    from .lectures.roomhub import RoomHub
    from .player.streamhub import StreamHub


@dataclass(frozen=True, slots=True)
class Iovlab:
    settings: Settings
    engine: Engine
    templates: Jinja2Templates
    sessions: Sessions
    shipped: Mapping[str, Shipped]
    lessons: Mapping[str, CompiledLesson]
    streams: OpenStreams  # event streams each client holds open
    room_streams: OpenStreams  # live-room streams, apart: a class shares one address
    stream_hub: StreamHub  # one look a tick for every hop stream of this worker
    rooms: RoomHub  # one render per change of a live room, for all its followers
    assets: Assets  # static files under addresses carrying their content's hash
    films: Films  # each recent session's diagram, token moves and pieces, built once
    secret: str  # signs cookies, and a session's owner token
