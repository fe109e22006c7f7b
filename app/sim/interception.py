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

from collections.abc import Generator, Iterable, Sequence
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

Steps = Generator[int | Claim, Any, bool]
Waits = Generator[int | Claim, Any, None]

TRAP_US = {
    "io_operation": VM_EXIT_US + EMULATE_REGISTER_US,
    "device_driver": VM_EXIT_US + PARAVIRTUAL_REQUEST_US,
    "system_call": VM_EXIT_US + INTERPRET_SYSCALL_US,
}

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


def answered(level: str, guest: str) -> str:
    """Who gets a request's status: at the system-call level the application
    itself (the call's return value), for the guest's driver never ran."""
    return f"{guest}'s application" if level == "system_call" else f"{guest}'s driver"


def trap_in(
    m: Machine, req: RequestRecord, guest: str, accesses: Iterable[Access], call: Call
) -> Steps:
    """The exits that carry a guest's request into the VMM; False if the VMM gave up."""
    if req.level == "io_operation":
        yield from register_traps(m, req, guest, accesses)
        return True
    cost = TRAP_US[req.level]
    if req.level == "device_driver":
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
    return (yield from _syscall_trap(m, req, guest, call, cost))


def _syscall_trap(m: Machine, req: RequestRecord, guest: str, call: Call, cost: int) -> Steps:
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
    """One vmm_trap hop per register access (I/O-operation level)."""
    cost = TRAP_US["io_operation"]
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
    then reads the controller's registers, each access another exit."""
    m.hop(
        req,
        "interrupt",
        "vmm",
        summary,
        {"to": guest, "cost_us": INTERRUPT_INJECTION_US, **detail},
    )
    _charge(req, INTERRUPT_INJECTION_US, 0)
    yield INTERRUPT_INJECTION_US
    if req.level == "io_operation":
        yield from register_traps(m, req, guest, accesses)


def _charge(req: RequestRecord, overhead_us: int, traps: int) -> None:
    req.overhead_us += overhead_us
    req.traps += traps
