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

from dataclasses import dataclass

from app.sim.scenario import CATEGORY_OF_TYPE, Scenario

# Width of each device type's column, relative to a keyboard's: a disk shows a mapping
# table and a track, a NIC a wire of frames.
COLUMN_WEIGHT = {
    "keyboard": 1.0,
    "mouse": 1.0,
    "console_switch": 1.0,
    "vswitch": 1.0,
    "printer": 1.5,
    "nic": 1.7,
    "disk": 2.3,
    "image": 1.7,
    "passthrough": 1.3,
}
OTHER_WEIGHT = 1.3  # a device type this table does not know yet


@dataclass(frozen=True, slots=True)
class Profile:
    """The sizes of one way of showing the diagram (a laptop page, a projector)."""

    name: str
    width: int
    font: int  # body text of the boxes, in user units (= CSS px at scale 1)
    gutter: int  # the band and guest names on the left
    strip: int  # the narrow gutter beside the one column a phone shows (names only, no labels)
    header: int
    row_max: int  # a guest row with few guests
    row_min: int  # and with many (16 still fit one short line each)
    guest_band: int  # the height the guest rows share before they shrink to row_min
    bus: int
    model: int
    table: int
    hardware: int
    rail_inset: int  # from the column's edge to its rails
    token_r: int
    unit_max: int  # the widest a keyboard's column gets (a disk's is 2.3 times that)
    column: int = 0  # every column this wide, whatever its device (0: by the device's weight)


LAPTOP = Profile(
    name="laptop",
    width=1040,
    font=12,
    gutter=78,
    strip=40,  # a disk's column and this fit a 390-px phone at 1 px per unit
    header=40,
    row_max=84,
    row_min=40,
    guest_band=200,
    bus=30,
    model=24,
    table=112,
    hardware=96,
    rail_inset=7,
    token_r=8,
    unit_max=150,
)
PROJECTOR = Profile(
    name="projector",
    width=1500,
    font=26,  # 24 px and more once the drawing is scaled to a 1920-px projector
    gutter=140,  # "category" and "hardware" at 26 units
    strip=64,
    header=70,
    row_max=170,
    row_min=64,
    guest_band=340,
    bus=48,
    model=40,
    table=250,
    hardware=190,
    rail_inset=15,  # the gap between two columns holds a name like r10 at 26 units
    token_r=15,
    unit_max=420,  # a lesson of one device fills the projector too
)
# A follower's phone shows one column at a time, the width of the screen: every column as
# wide, the names beside it narrow, so that the boxes' text is 14 px and more on a 390-px phone.
PHONE = Profile(
    name="phone",
    width=360,  # the gutter, one column and the token's halo beside its up rail
    font=14,
    gutter=48,
    strip=48,
    header=46,
    row_max=96,
    row_min=46,
    guest_band=240,
    bus=34,
    model=28,
    table=136,
    hardware=112,
    rail_inset=7,
    token_r=9,
    unit_max=302,
    column=302,
)
PROFILES = {p.name: p for p in (LAPTOP, PROJECTOR)}  # the whole machine is drawn in these

GAP = 6  # between two boxes of a column, and between bands


def label_room(p: Profile) -> int:
    """How far a request's name (three characters, r10) beside a token on a column's up rail
    reaches past the column's edge: the last column leaves this much to its right."""
    name = 3 * 0.6 * p.font  # monospace, as static/player.css draws it
    return max(0, round(name - (p.token_r / 2 - 1) - (p.rail_inset + 2)))


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

    def column(self, device: str) -> Column:
        return next(c for c in self.columns if c.device == device)

    def row(self, guest: str) -> GuestRow:
        return next(r for r in self.rows if r.guest == guest)


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
            split_y=guests_top + i * row_h + max(round(row_h * 0.4), p.font + 7),
        )
        for i, g in enumerate(scenario.guests)
    )
    bus = Box(0, guests_band.bottom + GAP, p.width, p.bus)
    vmm_band = Box(0, bus.y, p.width, p.bus + GAP + p.model + GAP + p.table + GAP)
    model_y = bus.bottom + GAP
    table_y = model_y + p.model + GAP
    hardware_band = Box(0, vmm_band.bottom + GAP, p.width, p.hardware + 2 * GAP)
    columns = _columns(scenario, p)
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


def _columns(scenario: Scenario, p: Profile) -> tuple[Column, ...]:
    weights = [COLUMN_WEIGHT.get(d.type, OTHER_WEIGHT) for d in scenario.devices]
    # few devices make narrower columns, not emptier ones
    unit = min(p.unit_max, (p.width - p.gutter - label_room(p)) / max(sum(weights), 1.0))
    columns = []
    x = float(p.gutter)
    for device, weight in zip(scenario.devices, weights, strict=True):
        w = p.column or weight * unit
        columns.append(
            Column(
                device=device.id,
                type=device.type,
                category=CATEGORY_OF_TYPE[device.type],
                x=x,
                w=w,
                down_x=x + p.rail_inset + 2,
                up_x=x + w - p.rail_inset - 2,
            )
        )
        x += w
    return tuple(columns)
