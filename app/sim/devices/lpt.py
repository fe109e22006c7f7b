"""The parallel port LPT1 a guest's printer driver writes a page through, byte by byte.

Per byte: write data (0x378), read status (0x379), raise and lower strobe (0x37A): four
traps per byte, so thousands per page. One access record stands for the same access
repeated for every byte of a page (``traps`` says how many exits it costs).
"""

from __future__ import annotations

from ..registers import Access, Controller

# Text on a page pushed through a parallel port, for the per-byte trap count.
PRINTER_BYTES_PER_PAGE = 2_000

LPT_JOB_DONE = (Access("in", 0x379, 0xD0, "status: not busy, job acknowledged"),)


def lpt_page() -> list[Access]:
    n = PRINTER_BYTES_PER_PAGE
    return [
        Access("out", 0x378, 0x41, "data: one byte of the page", n),
        Access("in", 0x379, 0x90, "status: not busy", n),
        Access("out", 0x37A, 0x0D, "control: strobe high", n),
        Access("out", 0x37A, 0x0C, "control: strobe low", n),
    ]


_PAGE_TRAPS = sum(access.traps for access in lpt_page())
LPT1 = Controller(
    "printer (LPT1)",
    "per byte: data 0x378, status 0x379, strobe high and low 0x37A — 4 traps per byte, "
    f"{_PAGE_TRAPS:,} per page of {PRINTER_BYTES_PER_PAGE:,} bytes, and one status read (0x379) "
    f"once the VMM has the whole job: {_PAGE_TRAPS + len(LPT_JOB_DONE):,} for a one-page job. "
    "One hop stands for the same access repeated for every byte of a page; `detail.traps` "
    "says how many exits it costs.",
)
