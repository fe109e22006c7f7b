"""The drawn player: the machine drawn once, then each hop as an event of what it changed.

A hop's event is a small HTML fragment: a ``<template id="hop">`` saying where the token
goes (station, link path, colour) and the pieces the hop changed, each an htmx
out-of-band swap (``hx-swap-oob``). A *full* event carries every piece instead, for a
page that jumps to a hop it has not played.
"""

from __future__ import annotations

import functools
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.diagram.colours import GUESTS
from app.diagram.layout import Diagram, layout
from app.diagram.pieces import Piece, Pieces
from app.diagram.profiles import LAPTOP, PHONE, PROFILES, Profile
from app.diagram.route import Move, moves
from app.sessions import Live
from app.sessions.cache import HopBoundedCache
from app.sim.trace import Hop

from . import hop_parts

if TYPE_CHECKING:  # the application object holds the films
    from .application import Iovlab

LOG_TAIL = 200  # lines a full event brings; a played hop appends its own

Macro = Callable[..., str]


class Drawn:
    """Each piece and request row of one film as drawn (by pieces.html's macros), kept.

    Most pieces stand over many hops, and a request's row over all its hops once done: a
    scrub, a page or a jump redraws the whole machine from pieces the stream (or an earlier
    scrub) has drawn already. A scrub of a played session drew about 70 of them, 7 ms of a
    worker's CPU; a class finishing a lesson scrubs at once. A piece is known by identity
    (the fold makes a new one when it changes, and the film keeps every one it made), a row
    by its request and status (its figures show once its last hop has played)."""

    __slots__ = ("_pieces", "_rows")

    def __init__(self) -> None:
        self._pieces: dict[int, tuple[Piece, str]] = {}
        self._rows: dict[tuple[str, str, bool], str] = {}

    def piece(self, macro: Macro, p: Piece, g: dict[str, int]) -> str:
        kept = self._pieces.get(id(p))
        if kept is not None and kept[0] is p:
            return kept[1]
        html = macro(p, g)
        self._pieces[id(p)] = (p, html)  # held: its id is not another piece's while kept
        return html

    def row(self, macro: Macro, r: Piece, g: dict[str, int], oob: bool = False) -> str:
        key = (r["id"], r["status"], oob)
        html = self._rows.get(key)
        if html is None:
            html = self._rows[key] = macro(r, g, oob=oob)
        return html


@dataclass(frozen=True, slots=True)
class Film:
    """Everything the page needs for any hop of one session version, built once."""

    diagram: Diagram
    moves: list[Move]
    pieces: Pieces
    colours: dict[str, int]
    by_request: dict[str, list[int]]
    # each hop's line of the log as drawn, kept as the page, a stream or a scrub draws it:
    # a scrub's log is up to LOG_TAIL lines, most of them drawn before
    lines: dict[int, str] = field(default_factory=dict)
    drawn: Drawn = field(default_factory=Drawn)

    def log(self, hops: Sequence[Hop], k: int) -> Markup:
        """The log's last lines up to hop ``k``, which is lit (none before the first hop)."""
        if k < 0:
            return Markup("")
        kept = [self.line(hops, j) for j in range(max(0, k + 1 - LOG_TAIL), k)]
        return Markup("".join([*kept, hop_parts.log_line(hops[k], self.colours, current=True)]))

    def line(self, hops: Sequence[Hop], k: int) -> str:
        """Hop ``k``'s line of the log, as a played hop appends it."""
        line = self.lines.get(k)
        if line is None:
            line = self.lines[k] = hop_parts.log_line(hops[k], self.colours)
        return line

    def trail(self, k: int) -> str:
        """The links hop ``k``'s request has travelled, up to and including hop ``k``."""
        if k < 0:
            return ""
        request = self.moves[k].request
        ks = self.by_request[request]
        return "".join(self.moves[j].path for j in ks[: bisect_right(ks, k)])

    def span(self, k: int) -> str:
        """The first and last hop of hop ``k``'s request ("" before the first hop)."""
        if k < 0:
            return ""
        ks = self.by_request[self.moves[k].request]
        return f"{ks[0]} {ks[-1]}"


class Films:
    """The most recently used sessions' films (a film is a pass over the trace), kept by
    the session's content: sessions of the same scenario and commands share one, and the
    hop events rendered from it (``events``).

    Weighed by their hops (a film holds about a kilobyte a hop, 0.6 KB more once the
    hop's log line is drawn, and 0.9 KB more once a stream and two scrubs have drawn its
    pieces): enough for the sessions of a class a worker serves, each of its own, so a
    student's page, stream and scrubs build their film once, not once each.
    A film being built is built once: the others who ask for it meanwhile wait for it."""

    def __init__(
        self,
        max_hops: int = 60_000,
        event_bytes: int = 16 * 2**20,
        frame_bytes: int = 32 * 2**20,
    ) -> None:
        self._cache: HopBoundedCache[tuple[str, str], Film] = HopBoundedCache(max_hops)
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}
        self.events: HopEvents[str] = HopEvents(event_bytes)
        # the same events framed for a stream, as the bytes on the wire: a class streaming
        # one content encodes each event once, not once a student
        self.frames: HopEvents[bytes] = HopEvents(frame_bytes)

    def of(self, live: Live, profile: Profile = LAPTOP) -> Film:
        key = (live.digest, profile.name)
        film = self._cache.get(key)
        if film is not None:
            return film
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            film = self._cache.get(key)
            if film is None:
                film = build_film(live, profile)
                self._cache.put(key, film, hops=len(film.moves))
        with self._lock:
            self._building.pop(key, None)
        return film


Event = TypeVar("Event", str, bytes)


class HopEvents(Generic[Event]):
    """Hop events as rendered (or framed), kept by (content digest, profile, hop) up to a
    total size.

    An event is the same for every session of the same content (it names no session), so
    a class playing the same scenario renders each hop once per worker, not once a student.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[tuple[str, str, int], Event] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, int]) -> Event | None:
        with self._lock:
            event = self._kept.get(key)
            if event is not None:
                self._kept.move_to_end(key)
            return event

    def put(self, key: tuple[str, str, int], event: Event) -> None:
        with self._lock:
            if key in self._kept or len(event) > self.max_bytes:
                return
            self._kept[key] = event
            self._bytes += len(event)
            while self._bytes > self.max_bytes:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= len(dropped)


def build_film(live: Live, profile: Profile = LAPTOP) -> Film:
    diagram = layout(live.scenario, profile)
    colours = {g.id: i for i, g in enumerate(live.scenario.guests)}
    hops = live.trace.hops
    by_request: dict[str, list[int]] = {}
    for hop in hops:
        by_request.setdefault(hop.request, []).append(hop.seq)
    return Film(
        diagram=diagram,
        moves=moves(diagram, hops, colours),
        pieces=Pieces(live.scenario, live.trace, diagram),
        colours=colours,
        by_request=by_request,
    )


def profile_named(name: str) -> Profile:
    return PROFILES.get(name, LAPTOP)


def page_context(iovlab: Iovlab, live: Live, k: int, profile: Profile = LAPTOP) -> dict[str, Any]:
    """What the page draws once: the diagram with every piece as it stands after hop ``k``."""
    film = iovlab.films.of(live, profile)
    hops = live.trace.hops
    k = max(-1, min(k, len(hops) - 1))
    return {
        "session": live,
        "film": film,
        "dg": film.diagram,
        "g": film.colours,
        "GUEST_COLOURS": GUESTS,
        "k": k,
        "total": len(hops),
        "hop": hops[k] if k >= 0 else None,
        "move": film.moves[k] if k >= 0 else None,
        "trail": film.trail(k),
        "state": film.pieces.at(k),
        "requests": film.pieces.requests_at(k, hops),
        "log": film.log(hops, k),
        "markers": markers(live, film),
        "record": _record(live, film, k),
        "span": film.span(k),
        "hop_interval_s": iovlab.settings.hop_interval_s,
    }


def column_context(iovlab: Iovlab, live: Live, k: int) -> dict[str, Any]:
    """What a follower's phone draws: the column of hop ``k``'s device, its pieces, the token."""
    film = iovlab.films.of(live, PHONE)
    hops = live.trace.hops
    k = max(-1, min(k, len(hops) - 1))
    return {
        "film": film,
        "dg": film.diagram,
        "g": film.colours,
        "k": k,
        "hop": hops[k] if k >= 0 else None,
        "move": film.moves[k] if k >= 0 else None,
        "trail": film.trail(k),
        "state": film.pieces.at(k),
    }


def markers(live: Live, film: Film) -> list[tuple[int, str]]:
    """Where each guest's requests start on the scrubber, as one SVG path per guest colour.

    Positions are in a 1000-wide box, at most one mark per unit, so a trace of thousands
    of requests still makes a small page.
    """
    total = max(len(live.trace.hops) - 1, 1)
    seen: dict[int, set[int]] = {}
    for ks in film.by_request.values():
        hop = live.trace.hops[ks[0]]
        colour = film.colours.get(hop.guest, -1) if hop.guest else -1
        seen.setdefault(colour, set()).add(round(ks[0] * 1000 / total))
    return [
        (colour, "".join(f"M{x} 0v8" for x in sorted(xs))) for colour, xs in sorted(seen.items())
    ]


def _record(live: Live, film: Film, k: int) -> dict[str, Any] | None:
    if k < 0:
        return None
    return film.pieces.request_row(live.trace.hops[k].request, k)


def render_hop(
    iovlab: Iovlab,
    live: Live,
    k: int,
    *,
    full: bool = False,
    profile: str = "",
    film: Film | None = None,
    changed: dict[str, Piece] | None = None,
    keep: bool = True,
) -> str:
    """Hop ``k``'s event: what it changed, or with ``full`` every piece as it stands.

    ``film``: the session's film, when the caller holds it (a stream does, for its life),
    and ``changed`` the pieces hop ``k`` changed, when the caller has them.
    ``keep``: keep the event for the next caller (a stream keeps its framed bytes instead)."""
    templates = iovlab.templates
    chosen = profile_named(profile)
    hops = live.trace.hops
    if full:
        context = page_context(iovlab, live, k, chosen)
        return str(templates.get_template("diagram/full.html").render(full=True, **context))
    key = event_key(live, k, profile)
    kept = iovlab.films.events.get(key)
    if kept is not None:
        return kept
    film = film or iovlab.films.of(live, chosen)
    hop = hops[k]
    if changed is None:
        changed = film.pieces.changed(k)
    pieces = _macros(templates)
    event = hop_parts.hop_event(
        k=k,
        total=len(hops),
        hop=hop,
        move=film.moves[k],
        trail=film.trail(k),
        span=film.span(k),
        g=film.colours,
        record=_record(live, film, k),
        changed={pid: p for pid, p in changed.items() if not pid.startswith("req-")},
        rows=[p for pid, p in changed.items() if pid.startswith("req-")],
        starts=film.by_request[hop.request][0] == k,
        line=film.line(hops, k),
        piece=functools.partial(film.drawn.piece, pieces.piece),
        request_row=functools.partial(film.drawn.row, pieces.request_row),
    )
    if keep:
        iovlab.films.events.put(key, event)
    return event


@functools.lru_cache(maxsize=4)
def _macros(templates: Jinja2Templates) -> Any:
    """The pieces' macros, looked up once (a stream renders hundreds of events a second)."""
    return templates.get_template("diagram/pieces.html").module


def event_key(live: Live, k: int, profile: str = "") -> tuple[str, str, int]:
    """Where hop ``k``'s event is kept, rendered or framed: the same for every session of
    the same content."""
    return (live.digest, profile_named(profile).name, k)
