"""Where everything of the machine is drawn: bands across, one column per device.

Guests on top (one row each, its applications above a dashed line and its drivers below),
the VMM in the middle (the trap handler as one bus across every column, then each device's
model and table) and the hardware below. A device's guest cells, its VMM part and its
hardware share one column, so a request's path runs straight down it: requests down the
left rail, replies up the right one.

Pure geometry in SVG user units, computed once per scenario and profile: the page draws it
once and nothing in it moves while a trace plays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.sim.scenario import CATEGORY_OF_TYPE, Scenario

from .profiles import COLUMN_WEIGHT, LAPTOP, OTHER_WEIGHT, Profile, column_need, label_room

GAP = 6  # between two boxes of a column, and between bands


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def mid_y(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True, slots=True)
class Station:
    """A place a hop can light: a guest's application or driver, the bus, a VMM box, a device.

    ``id`` is also the id of the drawn element (``st-`` prefixed) and of the piece of the
    page that shows its state (``pc-`` prefixed).
    """

    id: str
    kind: str  # app | drv | bus | model | map | hw
    device: str
    guest: str | None
    box: Box


@dataclass(frozen=True, slots=True)
class Column:
    device: str
    type: str
    category: str
    x: float
    w: float
    down_x: float  # requests travel down this rail
    up_x: float  # replies and arriving input travel up this one

    @property
    def physical(self) -> bool:
        return self.category != "virtual"

    @property
    def cable_x(self) -> float:
        """A dedicated device's cable to its owner runs here, just beyond its up rail."""
        return self.up_x + 4


@dataclass(frozen=True, slots=True)
class GuestRow:
    guest: str
    colour: int
    y: float
    h: float
    split_y: float  # the dashed line between applications and drivers (where a system call traps)


@dataclass(frozen=True, slots=True)
class Diagram:
    profile: Profile
    width: float
    height: float
    columns: tuple[Column, ...]
    rows: tuple[GuestRow, ...]
    guests_band: Box
    vmm_band: Box
    hardware_band: Box
    bus: Box
    channel_y: (
        float  # a request that changes column (a console switch re-plugging a device) crosses here
    )
    stations: dict[str, Station]
    # looked up at every hop of a film's route and fold
    _by_device: dict[str, Column] = field(init=False, repr=False, compare=False)
    _by_guest: dict[str, GuestRow] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_device", {c.device: c for c in self.columns})
        object.__setattr__(self, "_by_guest", {r.guest: r for r in self.rows})

    def column(self, device: str) -> Column:
        return self._by_device[device]

    def row(self, guest: str) -> GuestRow:
        return self._by_guest[guest]


def station_id(kind: str, device: str, guest: str | None = None) -> str:
    return f"{kind}-{guest}-{device}" if guest is not None else f"{kind}-{device}"


def layout(scenario: Scenario, profile: Profile = LAPTOP) -> Diagram:
    p = profile
    n = len(scenario.guests)
    row_h = max(p.row_min, min(p.row_max, p.guest_band / max(n, 1)))
    guests_top = p.header
    guests_band = Box(0, guests_top, p.width, row_h * n)
    rows = tuple(
        GuestRow(
            guest=g.id,
            colour=i,
            y=guests_top + i * row_h,
            h=row_h,
            # the applications get one line at least, the drivers the rest
            # (as many as the profile wants while the drivers keep a line of their own)
            split_y=guests_top
            + i * row_h
            + max(
                round(row_h * 0.4),
                p.font + 7,
                min(p.app_h + 5, round(row_h) - 6 - max(p.drv_min, p.font + 4)),
            ),
        )
        for i, g in enumerate(scenario.guests)
    )
    bus = Box(0, guests_band.bottom + GAP, p.width, p.bus)
    vmm_band = Box(0, bus.y, p.width, p.bus + GAP + p.model + GAP + p.table + GAP)
    model_y = bus.bottom + GAP
    table_y = model_y + p.model + GAP
    hardware_band = Box(0, vmm_band.bottom + GAP, p.width, p.hardware + 2 * GAP)
    columns = _columns(scenario, p, p.snug if p.snug and n <= 2 else p.width)
    stations: dict[str, Station] = {}

    def add(kind: str, column: Column, guest: str | None, box: Box) -> None:
        sid = station_id(kind, column.device, guest)
        stations[sid] = Station(sid, kind, column.device, guest, box)

    for c in columns:
        # a cell reaches just past its rails, so the token resting on a rail touches it
        inner_x = c.down_x + p.token_r / 2
        inner_w = c.up_x - p.token_r / 2 - inner_x
        for r in rows:
            add("app", c, r.guest, Box(inner_x, r.y + 3, inner_w, r.split_y - r.y - 5))
            add("drv", c, r.guest, Box(inner_x, r.split_y + 3, inner_w, r.y + r.h - r.split_y - 6))
        add("bus", c, None, Box(inner_x, bus.y, inner_w, bus.h))
        add("model", c, None, Box(inner_x, model_y, inner_w, p.model))
        add("map", c, None, Box(inner_x, table_y, inner_w, p.table))
        if c.physical:
            add("hw", c, None, Box(inner_x, hardware_band.y + GAP, inner_w, p.hardware))
    return Diagram(
        profile=p,
        width=round(columns[-1].x + columns[-1].w + label_room(p) + 4, 1) if columns else p.width,
        height=hardware_band.bottom,
        columns=columns,
        rows=rows,
        guests_band=guests_band,
        vmm_band=vmm_band,
        hardware_band=hardware_band,
        bus=bus,
        channel_y=table_y - GAP / 2,
        stations=stations,
    )


def _widths(p: Profile, types: list[str], width: int) -> list[float]:
    """Each column's width: the room shared by weight, no column narrower than its words need
    (the others share what is left), few devices making narrower columns, not emptier ones."""
    if p.column:
        return [float(p.column)] * len(types)
    weights = [COLUMN_WEIGHT.get(t, OTHER_WEIGHT) for t in types]
    needs = [column_need(p, t) for t in types]
    room = width - p.gutter - label_room(p)
    fixed: set[int] = set()
    while True:
        free = [i for i in range(len(types)) if i not in fixed]
        left = room - sum(needs[i] for i in fixed)
        unit = min(p.unit_max, left / max(sum(weights[i] for i in free), 1.0))
        short = {i for i in free if weights[i] * unit < needs[i]}
        if not short:
            return [needs[i] if i in fixed else weights[i] * unit for i in range(len(types))]
        fixed |= short


def _columns(scenario: Scenario, p: Profile, width: int) -> tuple[Column, ...]:
    widths = _widths(p, [d.type for d in scenario.devices], width)
    columns = []
    x = float(p.gutter)
    for device, w in zip(scenario.devices, widths, strict=True):
        columns.append(
            Column(
                device=device.id,
                type=device.type,
                category=CATEGORY_OF_TYPE[device.type],
                x=x,
                w=w,
                down_x=x + p.rail,
                up_x=x + w - p.rail,
            )
        )
        x += w
    return tuple(columns)
