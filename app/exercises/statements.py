"""True/false statements for the misconceptions of I/O virtualization.

Each idea can be put one way or the other (a true statement, or the misconception
itself), so the answers vary with the drawing; each says why, what the wrong answer
reveals, and, where a scenario has the device for it, a request whose trace shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from app.sim import Scenario

from . import showcases as show
from .showcases import Shown


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    true: bool
    why: str
    wrong: str  # what the wrong answer reveals
    stage: str  # where on the I/O path the idea lives
    show: Callable[[Scenario], Shown | None] | None = None


@dataclass(frozen=True, slots=True)
class Idea:
    key: str
    ways: tuple[Statement, ...]  # one is drawn per question


def _idea(key: str, *ways: Statement) -> Idea:
    return Idea(key, ways)


DEDICATED_VMM = "the VMM is bypassed for a dedicated device"
PHYSICAL_SECTORS = "a guest on a partitioned disk sees physical sector numbers"
INTERLEAVED = "two guests' printed pages interleave"
VSWITCH_NIC = "a frame between two guests on one host goes through the physical NIC"
COUNT_HURTS = "trapping at the I/O-operation level is cheap because each trap is small"
SYSCALL_ALWAYS = "the VMM can always intercept at the system-call level"
PV_ZERO = "paravirtual means zero exits"
PV_ONE = "paravirtual means one exit per request"
PASSTHROUGH_VMM = "passthrough requests are still routed through the VMM"
SECTOR_FREE = "a sector under the head costs nothing"
EVERY_FRAME = "a shared NIC lets every guest see every frame"
EXIT_CHEAP = "an exit costs about a function call"
MIGRATES = "any device can be passed through and the guest still live-migrates"

IDEAS: tuple[Idea, ...] = (
    _idea(
        "dedicated_vmm",
        Statement(
            "A key pressed on a dedicated keyboard goes straight to the guest that owns it, "
            "without passing through the VMM.",
            False,
            "The physical interrupt goes to the VMM, which looks up the owner in its table and "
            "injects a virtual interrupt into that guest only.",
            DEDICATED_VMM,
            "mapping",
            show.key_press,
        ),
        Statement(
            "A key pressed on a dedicated keyboard passes through the VMM, which looks up the "
            "keyboard's owner and interrupts only that guest.",
            True,
            "Dedicated means one owner at a time, not no VMM: the VMM takes the physical "
            "interrupt, looks up the owner and injects a virtual interrupt into it.",
            DEDICATED_VMM,
            "mapping",
            show.key_press,
        ),
    ),
    _idea(
        "virtual_blocks",
        Statement(
            "A guest on a partitioned disk addresses the disk's physical blocks, so it must "
            "know where its region starts.",
            False,
            "The guest sees its own virtual blocks from 0; only the VMM's mapping table knows "
            "where the region starts, and adds it.",
            PHYSICAL_SECTORS,
            "mapping",
            show.disk_mapping,
        ),
    ),
    _idea(
        "whole_jobs",
        Statement(
            "When two guests print at the same time, their pages come out interleaved.",
            False,
            "The VMM's spool table feeds the printer one whole job at a time: the second "
            "guest's first page waits for the first guest's last.",
            INTERLEAVED,
            "device",
            show.two_prints,
        ),
        Statement(
            "When two guests print at the same time, one guest's whole job comes out before "
            "the other's first page.",
            True,
            "Spooling shares the printer by whole jobs, never page by page: the VMM's spool "
            "table feeds it one job at a time.",
            INTERLEAVED,
            "device",
            show.two_prints,
        ),
    ),
    _idea(
        "vswitch",
        Statement(
            "A frame from one guest to another on the same host's virtual switch goes out "
            "through the physical network card.",
            False,
            "A virtual switch has no hardware behind it: the VMM copies the frame from one "
            "vNIC to the other in memory.",
            VSWITCH_NIC,
            "device",
            show.between_guests,
        ),
        Statement(
            "A frame from one guest to another on the same host's virtual switch never touches "
            "the physical network card.",
            True,
            "The VMM copies the frame from one vNIC to the other in memory: a device with no "
            "hardware behind it.",
            VSWITCH_NIC,
            "device",
            show.between_guests,
        ),
    ),
    _idea(
        "trap_count",
        Statement(
            "At the I/O-operation level, printing one page costs only a handful of traps.",
            False,
            "Every register access traps: about four per byte on a parallel port, so thousands "
            "for a page. Each trap is small; their number is what hurts.",
            COUNT_HURTS,
            "trap",
            show.page_at_io_operation,
        ),
    ),
    _idea(
        "syscall_level",
        Statement(
            "A VMM can catch and carry out any guest's requests at the system-call level, "
            "whatever the guest OS.",
            False,
            "To act on a system call the VMM must understand the guest OS's calls and file "
            "system; for an OS it does not know, it cannot.",
            SYSCALL_ALWAYS,
            "trap",
            show.unknown_os_call,
        ),
    ),
    _idea(
        "paravirtual_exits",
        Statement(
            "With a paravirtual (virtio) driver, a request makes no VM exit at all.",
            False,
            "The driver still notifies the VMM (one exit) when the backend is idle; only "
            "requests added while the backend polls the ring go without one.",
            PV_ZERO,
            "trap",
            show.one_send,
        ),
        Statement(
            "With a paravirtual (virtio) driver, every request costs exactly one VM exit, "
            "however busy the device is.",
            False,
            "A request added while the backend still polls the ring needs no notification: "
            "under load, one exit covers a batch, and exits per request fall below one.",
            PV_ONE,
            "trap",
            show.burst,
        ),
        Statement(
            "Under load, a virtio driver's VM exits per request fall below one.",
            True,
            "The backend polls the ring after its last work, so requests added meanwhile need "
            "no notification: one exit covers a batch.",
            PV_ONE,
            "trap",
            show.burst,
        ),
    ),
    _idea(
        "passthrough_path",
        Statement(
            "A request to a device passed through to a guest (VFIO, an SR-IOV virtual "
            "function) goes through the VMM on its way to the device.",
            False,
            "The guest's own driver writes the device's registers with no trap, and the "
            "device's DMA goes through the IOMMU, not the VMM; at most its interrupt comes "
            "back through the VMM.",
            PASSTHROUGH_VMM,
            "trap",
            show.passthrough_send,
        ),
    ),
    _idea(
        "sector_time",
        Statement(
            "A disk request for a block on the cylinder the arm is already over costs no "
            "device time.",
            False,
            "It needs no seek, but it still waits for the sector to turn under the head and "
            "for the transfer.",
            SECTOR_FREE,
            "device",
            show.disk_again,
        ),
    ),
    _idea(
        "demultiplex",
        Statement(
            "On a shared network card, every guest's vNIC receives every frame that arrives.",
            False,
            "The VMM demultiplexes an arriving frame by its destination MAC: only the guest "
            "with that MAC gets it (a broadcast goes to all).",
            EVERY_FRAME,
            "mapping",
            partial(show.frame_for, mac=None),
        ),
        Statement(
            "A broadcast frame arriving on a shared network card reaches every guest.",
            True,
            "ff:ff:ff:ff:ff:ff matches every vNIC: the VMM copies the frame to each guest.",
            "a broadcast goes to one guest only",
            "mapping",
            partial(show.frame_for, mac=show.BROADCAST),
        ),
        Statement(
            "A frame arriving on a shared network card for a MAC no guest's vNIC has reaches "
            "no guest.",
            True,
            "The VMM looks the MAC up in its vNIC table; no row has it, so it drops the frame "
            "(a learning bridge would flood it, and every guest's NIC filter would drop it).",
            "an unknown MAC is handed to every guest",
            "mapping",
            partial(show.frame_for, mac=show.NOBODY_MAC),
        ),
    ),
    _idea(
        "exit_cost",
        Statement(
            "A VM exit costs about as much as a function call.",
            False,
            "An exit and re-entry take about 10³ cycles (this model: 1 µs) plus cache effects, "
            "hundreds of times a function call.",
            EXIT_CHEAP,
            "trap",
            show.one_send,
        ),
    ),
    _idea(
        "migration",
        Statement(
            "A guest with a passed-through NIC can be live-migrated as easily as one with a "
            "virtio NIC.",
            False,
            "The device's state lives in the hardware, not in the VMM, and the target host "
            "must have the same device free: passthrough gives up easy live migration and "
            "sharing.",
            MIGRATES,
            "device",
        ),
    ),
    _idea(
        "bounds",
        Statement(
            "A request past the end of a guest's partition is refused by the VMM without "
            "touching the disk.",
            True,
            "The VMM checks every request against the guest's region and refuses one that "
            "reaches past it, so no neighbour's block is ever written.",
            "the VMM passes a block on without checking the partition's bounds",
            "status",
            show.disk_past_end,
        ),
    ),
    _idea(
        "iommu",
        Statement(
            "The IOMMU refuses a passed-through device's DMA to an address outside its "
            "guest's memory.",
            True,
            "The IOMMU maps exactly the guest's memory; the first address in no region is "
            "refused and the VMM is told.",
            "a passed-through device can DMA anywhere in host memory",
            "mapping",
            partial(show.passthrough_send, stray=True),
        ),
    ),
    _idea(
        "unwritten_cluster",
        Statement(
            "Reading a cluster of a qcow2-style image that was never written returns zeros "
            "without touching the physical disk.",
            True,
            "Its L1 or L2 entry is empty, so there is nothing on the disk to read: the VMM "
            "answers with zeros.",
            "every read of a guest's disk reaches the physical disk",
            "mapping",
            show.unwritten_cluster,
        ),
    ),
    _idea(
        "rebuild",
        Statement(
            "At the I/O-operation level the VMM sees only register accesses (port and value) "
            "and must rebuild the request from them.",
            True,
            "Each access of the guest's own driver is an exit of its own; the VMM's device "
            "model puts the request back together from them.",
            "the VMM sees the whole request at every level",
            "trap",
            show.disk_at_io_operation,
        ),
    ),
    _idea(
        "bare_machine",
        Statement(
            "On the bare machine, with no VMM, the same request takes no trap at all.",
            True,
            "The guest's driver is on the real device: there is nothing to catch, and that is "
            "the baseline every overhead is measured against.",
            "traps are part of a device's own cost",
            "trap",
        ),
    ),
)
