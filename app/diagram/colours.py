"""Sixteen guest colours, each with a second cue, so no guest is told apart by hue alone.

The first eight are Okabe and Ito's palette, the next eight Paul Tol's "muted" one: both
chosen to stay apart under the common kinds of colour blindness. Guests 1-8 are drawn as
circles, 9-16 as squares, and every guest is named wherever its colour appears.
"""

from __future__ import annotations

GUESTS = (
    "#E69F00",  # orange
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#5B6470",  # grey
    "#332288",  # indigo
    "#88CCEE",  # cyan
    "#44AA99",  # teal
    "#117733",  # green
    "#999933",  # olive
    "#DDCC77",  # sand
    "#CC6677",  # rose
    "#882255",  # wine
)


def shape(index: int) -> str:
    return "circle" if index < 8 else "square"
