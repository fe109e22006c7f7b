"""Where the VMM catches a request: the three interception levels.

- ``io_operation``: every register access of the guest's driver is its own
  VM exit (one ``vmm_trap`` hop each, with ``port`` and ``value``); the VMM's
  device model must rebuild the request from them.
- ``device_driver``: the guest runs a driver the VMM provides (virtio style);
  one exit hands over the whole request.
- ``system_call``: the VMM catches the application's system call; it can act
  on it only for a guest OS it knows (``vmm.knows_os``).

The functions here are sub-processes: device processes call them with
``yield from`` and they yield the microseconds the VMM spends.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .costs import (
    EMULATE_REGISTER_US,
    INTERPRET_SYSCALL_US,
    INTERRUPT_INJECTION_US,
    PARAVIRTUAL_REQUEST_US,
    VM_EXIT_US,
)
from .details import DriverTrap, RegisterTrap, SyscallTrap
from .engine import Claim
from .machine import Machine
from .registers import Access
from .trace import RequestRecord
from .virtqueue import VirtQueue

Steps = Generator[int | Claim, Any, bool]
Waits = Generator[int | Claim, Any, None]

# System call names per guest OS, with the Linux x86-64 numbers.
_SYSCALLS: dict[str, dict[str, tuple[str, int | None]]] = {
    "linux": {
        "read": ("read", 0),
        "write": ("write", 1),
        "pread": ("pread64", 17),
        "pwrite": ("pwrite64", 18),
        "send": ("sendto", 44),
    },
    "windows": {
        "read": ("NtReadFile", None),
        "write": ("NtWriteFile", None),
        "pread": ("NtReadFile", None),
        "pwrite": ("NtWriteFile", None),
        "send": ("NtDeviceIoControlFile", None),
    },
}


@dataclass(frozen=True, slots=True)
class Call:
    """One request as the two upper levels see it.

    ``driver``/``request``: what the VMM's paravirtual driver hands over;
    ``syscall``/``args``: the application's system call (a generic name that
    :func:`syscall_name` turns into the guest OS's own).
    """

    driver: str
    request: dict[str, Any]
    syscall: str
    args: dict[str, Any] = field(default_factory=dict)


def syscall_name(os: str, generic: str) -> tuple[str, int | None]:
    return _SYSCALLS.get(os, {}).get(generic, (generic, None))


TrapIn = Callable[["Machine", RequestRecord, str, Iterable[Access], Call], Steps]


@dataclass(frozen=True, slots=True)
class Interception:
    """What the VMM catches at one level, read by the devices instead of naming levels.

    ``trap_in`` makes the exits that carry a request in; ``registers`` says whether each
    register access of the guest's driver is an exit of its own (the device must then
    model its registers); ``in_guest_driver`` whether the guest's own driver runs for
    a request; ``vmm_answers`` whether the VMM stands in for the guest OS, answering its
    calls itself, which it can do only for a guest OS it knows; ``driver_name`` what the
    page calls the way a guest's request leaves it at this level.
    """

    trap_us: int
    trap_in: TrapIn
    registers: bool
    in_guest_driver: bool
    vmm_answers: bool
    driver_name: str

    def answered(self, guest: str) -> str:
        """Who gets a request's status: when the VMM answers the application's call,
        the application itself (the call's return value), for the driver never ran."""
        return f"{guest}'s driver" if self.in_guest_driver else f"{guest}'s application"


def level_of(req: RequestRecord) -> Interception:
    """What the VMM catches at the level ``req`` runs at (an item may override the
    scenario's level, so it is the request's, not the machine's)."""
    return INTERCEPTION[req.level]


def answered(level: str, guest: str) -> str:
    """Who gets a request's status at ``level``."""
    return INTERCEPTION[level].answered(guest)


def trap_in(
    m: Machine, req: RequestRecord, guest: str, accesses: Iterable[Access], call: Call
) -> Steps:
    """The exits that carry a guest's request into the VMM; False if the VMM gave up."""
    if m.native:
        return True  # the guest's driver is on the real device: nothing to catch
    return (yield from level_of(req).trap_in(m, req, guest, accesses, call))


def _registers_trap(
    m: Machine, req: RequestRecord, guest: str, accesses: Iterable[Access], call: Call
) -> Steps:
    yield from register_traps(m, req, guest, accesses)
    return True


def _driver_trap(
    m: Machine, req: RequestRecord, guest: str, accesses: Iterable[Access], call: Call
) -> Steps:
    cost = level_of(req).trap_us
    queue = m.virtqueue(guest, req.device)
    since = queue.add(req.id, m.engine.now)
    if since is not None:
        yield from _unnotified(m, req, guest, call, queue, since)
        return True
    queue.took(m.engine.now + cost)
    summary = f"{guest}'s {call.driver} driver notifies the VMM: one exit carries the request"
    handed: DriverTrap = {
        "call": call.driver,
        "request": call.request,
        "traps": 1,
        "cost_us": cost,
    }
    m.hop(req, "vmm_trap", "vmm", summary, handed)
    _charge(req, cost, 1)
    yield cost
    return True


def _unnotified(
    m: Machine, req: RequestRecord, guest: str, call: Call, queue: VirtQueue, since: int
) -> Waits:
    """A request added while the backend still polls the ring: no exit. The
    backend reads the ring in order, so it takes this one after those before."""
    now = m.engine.now
    when = f"last worked on it {since} µs ago" if since > 0 else "is at work on it"
    m.hop(
        req,
        "guest_driver",
        guest,
        f"{guest}'s {call.driver} driver adds the request to the ring; the backend {when} "
        "and polls it: no notification, no exit",
        {
            "call": call.driver,
            "request": call.request,
            "notified": False,
            "backend_polling_us": max(since, 0),
            "traps": 0,
            "cost_us": PARAVIRTUAL_REQUEST_US,
        },
    )
    taken = max(now, now - since) + PARAVIRTUAL_REQUEST_US
    queue.took(taken)
    _charge(req, PARAVIRTUAL_REQUEST_US, 0)
    yield taken - now


def _syscall_trap(
    m: Machine, req: RequestRecord, guest: str, accesses: Iterable[Access], call: Call
) -> Steps:
    cost = level_of(req).trap_us
    os = m.guests[guest].os
    name, number = syscall_name(os, call.syscall)
    known = m.os_known(guest)
    args = ", ".join(f"{k}={v}" for k, v in call.args.items())
    caught: SyscallTrap = {
        "syscall": name,
        "number": number,
        "args": call.args,
        "os": os,
        "os_known": known,
        "traps": 1,
        "cost_us": cost,
    }
    m.hop(req, "vmm_trap", "vmm", f"the VMM catches {guest}'s system call {name}({args})", caught)
    _charge(req, cost, 1)
    yield cost
    if not known:
        unknown_os_reply(m, req, guest, name)
    return known


def unknown_os_reply(m: Machine, req: RequestRecord, guest: str, what: str) -> None:
    os = m.guests[guest].os
    knows = ", ".join(m.known_os) or "no guest OS"
    m.reply(
        req,
        "unknown_guest_os",
        f"refused: the VMM knows {knows}, not {os}, so it cannot interpret {what} of {guest}",
        reason=f"{os} is not in vmm.knows_os",
        os=os,
        knows_os=list(m.known_os),
    )


def register_traps(m: Machine, req: RequestRecord, actor: str, accesses: Iterable[Access]) -> Waits:
    """One vmm_trap hop per register access (at a level where registers exit)."""
    if m.native:
        return
    cost = INTERCEPTION["io_operation"].trap_us  # the level whose registers exit
    # The same access by the same guest is the same sentence and detail every time (a
    # 500-page print repeats four accesses 500 times): its hops share one copy.
    shared = m.shared_texts
    for access in accesses:
        total = cost * access.traps
        key = (actor, access)
        text = shared.get(key)
        if text is None:
            emulated: RegisterTrap = {
                "access": access.access,
                "port": f"0x{access.port:X}",
                "value": access.value,
                "register": access.register,
                "traps": access.traps,
                "cost_us": total,
            }
            text = shared[key] = (
                f"{actor}: {access.describe()} exits to the VMM, which emulates the register",
                emulated,
            )
        m.hop(req, "vmm_trap", "vmm", *text)
        _charge(req, total, access.traps)
        yield total


def interrupt(
    m: Machine,
    req: RequestRecord,
    guest: str,
    summary: str,
    accesses: Sequence[Access] = (),
    **detail: Any,
) -> Waits:
    """Inject a virtual interrupt into ``guest``; at I/O-operation level its driver
    then reads the controller's registers, each access another exit. At the
    device-driver level a completion the guest's driver takes while polling
    needs no interrupt."""
    if m.native:
        return  # the device interrupts the guest's own OS: no VMM to inject it
    since = _polled_since(m, req, guest)
    if since is not None:
        m.hop(
            req,
            "interrupt",
            "vmm",
            f"the completion goes into {guest}'s used ring with no interrupt: its driver took "
            f"one {since} µs ago and is still polling the ring",
            {"to": guest, "coalesced": True, "driver_polling_us": since, "cost_us": 0, **detail},
        )
        return
    m.hop(
        req,
        "interrupt",
        "vmm",
        summary,
        {"to": guest, "cost_us": INTERRUPT_INJECTION_US, **detail},
    )
    _charge(req, INTERRUPT_INJECTION_US, 0)
    yield INTERRUPT_INJECTION_US
    if level_of(req).registers:
        yield from register_traps(m, req, guest, accesses)


def _polled_since(m: Machine, req: RequestRecord, guest: str) -> int | None:
    """How long ago ``guest``'s driver took a completion, if it is still polling
    (then ``req``'s completion needs no interrupt); None if it needs one."""
    queue = m.virtqueues.get((guest, req.device))
    if queue is None or req.id not in queue.taken:
        return None
    return queue.complete(req.id, m.engine.now)


def _charge(req: RequestRecord, overhead_us: int, traps: int) -> None:
    req.overhead_us += overhead_us
    req.traps += traps


def guest_starts(
    m: Machine, req: RequestRecord, guest: str, app: str, driver: str, detail: dict[str, Any]
) -> None:
    """The hops inside the guest before anything reaches the VMM: its application, and
    its driver where the driver runs for the request."""
    m.hop(req, "guest_app", guest, app, detail)
    if level_of(req).in_guest_driver:
        m.hop(req, "guest_driver", guest, driver, detail)


# The one table of the levels: adding a level is a row here, its cost in costs.py, its
# name in scenario.Level, and a row in each device's wording table. Everything else that
# lists levels (the CLI's choices, the forms, the page's wording) reads LEVELS or this.
INTERCEPTION: dict[str, Interception] = {
    "io_operation": Interception(
        trap_us=VM_EXIT_US + EMULATE_REGISTER_US,
        trap_in=_registers_trap,
        registers=True,
        in_guest_driver=True,
        vmm_answers=False,
        driver_name="native driver (its I/O traps)",
    ),
    "device_driver": Interception(
        trap_us=VM_EXIT_US + PARAVIRTUAL_REQUEST_US,
        trap_in=_driver_trap,
        registers=False,
        in_guest_driver=True,
        vmm_answers=False,
        driver_name="VMM's virtual driver (virtio)",
    ),
    "system_call": Interception(
        trap_us=VM_EXIT_US + INTERPRET_SYSCALL_US,
        trap_in=_syscall_trap,
        registers=False,
        in_guest_driver=False,
        vmm_answers=True,
        driver_name="system calls (trapped)",
    ),
}
