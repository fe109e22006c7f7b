"""The ATA/IDE controller a guest's disk driver programs: LBA28 PIO on the primary channel.

Issue: drive/head (0x1F6), sector count (0x1F2), LBA low/mid/high (0x1F3-0x1F5), command
(0x1F7: 0x30 WRITE SECTORS, 0x20 READ SECTORS). A write polls status (0x1F7) for DRQ and
moves each sector through the data port (0x1F0) with one ``rep outsw`` (string I/O: one
trap per 256-word sector). Completion: the interrupt is acknowledged by a status read
(0x1F7); a read then moves each sector in with ``rep insw``; on an error the driver reads
the error register (0x1F1).
"""

from __future__ import annotations

from ..registers import Access, Controller

ATA = Controller(
    "disk (ATA LBA28 PIO)",
    "drive/head 0x1F6, count 0x1F2, LBA 0x1F3–0x1F5, command 0x1F7 (0x30 write / 0x20 read), "
    "when the VMM checks the request's bounds; only an accepted write then polls status 0x1F7 "
    "and sends each sector with `rep outsw` to 0x1F0; completion reads status 0x1F7, a read "
    "then takes each sector with `rep insw`; an error reads 0x1F1 (a refused write sends no "
    "data: 8 traps). One block write: 9 traps. A guest's driver has one register set per "
    "controller: its second request waits in the driver (`detail.waited_us` of its "
    "`guest_driver` hop) until the first completes.",
)


def ata_command(write: bool, lba: int, count: int) -> list[Access]:
    """The task-file writes ending in the command: the controller knows the whole
    request (and can refuse it) once 0x1F7 is written."""
    return [
        Access("out", 0x1F6, 0xE0 | (lba >> 24 & 0x0F), "drive/head, LBA bits 24-27"),
        Access("out", 0x1F2, count & 0xFF, "sector count"),
        Access("out", 0x1F3, lba & 0xFF, "LBA low"),
        Access("out", 0x1F4, lba >> 8 & 0xFF, "LBA mid"),
        Access("out", 0x1F5, lba >> 16 & 0xFF, "LBA high"),
        Access("out", 0x1F7, 0x30 if write else 0x20, "command: " + _ata_command(write)),
    ]


def ata_data_out(count: int) -> list[Access]:
    """A write's data phase, only after the command was accepted: poll DRQ, then
    one ``rep outsw`` per sector."""
    return [
        Access("in", 0x1F7, 0x58, "status: DRQ, ready for data"),
        *[Access("out", 0x1F0, 256, "data: rep outsw, 256 words")] * count,
    ]


def ata_complete(write: bool, count: int, ok: bool) -> list[Access]:
    if not ok:
        return [
            Access("in", 0x1F7, 0x51, "status: ERR"),
            Access("in", 0x1F1, 0x10, "error: IDNF, sector ID not found"),
        ]
    accesses = [Access("in", 0x1F7, 0x50, "status: ready, interrupt acknowledged")]
    if not write:
        accesses += [Access("in", 0x1F0, 256, "data: rep insw, 256 words")] * count
    return accesses


def _ata_command(write: bool) -> str:
    return "WRITE SECTORS" if write else "READ SECTORS"
