"""What each station shows after hop ``k``, and which of that a hop changes.

A *piece* is the content of one station (a guest's spool table, the VMM's owner table,
the disk's arm and lit sector, ...) or one row of the requests table, as plain data. The
page is drawn once with every piece; a hop's event then carries only the pieces the hop
changed, so stepping costs a few hundred bytes however big the machine is.

Built in one pass over the trace (a fold), so any hop's changes and any hop's whole state
are at hand without replaying the trace again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.sim import Hop, Scenario, Trace
from app.sim.scenario import Disk, Keyboard, Mouse, VSwitch

from .layout import Diagram, station_id

Piece = dict[str, Any]
TRAY = 6  # pages shown in a printer's output tray
KNOWN = {"keyboard", "mouse", "console_switch", "disk", "nic", "vswitch", "printer"}
SPOOL_SHOWN = 5  # spool entries a card lists; the rest are counted
CHECKPOINT = 512  # hops between two whole states kept, so any hop's state is a short fold away
WIRE = 8  # frames shown on a NIC's wire


@dataclass(slots=True)
class _Machine:
    """The state the fold carries: only what some piece shows."""

    owners: dict[str, str | None]
    last_input: dict[str, str] = field(default_factory=dict)
    traps: dict[str, int] = field(default_factory=dict)
    exits: dict[str, int] = field(default_factory=dict)  # of the request the bus last caught
    caught: dict[str, str] = field(default_factory=dict)  # which request that was
    app: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (op, status)
    # the row used, its arithmetic (or why it refused), and whether it refused
    mapping: dict[str, tuple[int | None, str, bool]] = field(default_factory=dict)
    arm: dict[str, tuple[int, str, int]] = field(default_factory=dict)  # cylinder, C/H/S, sector
    vnic_lit: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    wire: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)  # guest, way
    rx: dict[tuple[str, str], int] = field(default_factory=dict)
    guest_spool: dict[tuple[str, str], list[list[Any]]] = field(default_factory=dict)
    vmm_spool: dict[str, list[list[Any]]] = field(default_factory=dict)
    tray: dict[str, list[list[Any]]] = field(default_factory=dict)  # guest, file, page, pages
    copies: dict[str, int] = field(default_factory=dict)
    model: dict[str, str] = field(default_factory=dict)


class Pieces:
    """Every piece at the start, and the pieces each hop changes (with their new content)."""

    def __init__(self, scenario: Scenario, trace: Trace, diagram: Diagram) -> None:
        self.scenario = scenario
        self.diagram = diagram
        self.guests = [g.id for g in scenario.guests]
        self._devices = {d.id: d for d in scenario.devices}
        self._records = {r.id: r for r in trace.requests}
        self._last_hop = {h.request: h.seq for h in trace.hops}
        self._started: set[str] = set()
        self._regions: dict[str, list[list[Any]]] = {}
        machine = self.fresh_machine()
        self.initial: dict[str, Piece] = {}
        for device in scenario.devices:
            self.initial.update(self._column(machine, device.id))
        self.changes: list[dict[str, Piece]] = []
        self._checkpoints: dict[int, dict[str, Piece]] = {}  # the whole state every CHECKPOINT
        current = dict(self.initial)
        for hop in trace.hops:
            self._apply(machine, hop)
            changed: dict[str, Piece] = {}
            for device_id, guests in self._touched(hop):
                for pid, piece in self._column(machine, device_id, guests).items():
                    if current.get(pid) != piece:
                        changed[pid] = piece
            current.update(changed)
            if self._starts(hop) or self._last_hop.get(hop.request) == hop.seq:
                changed[f"req-{hop.request}"] = self.request_row(hop.request, hop.seq)
            self.changes.append(changed)
            if hop.seq % CHECKPOINT == CHECKPOINT - 1:
                self._checkpoints[hop.seq] = dict(current)

    def fresh_machine(self) -> _Machine:
        owners = {d.id: d.owner for d in self.scenario.devices if isinstance(d, Keyboard | Mouse)}
        return _Machine(owners=owners)

    # --- what the page shows -----------------------------------------------------

    def at(self, k: int) -> dict[str, Piece]:
        """Every station's piece after hop ``k`` (-1: before the first)."""
        base = k - (k + 1) % CHECKPOINT  # the last checkpoint at or before k
        state = dict(self._checkpoints.get(base, self.initial))
        for changed in self.changes[max(base + 1, 0) if base in self._checkpoints else 0 : k + 1]:
            state.update({pid: p for pid, p in changed.items() if not pid.startswith("req-")})
        return state

    def request_row(self, request: str, k: int) -> Piece:
        """A request's row at hop ``k``: its figures only once its last hop has played."""
        record = self._records[request]
        done = self._last_hop.get(request, -1) <= k
        return {
            "kind": "request",
            "id": record.id,
            "guest": record.guest,
            "device": record.device,
            "op": record.op,
            "status": record.status if done else "in flight",
            "traps": record.traps if done else None,
            "overhead_us": record.overhead_us if done else None,
            "device_us": record.device_us if done else None,
            "latency_us": record.latency_us if done else None,
        }

    def requests_at(self, k: int, hops: list[Hop]) -> list[Piece]:
        started: dict[str, None] = {}
        for hop in hops[: k + 1]:
            started.setdefault(hop.request, None)
        return [self.request_row(r, k) for r in started]

    def _starts(self, hop: Hop) -> bool:
        if hop.request in self._started:
            return False
        self._started.add(hop.request)
        return hop.request in self._records

    def _touched(self, hop: Hop) -> list[tuple[str, set[str] | None]]:
        """The columns a hop can change, each with the guests whose cells it can change
        (None: every guest's, as when a device changes owner)."""
        if hop.device not in self._devices:
            return []
        mentioned = {hop.guest, hop.actor, hop.detail.get("to")}
        columns: list[tuple[str, set[str] | None]] = [
            (hop.device, {g for g in self.guests if g in mentioned})
        ]
        target = hop.detail.get("target")
        if "owner_before" in hop.detail and isinstance(target, str) and target in self._devices:
            columns = [(hop.device, None), (target, None)]
            columns += [
                (d, None) for d, dev in self._devices.items() if dev.type == "console_switch"
            ]
        return columns

    # --- the fold ----------------------------------------------------------------

    def _apply(self, m: _Machine, hop: Hop) -> None:
        device = self._devices.get(hop.device)
        if device is None:
            return
        d, detail, stage = hop.device, hop.detail, hop.stage
        if stage == "guest_app" and hop.guest is not None:
            m.app[(hop.guest, d)] = (_op_text(hop), "")
        if stage == "status_reply" and hop.guest is not None and (hop.guest, d) in m.app:
            m.app[(hop.guest, d)] = (m.app[(hop.guest, d)][0], str(detail.get("status", "")))
        if stage == "vmm_trap":
            m.traps[d] = m.traps.get(d, 0) + int(detail.get("traps", 1))
            if m.caught.get(d) != hop.request:
                m.caught[d], m.exits[d] = hop.request, 0
            m.exits[d] += int(detail.get("traps", 1))
        if stage == "device_model":
            m.model[d] = _model_text(hop)
        if stage == "physical_mapping" and "owner_before" in detail:
            m.owners[str(detail["target"])] = detail.get("owner")
        if device.type in ("keyboard", "mouse") and stage == "physical_device":
            m.last_input[d] = str(detail.get("input", ""))
        if isinstance(device, Disk):
            if stage == "physical_mapping":
                refused = detail.get("in_bounds") is False
                text = detail.get("reason" if refused else "arithmetic", "")
                m.mapping[d] = (detail.get("row"), str(text), refused)
            if stage == "physical_device":
                chs = f"C {detail['cylinder']} / H {detail['head']} / S {detail['sector']}"
                m.arm[d] = (int(detail["cylinder"]), chs, int(detail["sector"]))
        if device.type == "nic":
            if stage == "physical_mapping" and detail.get("guest"):
                m.vnic_lit[d] = str(detail["guest"])
            if stage == "physical_device":
                way = "out" if "src_mac" in detail else "in"
                m.wire[d] = ([*m.wire.get(d, []), (hop.guest, way)])[-WIRE:]
            if stage == "status_reply" and detail.get("status") == "dropped":
                m.dropped[d] = m.dropped.get(d, 0) + 1
        if stage == "guest_driver" and device.type in ("nic", "vswitch") and "from" in detail:
            m.rx[(hop.actor, d)] = m.rx.get((hop.actor, d), 0) + 1
        if device.type == "vswitch" and "copy_us" in detail:
            m.copies[d] = m.copies.get(d, 0) + 1
        if device.type == "printer":
            self._spool(m, hop)

    def _spool(self, m: _Machine, hop: Hop) -> None:
        d, detail, guest = hop.device, hop.detail, hop.guest or ""
        jobs = m.guest_spool.setdefault((guest, d), [])
        files = m.vmm_spool.setdefault(d, [])
        if hop.stage == "guest_driver" and "guest_job" in detail:
            jobs.append([detail["guest_job"], detail.get("pages", 0), "spooled"])
        elif hop.stage == "device_model" and "file" in detail:
            pages = 0
            for job in jobs:
                if job[0] == detail.get("guest_job"):
                    job[2], pages = "to VMM", job[1]
            files.append([detail["file"], guest, pages, "waiting"])
        elif hop.stage == "physical_mapping" and "file" in detail and "ahead" not in detail:
            for row in files:  # the printer takes the whole file
                if row[0] == detail["file"]:
                    row[3] = "printing"
        elif hop.stage == "physical_device" and "job" in detail:
            for row in files:
                if row[0] == detail["job"]:
                    row[3] = f"printing p {detail['page']}/{detail['pages']}"
            if detail.get("page") == detail.get("pages"):
                m.vmm_spool[d] = [r for r in files if r[0] != detail["job"]]
            page = [hop.guest, detail["job"], detail.get("page"), detail.get("pages")]
            m.tray[d] = [*m.tray.get(d, []), page][-TRAY:]
        elif hop.stage == "status_reply" and "file" in detail:
            m.guest_spool[(guest, d)] = [j for j in jobs if j[2] != "to VMM"]

    # --- one column's pieces ---------------------------------------------------

    def _column(
        self, m: _Machine, device_id: str, guests: set[str] | None = None
    ) -> dict[str, Piece]:
        device = self._devices[device_id]
        d = device_id
        out: dict[str, Piece] = {}
        for g in self.guests if guests is None else [g for g in self.guests if g in guests]:
            op, status = m.app.get((g, d), ("", ""))
            out[station_id("app", d, g)] = {"kind": "app", "op": op, "status": status}
            out[station_id("drv", d, g)] = self._driver(m, device, g)
        exits = m.exits.get(d, 0)
        out[station_id("bus", d)] = {
            "kind": "bus",
            "traps": m.traps.get(d, 0),
            "caught": m.caught.get(d, ""),
            "exits": exits,
        }
        out[station_id("model", d)] = {
            "kind": "model",
            "type": device.type,
            "note": m.model.get(d, ""),
        }
        out[station_id("map", d)] = self._table(m, device)
        if device.type not in ("vswitch", "console_switch"):
            out[station_id("hw", d)] = self._hardware(m, device)
        if device.type in ("keyboard", "mouse"):
            out[f"cable-{d}"] = self._cable(m.owners.get(d), d)
        return out

    def _cable(self, owner: str | None, device: str) -> Piece:
        """The dedicated device's cable, from the VMM's owner table up to its owner's driver."""
        if owner is None or owner not in self.guests:
            return {"kind": "cable", "owner": None, "path": "", "plug": [0, 0], "colour": -1}
        column = self.diagram.column(device)
        table = self.diagram.stations[station_id("map", device)].box
        cell = self.diagram.stations[station_id("drv", device, owner)].box
        x, y = column.cable_x, cell.mid_y
        path = f"M{x:.1f} {table.y + 4:.1f}V{y:.1f}H{cell.right - 3:.1f}"
        return {
            "kind": "cable",
            "owner": owner,
            "path": path,
            "plug": [round(cell.right - 3, 1), round(y, 1)],
            "colour": self.guests.index(owner),
        }

    def _disk(self, m: _Machine, disk: Disk) -> Piece:
        """The disk's cylinders as regions in their guests' colours, the arm, the lit sector."""
        per_cylinder = disk.geometry.heads * disk.geometry.sectors_per_track
        cylinders = max(1, -(-disk.blocks // per_cylinder))
        regions = self._regions.get(disk.id)
        if regions is None:  # the regions never change: computed once
            regions = self._regions[disk.id] = [
                [
                    p.guest,
                    round(100 * p.start / disk.blocks, 2),
                    round(100 * p.blocks / disk.blocks, 2),
                    p.start // per_cylinder,
                    (p.start + p.blocks - 1) // per_cylinder,
                ]
                for p in disk.partitions
            ]
        cylinder, chs, sector = m.arm.get(d := disk.id, (0, "", 0))
        spt = disk.geometry.sectors_per_track
        first = max(1, min(sector - 7, spt - 15)) if sector else 1
        return {
            "kind": "disk",
            "regions": regions,
            "arm": cylinder,
            "arm_at": round(100 * (cylinder + 0.5) / cylinders, 2),
            "chs": chs,
            "track": chs.rsplit(" / S", 1)[0] if chs else "",
            "sectors": list(range(first, min(spt, first + 15) + 1)),
            "sector": sector,
            "device": d,
        }

    def _driver(self, m: _Machine, device: Any, g: str) -> Piece:
        d = device.id
        if device.type not in KNOWN:  # a device type drawn by name until it has its piece
            return {"kind": "plain", "type": device.type}
        if device.type in ("keyboard", "mouse"):
            return {"kind": "dedicated", "owner": m.owners.get(d) == g}
        if device.type == "console_switch":
            return {"kind": "focus", "devices": [x for x, o in m.owners.items() if o == g]}
        if isinstance(device, Disk):
            part = next((p for p in device.partitions if p.guest == g), None)
            size = part.blocks if part else None
            return {"kind": "vdisk", "blocks": size}
        if device.type == "nic":
            guest = self.scenario.guest(g)
            return {
                "kind": "vnic",
                "mac": guest.mac[-5:] if guest else "",
                "ip": guest.ip if guest else "",
                "rx": m.rx.get((g, d), 0),
            }
        if isinstance(device, VSwitch):
            guest = self.scenario.guest(g)
            return {
                "kind": "port",
                "port": device.guests.index(g) + 1 if g in device.guests else None,
                "ip": guest.ip if guest else "",
                "rx": m.rx.get((g, d), 0),
            }
        jobs = m.guest_spool.get((g, d), [])
        return {
            "kind": "gspool",
            "jobs": [list(j) for j in jobs[:SPOOL_SHOWN]],
            "more": max(0, len(jobs) - SPOOL_SHOWN),
        }

    def _table(self, m: _Machine, device: Any) -> Piece:
        d = device.id
        if device.type not in KNOWN:  # a device type drawn by name until it has its piece
            return {"kind": "plain", "type": device.type}
        if device.type in ("keyboard", "mouse"):
            return {"kind": "owner", "owner": m.owners.get(d)}
        if device.type == "console_switch":
            return {"kind": "owners", "owners": sorted(m.owners.items(), key=lambda o: o[0])}
        if isinstance(device, Disk):
            row, arithmetic, refused = m.mapping.get(d, (None, "", False))
            return {
                "kind": "mapping",
                "rows": [[p.guest, p.start, p.blocks] for p in device.partitions],
                "lit": row,
                "arithmetic": arithmetic,
                "refused": refused,
            }
        if device.type == "nic":
            return {
                "kind": "vnics",
                "rows": [[g.id, g.mac[-5:], g.ip] for g in self.scenario.guests],
                "lit": m.vnic_lit.get(d),
                "dropped": m.dropped.get(d, 0),
            }
        if isinstance(device, VSwitch):
            return {"kind": "ports", "guests": list(device.guests), "copies": m.copies.get(d, 0)}
        files = m.vmm_spool.get(d, [])
        return {
            "kind": "vspool",
            "files": [list(f) for f in files[:SPOOL_SHOWN]],
            "more": max(0, len(files) - SPOOL_SHOWN),
        }

    def _hardware(self, m: _Machine, device: Any) -> Piece:
        d = device.id
        if device.type not in KNOWN:  # a device type drawn by name until it has its piece
            return {"kind": "plain", "type": device.type}
        if device.type in ("keyboard", "mouse"):
            return {"kind": "input", "type": device.type, "last": m.last_input.get(d, "")}
        if isinstance(device, Disk):
            return self._disk(m, device)
        if device.type == "nic":
            return {"kind": "wire", "frames": [list(f) for f in m.wire.get(d, [])]}
        return {"kind": "printer", "tray": [list(page) for page in m.tray.get(d, [])]}


def _op_text(hop: Hop) -> str:
    """A few words for the application's cell: what it asked for."""
    detail = hop.detail
    if "virtual_block" in detail:
        count = int(detail.get("count", 1))
        block = int(detail["virtual_block"])
        blocks = f"vblock {block}" if count == 1 else f"vblocks {block}-{block + count - 1}"
        return f"{detail.get('op', '')} {blocks}"
    if "dst_ip" in detail:
        return f"send {detail.get('bytes', '')} B to {detail['dst_ip']}"
    if "pages" in detail:
        return f"print {detail['pages']} p"
    if detail.get("op") in ("key_read", "mouse_read"):
        return "read input"
    return str(detail.get("op", hop.stage))


def _model_text(hop: Hop) -> str:
    detail = hop.detail
    if "virtual_block" in detail:
        count = int(detail.get("count", 1))
        return f"{detail.get('op', '')} {count} block{'s' if count != 1 else ''}"
    if "frames" in detail:
        return f"{detail['frames']} frame{'s' if detail['frames'] != 1 else ''} out"
    if "file" in detail:
        return f"file {detail['file']} in"
    if "copy_us" in detail:
        return f"copy {detail.get('bytes', '')} B"
    if "to" in detail:
        return f"→ {detail['to']}"
    return ""
