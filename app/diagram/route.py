"""Which station a hop lights, and the drawn link its token travels to get there.

A request's token starts at its first hop (a guest's application, or the device where
outside input arrives) and from then on moves from the station of the request's previous
hop to the station of this one, along the rails of the device's column: down the left rail
when the next station is lower, up the right one when it is higher.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from app.sim import Hop

from .layout import GAP, Diagram, Station, station_id

DOWN, UP = "down", "up"


@dataclass(frozen=True, slots=True)
class Move:
    """Where hop ``k``'s token ends (on a rail, touching its station) and the link it takes."""

    k: int
    request: str
    station: str
    rail: str  # down | up
    x: float
    y: float
    path: str  # SVG path data from the previous hop's station; "" where the request starts
    colour: int  # the request's guest's index, -1 for outside input nobody owns
    status: str | None  # on the status reply: ok or the error code


def station_of(diagram: Diagram, hop: Hop, guests: frozenset[str] | None = None) -> Station:
    """The station a hop lights: the element the hop's summary speaks of (``guests``: the
    diagram's, when the caller has them at hand)."""
    guests = guests if guests is not None else frozenset(r.guest for r in diagram.rows)
    stage, device = hop.stage, hop.device
    if stage == "guest_app":
        return diagram.stations[station_id("app", device, _guest(hop, guests))]
    if stage == "guest_driver":
        return diagram.stations[station_id("drv", device, _guest(hop, guests))]
    if stage in ("vmm_trap", "interrupt"):
        return diagram.stations[station_id("bus", device)]
    if stage == "device_model":
        return diagram.stations[station_id("model", device)]
    if stage == "physical_mapping":
        # a console switch re-plugs another device: its owner table is the one that changes
        target = hop.detail.get("target")
        if "owner_before" in hop.detail and station_id("map", str(target)) in diagram.stations:
            return diagram.stations[station_id("map", str(target))]
        return diagram.stations[station_id("map", device)]
    if stage == "physical_device":
        return (
            diagram.stations.get(station_id("hw", device))
            or diagram.stations[station_id("map", device)]
        )
    # status_reply: where it is given. A guest's own OS answers its application (input
    # already queued there); a device that has finished a job on its own says so itself (a
    # printer with its output tray); else the VMM gives the requesting guest's driver its
    # status, and a frame nobody owns ends in the VMM table that dropped it.
    if hop.actor in guests:
        return diagram.stations[station_id("app", device, hop.actor)]
    if hop.actor == device and station_id("hw", device) in diagram.stations:
        return diagram.stations[station_id("hw", device)]
    if hop.guest in guests:
        return diagram.stations[station_id("drv", device, hop.guest)]
    return diagram.stations[station_id("map", device)]


def _guest(hop: Hop, guests: frozenset[str]) -> str:
    if hop.actor in guests:
        return hop.actor
    if hop.guest in guests:
        return str(hop.guest)
    return next(iter(sorted(guests)))  # never happens for a well-formed trace


def moves(diagram: Diagram, hops: list[Hop], colours: dict[str, int]) -> list[Move]:
    """Every hop's move, in one pass over the trace."""
    last: dict[str, Move] = {}  # each request's previous move
    out = []
    guests = frozenset(r.guest for r in diagram.rows)
    for hop in hops:
        station = station_of(diagram, hop, guests)
        move = _move(diagram, hop, station, last.get(hop.request), colours)
        last[hop.request] = move
        out.append(move)
    return out


def _move(
    diagram: Diagram, hop: Hop, station: Station, before: Move | None, colours: dict[str, int]
) -> Move:
    column = diagram.column(station.device)
    box = station.box
    y = box.mid_y
    status = str(hop.detail.get("status")) if hop.stage == "status_reply" else None
    colour = colours.get(hop.guest, -1) if hop.guest is not None else -1
    if before is None:
        rail = DOWN if station.kind in ("app", "drv") else UP
        x = column.down_x if rail == DOWN else column.up_x
        return Move(hop.seq, hop.request, station.id, rail, x, y, "", colour, status)
    start = diagram.stations[before.station]
    if start.id == station.id:  # another register access at the same place: the token stays
        return Move(
            hop.seq, hop.request, station.id, before.rail, before.x, before.y, "", colour, status
        )
    rail = DOWN if y > start.box.mid_y else UP
    if start.device != station.device:
        rail = DOWN if y > diagram.channel_y else UP
    x = column.down_x if rail == DOWN else column.up_x
    path = _path(diagram, before, start, station, x, y)
    return Move(hop.seq, hop.request, station.id, rail, x, y, path, colour, status)


def _path(diagram: Diagram, before: Move, start: Station, end: Station, x: float, y: float) -> str:
    x0, y0 = before.x, before.y
    if start.device != end.device:
        # along the channel under the VMM's models, from one column's rail to the other's
        cy = diagram.channel_y
        return f"M{_n(x0)} {_n(y0)}V{_n(cy)}H{_n(x)}V{_n(y)}"
    if x0 == x:
        return f"M{_n(x0)} {_n(y0)}V{_n(y)}"
    # change rails in the gap just beyond the start's box, never across a box
    gap = start.box.bottom + GAP / 2 if y > y0 else start.box.y - GAP / 2
    return f"M{_n(x0)} {_n(y0)}V{_n(gap)}H{_n(x)}V{_n(y)}"


@functools.lru_cache(maxsize=8192)  # a film's paths reuse a few hundred coordinates
def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
