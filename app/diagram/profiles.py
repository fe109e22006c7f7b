"""How the diagram is sized for each way of showing it: a laptop's page, a projector, a
follower's phone. Each profile's fonts, bands and heights, and how wide each device type's
column must be for its words to fit whole (``layout.py`` places the machine with them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    "image": 2.0,  # a layer's sentence
    "passthrough": 1.3,
}
OTHER_WEIGHT = 1.3  # a device type this table does not know yet
# The narrowest each device type's text fits whole, in ems of the profile's font: the widest
# thing its pieces show that cannot wrap (a word, a badge, a table's row), as static/player.css
# draws it on a projector, where every piece's text is a whole em. A column is never narrower
# than this and its rails' clearances, whatever its weight.
MIN_TEXT = {
    "keyboard": 4.2,  # the owner badge (key-board breaks where it must)
    "mouse": 4.2,  # the owner badge
    "console_switch": 5.1,  # a mouse0 badge
    "vswitch": 4.8,  # memory
    "printer": 4.7,  # printing
    "nic": 5.2,  # backend; an application's 1500 B ✓
    "disk": 10.3,  # a mapping table's row, the row used in bold: ● vm2 4,096 4,096
    "image": 5.6,
    "passthrough": 5.6,
}
OTHER_TEXT = 5.6
HALO = 1.7  # the token's translucent halo, in token radii
NAME = 3 * 0.6  # a request's name beside the token (r10), in ems, about as player.css draws it


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
    app_h: int = 0  # the least height of an application's cell (0: one line)
    # MIN_TEXT where this profile's pieces need other widths, in ems: a laptop's narrow
    # columns take a little of a disk's and a printer's width, so a request, a model's name or
    # a trap count wraps onto two lines rather than five, and its vNIC table keeps its columns
    text: tuple[tuple[str, float], ...] = ()
    drv_min: int = 0  # the least height of a driver's cell an application's app_h leaves it
    snug: int = 0  # the width with two guests or fewer, whose drivers' cells have lines to wrap

    @property
    def rail(self) -> int:
        """From a column's edge to its rails."""
        return self.rail_inset + 2

    @property
    def halo(self) -> float:
        return HALO * self.token_r

    @property
    def clearance(self) -> int:
        """From a rail to the text of the boxes beside it: the token resting on the rail never
        lays its halo over a box's words."""
        return math.ceil(self.halo) + 1

    @property
    def text_inset(self) -> float:
        """From a box's edge (half a token inside its rail, so the token touches it) to its text."""
        return self.clearance - self.token_r / 2

    @property
    def label_dx(self) -> float:
        """The near end of the request's name above the token, from the token's centre towards
        the lit box. The name runs the other way, out over the gap between two columns, which
        holds no station text (the clearances of both columns' rails and the rails' own gap);
        it starts just inside the rail, or further in where a name like r10 would reach past
        that gap, but always within the clearance."""
        reach = 2 * self.rail + self.clearance - 1  # from a rail to the next column's text
        return max(self.token_r / 2 - 1, math.ceil(NAME * self.font - reach))

    @property
    def beyond(self) -> int:
        """How far the halo of a token on a column's up rail reaches past the column's edge."""
        return math.ceil(max(0.0, self.halo - self.rail))


LAPTOP = Profile(
    name="laptop",
    width=1040,
    font=12,
    gutter=78,
    strip=40,  # a disk's column and this fit a 390-px phone at 1 px per unit
    header=40,
    row_max=102,  # an application's request on three lines, its driver's cell on three
    row_min=40,
    guest_band=240,  # three guests a little shorter: a phone still draws one at 12 px
    bus=32,  # two lines: the traps and the exits of the request last caught
    model=44,  # three lines: a model's name and what it did, in a column as narrow as a mouse's
    table=116,  # an image file's two layers, qcow2's arithmetic and the extent under it
    hardware=96,
    rail_inset=4,
    token_r=8,
    unit_max=150,
    app_h=45,
    drv_min=18,  # one line (three guests: an application's request still has three)
    text=(
        ("keyboard", 6.3),
        ("mouse", 6.3),
        ("vswitch", 6.3),
        ("console_switch", 6.3),
        ("printer", 6.3),
        ("nic", 11.2),
        ("disk", 11.6),
    ),
)
PROJECTOR = Profile(
    name="projector",
    width=1450,  # three guests: a driver's cell has one line, its column as wide as its words
    # two guests: as narrow as the boxes' words let a few columns be, so the narration beside
    # the drawing has the rest of the screen; seven devices draw wider (1,597), each column as
    # narrow as its words: 24.2 px
    snug=1100,
    font=26,  # 24 px and more once the drawing is scaled to a 1920-px projector
    gutter=128,  # a guest's name over its OS (windows), trap handler; hardware runs up it
    strip=64,
    header=70,
    row_max=180,  # an application's request on two lines, its driver's cell on three
    row_min=64,
    guest_band=360,
    bus=48,
    model=68,  # two lines: a model's name wraps (copy in / memory) rather than being cut
    table=260,  # a VMM spool's two files, each on two lines, under its name on two
    hardware=190,
    rail_inset=2,
    token_r=15,
    unit_max=420,  # a lesson of one device fills the projector too
    app_h=68,
    text=(("image", 13.0),),  # an image's layer: qcow2's arithmetic, on the lines of its table
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
    rail_inset=4,
    token_r=9,
    unit_max=302,
    column=302,
)
PROFILES = {p.name: p for p in (LAPTOP, PROJECTOR)}  # the whole machine is drawn in these


def label_room(p: Profile) -> int:
    """How far a request's name (three characters, r10) beside a token on a column's up rail,
    or the token's halo, reaches past the column's edge: the last column leaves this much to
    its right."""
    return max(p.beyond, round(NAME * p.font - p.label_dx - p.rail))


def column_need(p: Profile, device_type: str) -> float:
    """The narrowest column of a device type whose words fit whole between its rails."""
    ems = dict(p.text).get(device_type) or MIN_TEXT.get(device_type, OTHER_TEXT)
    return ems * p.font + 2 * (p.rail + p.clearance)
