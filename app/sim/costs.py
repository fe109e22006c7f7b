"""The cost model: every time the simulation charges, with where it comes from.

All values are whole microseconds, orders of magnitude for teaching, not the
measurement of one machine; the page says so. A request's time splits into
*overhead* (what virtualization adds: VM exits, emulation, interrupt
injection, interpreting a system call) and *device time* (what the physical or
virtual device itself takes). Waiting in a device's queue is neither; it shows
in the latency only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# --- virtualization overhead --------------------------------------------

# VM exit + entry round trip on hardware: ~2,000 cycles ≈ 0.7 µs on a Xeon
# X5570 (SplitX, USENIX ATC 2011); AMD SVM VMRUN→#VMEXIT ≈ 1,350 cycles (LKML
# 2020). Rounded to 1 µs.
VM_EXIT_US = 1

# An exit that goes on to a user-space device model (QEMU emulating a port or
# MMIO register): a whole KVM_RUN round trip through user space ≈ 2,530 cycles
# plus the emulation; teaching default 2-5 µs on top of the exit.
EMULATE_REGISTER_US = 4

# A paravirtual request handled by the VMM's own backend (virtio-blk/net in the
# kernel, Xen's backend): one notify exit plus reading a descriptor.
PARAVIRTUAL_REQUEST_US = 1

# Interpreting a guest's system call needs the guest OS's ABI and file system
# (which file a descriptor is, which blocks hold an offset): more work than a
# register, order of a few µs (teaching default).
INTERPRET_SYSCALL_US = 3

# Injecting a virtual interrupt ~1 µs. The guest's EOI is not charged and not
# counted: this model takes the hardware to virtualize the local APIC (Intel
# APICv, AMD AVIC, as KVM uses them when present), where the EOI of an
# edge-triggered or MSI interrupt completes without an exit. Without that
# hardware each interrupt would cost one more exit: an injected interrupt and its
# EOI are then 1-2 exits.
INTERRUPT_INJECTION_US = 1

# --- device times -------------------------------------------------------

BLOCK_BYTES = 512

# HDD 7,200 rpm: one turn 8.33 ms (OSTEP ch. 37, Barracuda).
DISK_ROTATION_US = 8_333
# Seek modelled as a + b·√distance: track-to-track ~0.5 ms, full stroke ~16 ms,
# which puts the average (a third of the stroke) near 9 ms, as OSTEP's 9 ms.
DISK_TRACK_TO_TRACK_US = 500
DISK_FULL_STROKE_US = 16_000
# Transfer follows the geometry: a sector passes under the head in one turn ÷
# sectors_per_track, and consecutive sectors are read in one pass (switching
# head or track costs nothing in this model).

# Ethernet: preamble, header, FCS and inter-frame gap add 38 bytes on the wire
# (IEEE 802.3: a 1,500-byte payload is 1,538 bytes ≈ 12.3 µs at 1 Gb/s). A
# payload under 46 bytes is padded to 46, so the shortest frame is 84 bytes on
# the wire (672 ns at 1 Gb/s, 67.2 µs at 10 Mb/s).
ETHERNET_OVERHEAD_BYTES = 38
ETHERNET_MIN_PAYLOAD = 46
ETHERNET_MTU = 1500

# An in-memory copy between two vNICs on a virtual switch: ~10 GB/s memcpy,
# never less than 1 µs for the switch's bookkeeping.
MEMCPY_BYTES_PER_US = 10_000

# Printer page time = 60 s / pages_per_minute (office laser 20-40 ppm).
# Text on a page pushed through a parallel port, for the per-byte trap count.
PRINTER_BYTES_PER_PAGE = 2_000


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


def wire_us(frame_bytes: int, mbps: int) -> int:
    """Time one frame with ``frame_bytes`` of payload occupies the wire (bits ÷ Mb/s
    = µs), padded to the minimum payload, rounded up to whole µs."""
    on_wire = max(frame_bytes, ETHERNET_MIN_PAYLOAD) + ETHERNET_OVERHEAD_BYTES
    return max(1, math.ceil(on_wire * 8 / mbps))


def memcpy_us(nbytes: int) -> int:
    return max(1, math.ceil(nbytes / MEMCPY_BYTES_PER_US))


def page_us(pages_per_minute: int) -> int:
    return round(60_000_000 / pages_per_minute)


# --- passthrough (a device assigned to one guest through the IOMMU) ------

# The guest's driver writes the assigned device's registers through a mapping
# the VMM set up once (VFIO maps the BAR into the guest): no exit, no cost.
# An IOMMU translation that hits the IOTLB adds nothing a request could see; a
# miss walks the I/O page table in memory, well under 1 µs (Intel VT-d
# specification, ch. 3; Amit et al., "IOMMU: Strategies for Mitigating the
# IOTLB Bottleneck", WIOSCA 2010). Below this model's 1 µs resolution: 0.
IOMMU_TRANSLATION_US = 0

# An interrupt of an assigned device delivered through the VMM: the physical
# interrupt arrives while the guest runs and forces an external-interrupt exit
# (one VM exit), then the VMM injects it as a virtual interrupt. These exits
# are most of what passthrough still costs (Gordon et al., "ELI: Bare-Metal
# Performance for I/O Virtualization", ASPLOS 2012).
PASSTHROUGH_INTERRUPT_EXIT_US = VM_EXIT_US

# A posted interrupt (Intel VT-d posted interrupts with APICv, AMD AVIC) is
# written by the hardware into the guest's virtual APIC and delivered to the
# running vCPU, which also completes it (EOI) without an exit: no VMM time.
POSTED_INTERRUPT_US = 0

# --- virtio under load (device-driver level) ------------------------------

# After its last piece of work a virtio backend keeps polling the ring before
# it turns notifications back on: QEMU's iothreads poll for up to poll-max-ns,
# 32,768 ns by default (IOTHREAD_POLL_MAX_NS_DEFAULT); vhost has a similar
# busy-loop timeout. A request added meanwhile costs no exit.
BACKEND_POLL_US = 32

# After its last completion the guest's driver keeps taking completions from
# the used ring before it turns interrupts back on (NAPI polling; Linux's
# busy-poll sysctls suggest 50 µs, Documentation/networking/ip-sysctl.rst).
# A completion that arrives meanwhile needs no interrupt.
DRIVER_POLL_US = 50


# --- the cost model as a student reads it -----------------------------------
# One line per charge: what it is, its value (with the formula where there is one) and
# where the figure comes from. The README's cost table and the page "How the numbers are
# made" are both this list (a test holds the README to it).


@dataclass(frozen=True, slots=True)
class CostLine:
    what: str
    value: str
    source: str


COST_MODEL: tuple[CostLine, ...] = (
    CostLine(
        "VM exit + entry",
        "1 µs",
        "≈2,000 cycles on a Xeon X5570 (SplitX); ≈1,350 on AMD SVM",
    ),
    CostLine(
        "trap at I/O-operation level (exit + user-space register emulation)",
        "5 µs",
        "KVM_RUN round trip through QEMU ≈2,530 cycles + emulation",
    ),
    CostLine(
        "trap at device-driver level (exit + paravirtual request)",
        "2 µs",
        "virtio notify",
    ),
    CostLine(
        "trap at system-call level (exit + interpreting the call)",
        "4 µs",
        "teaching default",
    ),
    CostLine(
        "virtual interrupt injection",
        (
            "1 µs, and no EOI exit: the guest's EOI is neither charged nor counted (the hardware "
            "virtualizes the local APIC, Intel APICv / AMD AVIC; without it each interrupt would "
            "cost one more exit)"
        ),
        (
            "Intel SDM vol. 3C, APIC virtualization (virtual-interrupt delivery, EOI"
            " virtualization); AMD AVIC. Without it, interrupt + EOI ≈ 1–2 exits"
        ),
    ),
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
    CostLine(
        "Ethernet frame",
        (
            "(bytes + 38) × 8 ÷ Mb/s µs, rounded up; a payload under 46 bytes is padded to 46"
            " (1,500 bytes ≈ 13 µs at 1 Gb/s; the shortest frame 1 µs at 1 Gb/s, 68 µs at 10 Mb/s)"
        ),
        "IEEE 802.3 framing",
    ),
    CostLine(
        "vswitch copy",
        "bytes ÷ 10,000 µs, at least 1",
        "memcpy ≈ 10 GB/s",
    ),
    CostLine(
        "printer page",
        "60 s ÷ pages_per_minute",
        "office laser 20–40 ppm",
    ),
    CostLine(
        "IOMMU translation of a passthrough DMA",
        "0 µs",
        (
            "an IOTLB hit costs nothing visible; a miss walks the I/O page table, well under 1 µs"
            " (Intel VT-d specification; Amit et al., WIOSCA 2010)"
        ),
    ),
    CostLine(
        "passthrough interrupt through the VMM",
        "1 µs exit (counted as a trap) + injection as above",
        (
            'the physical interrupt forces an external-interrupt exit (Gordon et al., "ELI", '
            "ASPLOS 2012)"
        ),
    ),
    CostLine(
        "posted interrupt (VT-d posted interrupts with APICv, AMD AVIC)",
        "0 µs, no exit",
        "delivered into the running guest and completed there",
    ),
    CostLine(
        "virtio backend polling after its last work",
        "32 µs",
        "QEMU iothread `poll-max-ns` default 32,768 ns",
    ),
    CostLine(
        "guest driver polling the used ring after its last completion",
        "50 µs",
        "NAPI; Linux busy-poll sysctls suggest 50 µs (`ip-sysctl.rst`)",
    ),
)
