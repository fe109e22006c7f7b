"""The machine as it stands after hop ``k``: everything the page draws.

Derived from the trace prefix alone, so stepping back is rendering an earlier
``k`` and any hop can be shown by any process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.sessions import Live
from app.sim import Hop
from app.sim.scenario import CATEGORY_OF_TYPE, Device, Disk
from app.sim.state import MachineState, state_at

# Okabe-Ito: told apart by the common kinds of colour blindness; every guest
# is also named on everything drawn in its colour.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#7F7F7F")
DISK_CELLS = 64
LOG_LINES = 300


@dataclass(slots=True)
class DeviceView:
    device: Device
    category: str
    column: int
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.device.id

    @property
    def type(self) -> str:
        return self.device.type

    @property
    def physical(self) -> bool:
        return self.category != "virtual"


@dataclass(slots=True)
class MachineView:
    live: Live
    k: int
    hop: Hop | None
    guests: list[dict[str, Any]]
    devices: list[DeviceView]
    traps: int
    requests: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    log: list[Hop]
    token: dict[str, Any]

    @property
    def total(self) -> int:
        return len(self.live.trace.hops)

    @property
    def at_end(self) -> bool:
        return self.k >= self.total - 1


def colour_of(live: Live) -> dict[str | None, int]:
    colours: dict[str | None, int] = {
        g.id: i % len(PALETTE) for i, g in enumerate(live.scenario.guests)
    }
    colours[None] = -1
    return colours


def machine_at(live: Live, k: int, *, log_lines: int = LOG_LINES) -> MachineView:
    hops = live.trace.hops
    k = max(-1, min(k, len(hops) - 1))
    shown = hops[: k + 1]
    hop = shown[-1] if shown else None
    core = state_at(live.scenario, live.trace, k)
    owners = core.owners
    devices = [
        _device(live, d, i + 1, shown, hop, core) for i, d in enumerate(live.scenario.devices)
    ]
    return MachineView(
        live=live,
        k=k,
        hop=hop,
        guests=_guests(live, shown, owners, devices),
        devices=devices,
        traps=core.traps,
        requests=_requests(live, shown),
        totals=_totals(live, shown),
        log=shown[-log_lines:],
        token=_token(live, hop, devices),
    )


def _guests(
    live: Live, shown: list[Hop], owners: dict[str, str | None], devices: list[DeviceView]
) -> list[dict[str, Any]]:
    spools = [d.state.get("guest_spool", {}) for d in devices if d.type == "printer"]
    level = live.scenario.level
    return [
        {
            "id": g.id,
            "os": g.os,
            "mac": g.mac,
            "ip": g.ip,
            "colour": i % len(PALETTE),
            "os_known": g.os in live.scenario.vmm.knows_os,
            "focus": [device for device, owner in owners.items() if owner == g.id],
            "spool": [row for table in spools for row in table.get(g.id, [])],
            "level": level,
            "active": bool(shown) and shown[-1].actor == g.id,
        }
        for i, g in enumerate(live.scenario.guests)
    ]


def _device(
    live: Live,
    device: Device,
    column: int,
    shown: list[Hop],
    hop: Hop | None,
    core: MachineState,
) -> DeviceView:
    view = DeviceView(device, CATEGORY_OF_TYPE[device.type], column)
    mine = [h for h in shown if h.device == device.id]
    current = hop if hop is not None and hop.device == device.id else None
    view.state["current"] = current
    view.state["used"] = len(mine)
    if isinstance(device, Disk):
        view.state.update(_disk(live, device, mine, current))
        arm = core.disks[device.id]
        view.state.update(arm=arm.cylinder, served=arm.served, row=arm.row)
    elif device.id in core.wires:
        wire = core.wires[device.id]
        view.state.update(frames=list(wire.frames), frame_count=wire.count)
    elif device.id in core.printers:
        printer = core.printers[device.id]
        view.state.update(
            guest_spool=printer.tables["guest_spool"],
            vmm_spool=printer.tables["vmm_spool"],
            tray=list(printer.tray),
            pages_out=printer.pages_out,
        )
    elif device.id in core.inputs:
        inputs = core.inputs[device.id]
        view.state.update(owner=inputs.owner, last_input=inputs.last_input)
    elif device.type == "console_switch":
        view.state["owners"] = core.owners
    elif device.id in core.vswitches:
        view.state["copies"] = core.vswitches[device.id].copies
    return view


def _disk(live: Live, disk: Disk, mine: list[Hop], current: Hop | None) -> dict[str, Any]:
    colours = colour_of(live)
    per_cell = -(-disk.blocks // DISK_CELLS)
    cells: list[dict[str, Any]] = [
        {"first": i * per_cell, "last": min(disk.blocks, (i + 1) * per_cell) - 1, "owner": None}
        for i in range(-(-disk.blocks // per_cell))
    ]
    for part in disk.partitions:
        for cell in cells[part.start // per_cell : (part.start + part.blocks - 1) // per_cell + 1]:
            cell["owner"] = cell["owner"] or part.guest
    touched = [h for h in mine if h.stage == "physical_device"]
    for h in touched:
        cells[h.detail["physical_block"] // per_cell]["touched"] = True
    if current is not None and current.stage == "physical_device":
        cells[current.detail["physical_block"] // per_cell]["lit"] = True
    for cell in cells:
        cell["colour"] = colours.get(cell["owner"], -1)
    return {"cells": cells, "per_cell": per_cell}


def _requests(live: Live, shown: list[Hop]) -> list[dict[str, Any]]:
    started = {h.request for h in shown}
    ended = {h.request: h.detail["status"] for h in shown if h.stage == "status_reply"}
    rows = []
    for record in live.trace.requests:
        if record.id not in started:
            continue
        row = record.to_dict()
        if record.id not in ended:
            # only what has played: the traps taken so far, and no final figure yet
            traps = sum(
                h.detail.get("traps", 0)
                for h in shown
                if h.request == record.id and h.stage == "vmm_trap"
            )
            row.update(
                status="in flight", traps=traps, overhead_us=None, device_us=None, latency_us=None
            )
        rows.append(row)
    return rows


def _totals(live: Live, shown: list[Hop]) -> list[dict[str, Any]]:
    ended = {h.request for h in shown if h.stage == "status_reply"}
    totals = []
    for guest in live.scenario.guests:
        done = [r for r in live.trace.requests if r.id in ended and r.guest == guest.id]
        totals.append(
            {
                "guest": guest.id,
                "requests": len(done),
                "traps": sum(r.traps for r in done),
                "overhead_us": sum(r.overhead_us for r in done),
                "device_us": sum(r.device_us for r in done),
            }
        )
    return totals


def station_id(band: str, place: str) -> str:
    """The id of a place drawn on the machine that a hop can name: a guest's application or
    driver (``station_id("vm1", "app")``), the VMM's trap handler (``"vmm", "trap"``), the
    VMM's box for a device (``"vmm", "disk0"``) or the device itself (``"hw", "disk0"``).
    The templates draw the places with it and the token finds them with it."""
    return f"st-{band}-{place}"


def _token(live: Live, hop: Hop | None, devices: list[DeviceView]) -> dict[str, Any]:
    """Where the request's token stands: the id of the element the hop names."""
    if hop is None:
        return {"target": "", "colour": -1, "status": None}
    colours = colour_of(live)
    guest = hop.actor if hop.actor in colours else hop.guest
    if hop.stage == "status_reply" and hop.actor == hop.device:  # a printer reports a job out
        target = station_id("hw", hop.device)
    elif hop.stage in ("guest_app", "guest_driver", "status_reply") and guest is not None:
        target = station_id(guest, "app" if hop.stage == "guest_app" else "driver")
    elif hop.stage in ("vmm_trap", "interrupt"):
        target = station_id("vmm", "trap")
    elif hop.stage == "physical_device":
        target = station_id("hw", hop.device)
    else:
        target = station_id("vmm", hop.device)
    status = hop.detail.get("status") if hop.stage == "status_reply" else None
    return {"target": target, "colour": colours.get(hop.guest, -1), "status": status}
