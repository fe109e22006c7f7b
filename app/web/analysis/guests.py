"""Each guest's colour and shape on the analysis pages: the drawn player's, from one table.

The colours come from ``app.diagram.colours`` and nowhere else, so a guest is the same
colour on the compare and contention pages as in the player; the second cue is the
player's too (guests 1-8 a circle, 9-16 a square, and the guest's name beside it).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.diagram.colours import GUESTS, shape
from app.sim.scenario import Scenario

# what the player draws for a hop no guest owns (a frame from outside, say)
NOBODY = "#1B1F24"


@dataclass(frozen=True, slots=True)
class GuestKey:
    name: str
    index: int  # -1: no guest
    colour: str
    shape: str  # "circle" or "square"


def guest_keys(scenario: Scenario) -> dict[str, GuestKey]:
    """Every guest of the scenario by name, in the order the player colours them."""
    return {
        g.id: GuestKey(g.id, i, GUESTS[i % len(GUESTS)], shape(i % len(GUESTS)))
        for i, g in enumerate(scenario.guests)
    }


def key_of(keys: dict[str, GuestKey], guest: str | None) -> GuestKey:
    """A guest's key; an outside event (no guest) is drawn in the player's ink."""
    if guest is not None and guest in keys:
        return keys[guest]
    return GuestKey(guest or "—", -1, NOBODY, "square")
