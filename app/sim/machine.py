"""The simulated machine: the VMM's tables and every device's state, and the
recorder that turns what happens into hops.

Device processes (``app.sim.devices``) read and change this state; only
:meth:`Machine.hop` appends to the trace, always at the engine's current time,
so ``seq`` rises and ``t_us`` never falls by construction.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .engine import Engine, Resource
from .scenario import (
    CATEGORY_OF_TYPE,
    Device,
    Disk,
    Guest,
    Keyboard,
    Mouse,
    Nic,
    Printer,
    Scenario,
    VSwitch,
)
from .trace import Hop, RequestRecord, Stage, Trace


@dataclass(slots=True)
class DiskState:
    """The VMM's partition mapping table for one disk, and where its arm is."""

    disk: Disk
    arm: Resource
    cylinders: int
    head_cylinder: int = 0

    def row_of(self, guest: str) -> int | None:
        return next((i for i, p in enumerate(self.disk.partitions) if p.guest == guest), None)

    def chs(self, block: int) -> tuple[int, int, int]:
        heads = self.disk.geometry.heads
        spt = self.disk.geometry.sectors_per_track
        return block // (heads * spt), (block // spt) % heads, block % spt + 1


@dataclass(slots=True)
class DedicatedState:
    """Who owns a keyboard or mouse now, and the input each guest has not read yet."""

    device: Keyboard | Mouse
    owner: str | None
    pending: dict[str, deque[Any]] = field(default_factory=dict)


@dataclass(slots=True)
class SpoolState:
    """Both levels of spool table for one printer: each guest OS's, and the VMM's."""

    printer: Printer
    feeder: Resource
    guest_tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    vmm_table: list[dict[str, Any]] = field(default_factory=list)
    next_file: int = 1
    next_guest_job: dict[str, int] = field(default_factory=dict)
    next_page_number: int = 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "guest_spool": {
                g: [dict(row) for row in rows] for g, rows in self.guest_tables.items()
            },
            "vmm_spool": [dict(row) for row in self.vmm_table],
        }


class Machine:
    """A VMM with its guests and devices, recording every step as a hop."""

    def __init__(self, scenario: Scenario, engine: Engine, trace: Trace) -> None:
        self.scenario = scenario
        self.engine = engine
        self.trace = trace
        self.guests: dict[str, Guest] = {g.id: g for g in scenario.guests}
        self.known_os = list(scenario.vmm.knows_os)
        self.devices: dict[str, Device] = {d.id: d for d in scenario.devices}
        self.disks: dict[str, DiskState] = {}
        self.dedicated: dict[str, DedicatedState] = {}
        self.wires: dict[str, Resource] = {}
        self.spools: dict[str, SpoolState] = {}
        self.switch_ports: dict[str, list[str]] = {}
        for device in scenario.devices:
            self._add_state(device)

    def _add_state(self, device: Device) -> None:
        if isinstance(device, Disk):
            per_cylinder = device.geometry.heads * device.geometry.sectors_per_track
            cylinders = -(-device.blocks // per_cylinder)
            self.disks[device.id] = DiskState(device, Resource(self.engine), cylinders)
        elif isinstance(device, Keyboard | Mouse):
            self.dedicated[device.id] = DedicatedState(device, device.owner)
        elif isinstance(device, Nic):
            self.wires[device.id] = Resource(self.engine, round_robin=True)
        elif isinstance(device, Printer):
            self.spools[device.id] = SpoolState(device, Resource(self.engine))
        elif isinstance(device, VSwitch):
            self.switch_ports[device.id] = list(device.guests)

    # --- requests and hops ------------------------------------------------

    def new_request(self, op: str, guest: str | None, device: str, level: str) -> RequestRecord:
        category = CATEGORY_OF_TYPE[self.devices[device].type]
        record = RequestRecord(
            id=f"r{len(self.trace.requests) + 1}",
            guest=guest,
            device=device,
            op=op,
            category=category,
            level=level,
            start_us=self.engine.now,
        )
        self.trace.requests.append(record)
        return record

    def hop(
        self, req: RequestRecord, stage: Stage, actor: str, summary: str, detail: dict[str, Any]
    ) -> None:
        hops = self.trace.hops
        hops.append(
            Hop(
                len(hops),
                req.id,
                self.engine.now,
                stage,
                actor,
                req.guest,
                req.device,
                req.category,
                req.level,
                summary,
                detail,
            )
        )

    def reply(self, req: RequestRecord, status: str, summary: str, **detail: Any) -> None:
        """End ``req`` with its one status_reply hop."""
        req.status = status
        req.end_us = self.engine.now
        self.hop(req, "status_reply", "vmm", summary, {"status": status, **detail})

    def guest_starts(
        self, req: RequestRecord, guest: str, app: str, driver: str, detail: dict[str, Any]
    ) -> None:
        """The two hops inside the guest before anything reaches the VMM."""
        self.hop(req, "guest_app", guest, app, detail)
        self.hop(req, "guest_driver", guest, driver, dict(detail))

    def os_known(self, guest: str) -> bool:
        return self.guests[guest].os in self.known_os
