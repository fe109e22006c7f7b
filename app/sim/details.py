"""What a hop's ``detail`` holds, per stage and device category, where the page, the
exercises or :mod:`app.sim.state` read it.

The devices build their details as these types, so mypy checks every key where a hop
is made; the trace's JSON is unchanged (a TypedDict is a plain dict at run time).
"""

from __future__ import annotations

from typing import Any, TypedDict


class Traps(TypedDict):
    """A ``vmm_trap`` hop: how many exits it stands for and what they cost."""

    traps: int
    cost_us: int


class DriverTrap(Traps):
    """A ``vmm_trap`` hop at the device-driver level: the paravirtual request whole."""

    call: str
    request: dict[str, Any]


class SyscallTrap(Traps):
    """A ``vmm_trap`` hop at the system-call level: the call in the guest OS's own name."""

    syscall: str
    number: int | None
    args: dict[str, Any]
    os: str
    os_known: bool


class RegisterTrap(Traps):
    """A ``vmm_trap`` hop at the I/O-operation level: one register access."""

    access: str
    port: str
    value: int
    register: str


class DiskServed(TypedDict):
    """A disk's ``physical_device`` hop: where the arm went and what it took."""

    physical_block: int
    count: int
    cylinder: int
    head: int
    sector: int
    from_cylinder: int
    seek_us: int
    rotation_us: int
    transfer_us: int
    service_us: int
    waited_us: int


class SpoolRow(TypedDict):
    """A row of the VMM's spool table: one spool file."""

    file: int
    guest: str
    guest_job: int | None
    pages: int
    state: str


class GuestSpoolRow(TypedDict):
    """A row of a guest OS's own spool table."""

    job: int
    pages: int
    state: str
    request: str


class SpoolTables(TypedDict):
    """Both levels of spool table as they stand (long queues show their head)."""

    guest_spool: dict[str, list[GuestSpoolRow]]
    vmm_spool: list[SpoolRow]
    vmm_spool_length: int


class PagePrinted(TypedDict):
    """A printer's ``physical_device`` hop: one page of one spool file."""

    job: int
    page: int
    pages: int
    guest: str
    sheet: int
    page_us: int
    waited_us: int


class FrameOnWire(TypedDict):
    """A NIC's ``physical_device`` hop for a frame a guest sends."""

    frame: int
    frames: int
    bytes: int
    src_mac: str
    dst_ip: str
    wire_us: int
    waited_us: int


class FrameArrived(TypedDict):
    """A NIC's ``physical_device`` hop for a frame arriving from the network."""

    dst_mac: str | None
    dst_ip: str | None
    bytes: int


class InputSent(TypedDict, total=False):
    """A keyboard's or mouse's ``physical_device`` hop (scan codes for a key only)."""

    input: Any
    scancodes: list[str]


class InputQueue(TypedDict):
    """A hop where a guest's input queue changes: ``queued`` is its length after, and
    ``input`` what was queued or taken (None when a read found nothing)."""

    input: Any
    queued: int


class InputQueuedByVmm(InputQueue):
    """At the system-call level the VMM keeps the guest's queue: ``to`` is that guest."""

    to: str


class InputTakenByVmm(InputQueue):
    """At the system-call level the VMM answers the read from the guest's queue."""

    fd: int
    device: str


class InputTakenInGuest(InputQueue):
    """Below the system-call level the guest's OS answers the read: no exit."""

    traps: int


class OwnerLookup(TypedDict):
    """A keyboard's or mouse's ``physical_mapping`` hop: the owner the input goes to."""

    owner: str | None
    owners: dict[str, str | None]


class OwnerChanged(TypedDict):
    """The console switch's ``physical_mapping`` hop: the VMM's owner table changes."""

    target: str
    owner_before: str | None
    owner: str
    owners: dict[str, str | None]


# A vswitch's ``device_model`` hop: a frame copied from one vNIC to another in memory
# (the functional form, for ``from`` is a Python keyword).
SwitchCopy = TypedDict("SwitchCopy", {"from": str, "to": str, "bytes": int, "copy_us": int})
