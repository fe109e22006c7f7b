"""The simulated machine: the VMM's tables and every device's state, and the
recorder that turns what happens into hops.

Device processes (``app.sim.devices``) read and change this state; only
:meth:`Machine.hop` appends to the trace, always at the engine's current time,
so ``seq`` rises and ``t_us`` never falls by construction.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .budget import BudgetPassed
from .details import GuestSpoolRow, SpoolRow, SpoolTables
from .diskimage import ImageFile
from .engine import Engine, Resource
from .scenario import (
    CATEGORY_OF_TYPE,
    Device,
    Disk,
    Guest,
    Image,
    Keyboard,
    Mouse,
    Nic,
    Passthrough,
    Printer,
    Scenario,
    VSwitch,
)
from .trace import Hop, RequestRecord, Stage, Trace
from .virtqueue import VirtQueue

# A hop shows at most this many rows of a spool table: enough for any screen,
# and a queue of hundreds of jobs does not make every hop carry all of them.
SPOOL_ROWS_SHOWN = 12


@dataclass(slots=True)
class DiskState:
    """The VMM's partition mapping table for one disk, and where its arm is."""

    disk: Disk
    arm: Resource
    cylinders: int
    head_cylinder: int = 0
    # each guest's emulated ATA controller (one register set, one command at a time)
    controllers: dict[str, Resource] = field(default_factory=dict)
    rows: dict[str, int] = field(init=False)
    table: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.rows = {p.guest: i for i, p in enumerate(self.disk.partitions)}
        self.table = [
            {"guest": p.guest, "start": p.start, "blocks": p.blocks} for p in self.disk.partitions
        ]

    def row_of(self, guest: str) -> int | None:
        return self.rows.get(guest)

    def chs(self, block: int) -> tuple[int, int, int]:
        heads = self.disk.geometry.heads
        spt = self.disk.geometry.sectors_per_track
        return block // (heads * spt), (block // spt) % heads, block % spt + 1


@dataclass(slots=True)
class DedicatedState:
    """Who owns a keyboard or mouse now, and the input each guest has not read yet.

    Input is queued in the guest it was delivered to and stays there when the
    device changes owner: ``pending`` is each guest's own queue.
    """

    device: Keyboard | Mouse
    owner: str | None
    pending: dict[str, deque[Any]] = field(default_factory=dict)


@dataclass(slots=True)
class SpoolState:
    """Both levels of spool table for one printer: each guest OS's, and the VMM's."""

    printer: Printer
    feeder: Resource
    guest_tables: dict[str, list[GuestSpoolRow]] = field(default_factory=dict)
    # one hand-over at a time per guest, so a guest's jobs reach the VMM in the
    # order its OS spooled them
    handovers: dict[str, Resource] = field(default_factory=dict)
    vmm_table: list[SpoolRow] = field(default_factory=list)
    next_file: int = 1
    next_guest_job: dict[str, int] = field(default_factory=dict)
    next_page_number: int = 1

    def handover(self, guest: str, engine: Engine) -> Resource:
        if guest not in self.handovers:
            self.handovers[guest] = Resource(engine)
        return self.handovers[guest]

    def snapshot(self) -> SpoolTables:
        """Both tables as they are now; long queues show their head and their length."""
        return {
            "guest_spool": {
                g: [row.copy() for row in rows[:SPOOL_ROWS_SHOWN]]
                for g, rows in self.guest_tables.items()
            },
            "vmm_spool": [row.copy() for row in self.vmm_table[:SPOOL_ROWS_SHOWN]],
            "vmm_spool_length": len(self.vmm_table),
        }


# Builds a Hop from a ready tuple without the keyword handling of Hop(...):
# the recorder is the hottest call of the core.
_new_hop = tuple.__new__


class Machine:
    """A VMM with its guests and devices, recording every step as a hop."""

    def __init__(
        self,
        scenario: Scenario,
        engine: Engine,
        trace: Trace,
        max_hops: int | None = None,
        *,
        native: bool = False,
    ) -> None:
        self.scenario = scenario
        self.max_hops = max_hops
        # the bare machine: no VMM, so none of its steps is recorded or charged
        self.native = native
        self.engine = engine
        self.trace = trace
        self._hops = trace.hops
        self.guests: dict[str, Guest] = {g.id: g for g in scenario.guests}
        self.guest_by_mac = {g.mac: g.id for g in scenario.guests}
        self.guest_by_ip = {g.ip: g.id for g in scenario.guests}
        self.vnic_table = [{"guest": g.id, "mac": g.mac, "ip": g.ip} for g in scenario.guests]
        self.known_os = list(scenario.vmm.knows_os)
        self.devices: dict[str, Device] = {d.id: d for d in scenario.devices}
        self.disks: dict[str, DiskState] = {}
        self.dedicated: dict[str, DedicatedState] = {}
        self.wires: dict[str, Resource] = {}
        self.spools: dict[str, SpoolState] = {}
        self.switch_ports: dict[str, list[str]] = {}
        # Summaries and details that many hops hold alike, made once (hop details are
        # never changed once recorded, so hops may share them).
        self.shared_texts: dict[Any, tuple[str, Mapping[str, Any]]] = {}
        self.images: dict[str, ImageFile] = {}
        self.virtqueues: dict[tuple[str, str], VirtQueue] = {}
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
        elif isinstance(device, Image):
            self.images[device.id] = ImageFile(device)  # its arm is its disk's
        elif isinstance(device, Passthrough):
            self.wires[device.id] = Resource(self.engine)

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
        self, req: RequestRecord, stage: Stage, actor: str, summary: str, detail: Mapping[str, Any]
    ) -> None:
        """Record a hop; ``detail`` is one of :mod:`app.sim.details` where anything reads it."""
        if self.native and actor == "vmm":
            if stage != "status_reply":
                return
            actor = req.guest or req.device  # the guest's own driver learns the outcome
        hops = self._hops
        if self.max_hops is not None and len(hops) >= self.max_hops:
            raise BudgetPassed(req)
        hops.append(
            _new_hop(
                Hop,
                (
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
                ),
            )
        )

    def reply(
        self, req: RequestRecord, status: str, summary: str, *, by: str = "vmm", **detail: Any
    ) -> None:
        """End ``req`` with its one status_reply hop (``by`` a guest OS that answers itself)."""
        req.status = status
        req.end_us = self.engine.now
        self.hop(req, "status_reply", by, summary, {"status": status, **detail})

    def virtqueue(self, guest: str, device: str) -> VirtQueue:
        """``guest``'s virtio queue on ``device`` (device-driver level)."""
        key = (guest, device)
        if key not in self.virtqueues:
            self.virtqueues[key] = VirtQueue(self.scenario.vmm.batching)
        return self.virtqueues[key]

    def os_known(self, guest: str) -> bool:
        return self.guests[guest].os in self.known_os
