"""What an interception level needs of a guest, read from the core's INTERCEPTION rows,
and the guests the pick-levels question draws from.

The rows say what each level does (whether every register access exits, whether the
guest's own driver runs, whether the VMM answers for the guest OS); what that asks of
the guest follows from it, so a level added to the core is asked about without
being restated here.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.sim.interception import INTERCEPTION, Interception


@dataclass(frozen=True, slots=True)
class Need:
    key: str  # the GuestOs attribute that meets it
    says: str  # what the level needs, for the explanation
    met: str  # how a guest meets it
    unmet: str  # how a guest falls short of it
    ignored: str  # what a "yes" reveals for a guest that lacks it
    doubted: str  # what a "no" reveals for a guest that has it


EMULATED_DRIVER = Need(
    "emulated_driver",
    "the guest's own driver for a device the VMM emulates, whose register accesses trap",
    "its own driver drives the emulated device",
    "it has no driver for any device the VMM emulates",
    "a VMM can emulate hardware the guest has no driver for",
    "an unmodified guest cannot run at the I/O-operation level (the VMM emulates the "
    "registers its own driver expects)",
)
VMM_DRIVER = Need(
    "vmm_driver",
    "the VMM's paravirtual driver (virtio style) installed in the guest",
    "it runs the VMM's driver",
    "it cannot run the VMM's driver",
    "the device-driver level needs no change to the guest (it needs the VMM's driver)",
    "a guest that runs the VMM's driver still cannot be caught at the device-driver level",
)
KNOWN_OS = Need(
    "known_os",
    "a VMM that understands the guest OS's system calls and file system",
    "the VMM understands its OS",
    "the VMM cannot interpret its system calls",
    "the VMM can always intercept at the system-call level (only for a guest OS it knows)",
    "the system-call level never works (it does for a guest OS the VMM knows)",
)


def needs_of(row: Interception) -> tuple[Need, ...]:
    """What a guest must offer for the VMM to catch its requests as ``row`` says."""
    needs = []
    if row.registers:  # the guest's own driver talks to registers the VMM emulates
        needs.append(EMULATED_DRIVER)
    elif row.in_guest_driver:  # a driver runs but hands over whole requests: the VMM's
        needs.append(VMM_DRIVER)
    if row.vmm_answers:  # the VMM stands in for the guest OS: it must understand it
        needs.append(KNOWN_OS)
    return tuple(needs)


@dataclass(frozen=True, slots=True)
class GuestOs:
    describe: str  # the givens, as the prompt states them
    emulated_driver: bool
    vmm_driver: bool
    known_os: bool

    def has(self, need: Need) -> bool:
        return bool(getattr(self, need.key))


def works(level: str, guest: GuestOs) -> tuple[bool, list[Need]]:
    """Whether ``level`` can work for ``guest``, and the needs it lacks."""
    missing = [n for n in needs_of(INTERCEPTION[level]) if not guest.has(n)]
    return not missing, missing


GUESTS: tuple[GuestOs, ...] = (
    GuestOs(
        "a closed-source OS whose drivers cannot be changed and for which no paravirtual "
        "driver exists; it has drivers for the IDE disk and e1000 NIC the VMM emulates, and "
        "the VMM was not built to understand its system calls",
        emulated_driver=True,
        vmm_driver=False,
        known_os=False,
    ),
    GuestOs(
        "Linux, which loads the VMM's virtio drivers and also has drivers for the IDE disk "
        "and e1000 NIC the VMM emulates; the VMM understands Linux's system calls and file "
        "systems",
        emulated_driver=True,
        vmm_driver=True,
        known_os=True,
    ),
    GuestOs(
        "Windows with the VMM vendor's signed paravirtual drivers installed (like "
        "virtio-win) and its stock IDE and e1000 drivers; the VMM understands only Linux's "
        "system calls",
        emulated_driver=True,
        vmm_driver=True,
        known_os=False,
    ),
    GuestOs(
        "a unikernel built with virtio drivers only (no driver for the IDE disk or e1000 NIC "
        "the VMM emulates); its application calls the kernel as plain functions, so the VMM "
        "sees no system call it could interpret",
        emulated_driver=False,
        vmm_driver=True,
        known_os=False,
    ),
    GuestOs(
        "a closed-source OS whose drivers cannot be changed and for which no paravirtual "
        "driver exists, with drivers for the IDE disk and e1000 NIC the VMM emulates; the VMM "
        "vendor licensed its system-call interface and file system and understands them",
        emulated_driver=True,
        vmm_driver=False,
        known_os=True,
    ),
    GuestOs(
        "Linux from a locked-down image: its kernel loads no modules and was built without "
        "virtio, with drivers for the IDE disk and e1000 NIC the VMM emulates; the VMM "
        "understands Linux's system calls and file systems",
        emulated_driver=True,
        vmm_driver=False,
        known_os=True,
    ),
    GuestOs(
        "CMS under VM/370: it reads its minidisks through CP's DIAGNOSE call (the VMM's own "
        "paravirtual interface), also has the channel programs for the disks CP emulates, "
        "and CP was built to understand it",
        emulated_driver=True,
        vmm_driver=True,
        known_os=True,
    ),
    GuestOs(
        "an OS for an old embedded board whose only disk driver is for a controller the VMM "
        "does not emulate; no paravirtual driver exists for it, and the VMM does not know its "
        "system calls",
        emulated_driver=False,
        vmm_driver=False,
        known_os=False,
    ),
)
