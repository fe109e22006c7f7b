"""How long a disk takes to serve an access: seek, rotation and transfer, and the lines of
the cost model that say so. Every guest disk lies on such a disk, a region of it
(:mod:`partitioned`) or an image file on it (:mod:`image`)."""

from __future__ import annotations

import math

from ..costs import CostLine

# HDD 7,200 rpm: one turn 8.33 ms (OSTEP ch. 37, Barracuda).
DISK_ROTATION_US = 8_333
# Seek modelled as a + b·√distance: track-to-track ~0.5 ms, full stroke ~16 ms,
# which puts the average (a third of the stroke) near 9 ms, as OSTEP's 9 ms.
DISK_TRACK_TO_TRACK_US = 500
DISK_FULL_STROKE_US = 16_000
# Transfer follows the geometry: a sector passes under the head in one turn ÷
# sectors_per_track, and consecutive sectors are read in one pass (switching
# head or track costs nothing in this model).


def seek_us(distance: int, cylinders: int) -> int:
    """Seek time for moving the arm ``distance`` cylinders on a disk of ``cylinders``."""
    if distance == 0:
        return 0
    span = max(cylinders - 1, 1)
    extra = (DISK_FULL_STROKE_US - DISK_TRACK_TO_TRACK_US) * math.sqrt(distance / span)
    return DISK_TRACK_TO_TRACK_US + round(extra)


def rotation_us(now_us: int, sector: int, sectors_per_track: int) -> int:
    """Wait until the *start* of ``sector`` (from 1) next comes under the head.

    The platter turns from angle 0 at t = 0, so at ``now_us`` the head is over
    (now_us mod turn) ÷ turn of a turn; sector s spans [(s−1)/spt, s/spt) of a
    turn. A sector whose start the head has just passed waits nearly a whole
    turn. In whole µs, rounded down: ((s−1)·turn ÷ spt − now mod turn) mod turn.
    """
    # Counted in 1/spt µs so that the sector's start is a whole number.
    head = now_us % DISK_ROTATION_US * sectors_per_track
    start = (sector - 1) * DISK_ROTATION_US
    return (start - head) % (DISK_ROTATION_US * sectors_per_track) // sectors_per_track


def transfer_us(sectors: int, sectors_per_track: int) -> int:
    """``sectors`` consecutive sectors passing under the head: n × turn ÷ spt, rounded
    to the nearest µs (halves up)."""
    return (2 * sectors * DISK_ROTATION_US + sectors_per_track) // (2 * sectors_per_track)


DISK_COSTS = (
    CostLine(
        "disk rotation (7,200 rpm)",
        (
            "8,333 µs a turn; wait until the start of sector s: ((s−1) × 8,333 ÷ spt − t mod "
            "8,333) mod 8,333 µs, rounded down"
        ),
        "OSTEP ch. 37",
    ),
    CostLine(
        "disk seek",
        "0 on the same cylinder, else 500 + 15,500·√(d ÷ (cylinders−1)) µs",
        "track-to-track 0.5 ms, full stroke 16 ms",
    ),
    CostLine(
        "disk transfer",
        (
            "n sectors × 8,333 ÷ spt µs, rounded (one sector at 32 a track = 260 µs); consecutive"
            " sectors in one pass, head and track switches cost nothing"
        ),
        (
            "the geometry: a sector passes the head in turn ÷ spt — a small, slow teaching disk"
            " (a real one has 1,000+ sectors a track, ≈3 µs a sector)"
        ),
    ),
)
