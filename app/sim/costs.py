"""The cost model: every time the simulation charges, with where it comes from.

All values are whole microseconds, orders of magnitude for teaching, not the
measurement of one machine; the page says so. A request's time splits into
*overhead* (what virtualization adds: VM exits, emulation, interrupt
injection, interpreting a system call) and *device time* (what the physical or
virtual device itself takes). Waiting in a device's queue is neither; it shows
in the latency only.

This module holds what every device shares: the exits and traps of the levels and
virtio's polling. What one kind of device takes (a disk's seek, a frame on the wire, a
printed page, ...) is its device module's, declared there in ``COSTS``;
:func:`cost_model` gathers both into the table a student reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from .devices import gathered
from .scenario import CATEGORY_OF_TYPE

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


LEVEL_COSTS: tuple[CostLine, ...] = (
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
)

VIRTIO_COSTS: tuple[CostLine, ...] = (
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


@cache
def device_costs() -> Mapping[str, tuple[CostLine, ...]]:
    """Each device type's lines, from the device modules' ``COSTS``."""
    return gathered("COSTS")


@cache
def cost_model() -> tuple[CostLine, ...]:
    """The whole table: the levels' costs, each device type's in the order of
    ``CATEGORY_OF_TYPE`` (a line two types share, such as a disk's and an image's, once),
    then virtio's polling."""
    declared = device_costs()
    lines: list[CostLine] = []
    for kind in CATEGORY_OF_TYPE:
        lines += [line for line in declared.get(kind, ()) if line not in lines]
    return (*LEVEL_COSTS, *lines, *VIRTIO_COSTS)
