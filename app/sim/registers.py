"""What a guest driver does to real controller registers, access by access.

At the I/O-operation level every access is a privileged instruction that traps to the
VMM (a VM exit); the VMM must rebuild the request's meaning from them. Each device module
owns the sequences of the controller QEMU emulates for it (``ata``, ``i8042``, ``e1000``,
``lpt`` beside them in :mod:`app.sim.devices`) and declares in its ``REGISTERS`` which
controller each of its device types has, or None where no access traps (a passthrough
device's registers are mapped into the guest; the console switch is the VMM's own).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from .devices import gathered
from .scenario import CATEGORY_OF_TYPE


@dataclass(frozen=True, slots=True)
class Access:
    """One register access: ``access`` is in/out (port I/O) or read/write (MMIO).

    One access record may stand for the same access repeated (a byte at a time through a
    parallel port): ``traps`` says how many exits it costs."""

    access: str
    port: int
    value: int
    register: str
    traps: int = 1

    def describe(self) -> str:
        arrow = "←" if self.access in {"out", "write"} else "→"
        times = f" × {self.traps}" if self.traps > 1 else ""
        return f"{self.access} 0x{self.port:X} {arrow} 0x{self.value:02X} ({self.register}){times}"


@dataclass(frozen=True, slots=True)
class Controller:
    """The real controller a device type's guest driver programs, as the README's table of
    register sequences shows it: the device with its controller, and what a request
    touches."""

    device: str
    per_request: str


@cache
def controllers() -> Mapping[str, Controller | None]:
    """Every device type's controller, from the device modules' ``REGISTERS``, in the
    order of ``CATEGORY_OF_TYPE`` (a type it does not list last)."""
    declared: Mapping[str, Controller | None] = gathered("REGISTERS")
    order = list(CATEGORY_OF_TYPE)
    ranked = sorted(declared, key=lambda kind: order.index(kind) if kind in order else len(order))
    return {kind: declared[kind] for kind in ranked}
