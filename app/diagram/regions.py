"""Whose each region of a partitioned disk is, readable however narrow the region.

The disk's cylinders are drawn as a bar, one region per guest in its colour. A region names
its guest inside it when the name fits (with its cylinders when those fit too); a region too
narrow for its name is named under the bar instead, by the guest's chip (its colour, its
marker and its name) joined to the region by a leader line: one row of chips in the regions'
order, so no two leaders cross. When even that row cannot hold them, the chips are listed
under the bar in the regions' order.

Widths are estimated in ems from the widths of DejaVu Sans (the widest of the fonts the
page's ``system-ui`` becomes), so a label judged to fit does fit in a narrower font.
"""

from __future__ import annotations

from dataclasses import dataclass

# advance widths in ems of DejaVu Sans, the characters a region's label is made of
WIDTH = {" ": 0.318, "·": 0.318, "–": 0.5, "-": 0.361, "C": 0.698, "m": 0.974, "w": 0.818}
WIDTH.update(dict.fromkeys("0123456789", 0.636))
LOWER, UPPER, OTHER = 0.62, 0.72, 0.66
PAD = 0.4  # a label's padding inside its region, both sides
CHIP = 1.05  # a chip's marker and the space after it
GAP = 0.5  # between two labels of a row under the bar


def text_em(text: str) -> float:
    return sum(
        WIDTH.get(c, LOWER if c.islower() else UPPER if c.isupper() else OTHER) for c in text
    )


@dataclass(frozen=True, slots=True)
class Callout:
    """A region's name under the bar: the chip at ``x`` (in % of the bar) and the leader from
    the region's middle (``middle``, %) to the chip's top (``anchor``, %)."""

    guest: str
    x: float
    middle: float
    anchor: float


def inside(guest: str, cylinders: str, width_em: float) -> str:
    """What a region of ``width_em`` names inside it: its guest and cylinders ("full"), its
    guest ("name") or nothing ("")."""
    if CHIP + text_em(f"{guest} · {cylinders}") + PAD <= width_em:
        return "full"
    if CHIP + text_em(guest) + PAD <= width_em:
        return "name"
    return ""


def callouts(named: list[tuple[str, float, float]], bar_em: float) -> list[Callout] | None:
    """The chips, in one row under the bar, of the regions (guest, left %, width %) too narrow
    to name their guest: in the regions' order, each as near under its region as the others
    leave room for, so that no two leaders cross. None when they do not fit in the row (the
    regions are then named in order under the bar)."""
    sizes = [CHIP + text_em(guest) for guest, _, _ in named]
    if sum(sizes) + GAP * (len(sizes) - 1) > bar_em:
        return None
    middles = [(left + width / 2) * bar_em / 100 for _, left, width in named]
    xs = [m - size / 2 for m, size in zip(middles, sizes, strict=True)]
    for i in range(len(xs)):  # no chip before the bar's start nor on the one before it
        xs[i] = max(xs[i], 0.0, xs[i - 1] + sizes[i - 1] + GAP if i else 0.0)
    for i in reversed(range(len(xs))):  # nor past its end nor on the one after it
        end = xs[i + 1] - GAP if i + 1 < len(xs) else bar_em
        xs[i] = min(xs[i], end - sizes[i])
    return [
        Callout(
            guest, pc(x, bar_em), pc(m, bar_em), pc(min(max(m, x + 0.3), x + size - 0.3), bar_em)
        )
        for (guest, _, _), x, m, size in zip(named, xs, middles, sizes, strict=True)
    ]


def pc(em: float, bar_em: float) -> float:
    return round(100 * em / bar_em, 2)
