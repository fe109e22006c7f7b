"""Which of the eight colours of the analysis pages (lanes, diffs, contention) a guest wears."""

from __future__ import annotations

from app.sessions import Live

# Okabe-Ito: told apart by the common kinds of colour blindness; every guest
# is also named on everything drawn in its colour.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#7F7F7F")


def colour_of(live: Live) -> dict[str | None, int]:
    colours: dict[str | None, int] = {
        g.id: i % len(PALETTE) for i, g in enumerate(live.scenario.guests)
    }
    colours[None] = -1
    return colours
