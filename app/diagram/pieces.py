"""What each station shows after hop ``k``, and which of that a hop changes.

A *piece* is the content of one station (a guest's spool table, the VMM's owner table,
the disk's arm and lit sector, ...) or one row of the requests table, as plain data. The
page is drawn once with every piece; a hop's event then carries only the pieces the hop
changed, so stepping costs a few hundred bytes however big the machine is.

Built in one pass over the trace (a fold), so any hop's changes and any hop's whole state
are at hand without replaying the trace again. The machine's own state after a hop is the
core's (:mod:`app.sim.state`); :mod:`.fold` adds what the page words beyond it.
"""

from __future__ import annotations

import threading
from typing import Any

from app.sim import Hop, Scenario, Trace
from app.sim.scenario import Disk, VSwitch
from app.sim.state import advance, initial_state

from .fold import Machine, apply
from .layout import Diagram, station_id
from .regions import callouts, inside

Piece = dict[str, Any]
KNOWN = {"keyboard", "mouse", "console_switch", "disk", "nic", "vswitch", "printer"}
SPOOL_SHOWN = 5  # spool entries a card lists; the rest are counted
CHECKPOINT = 512  # hops between two whole states kept, so any hop's state is a short fold away
TRAY = 6  # pages shown in a printer's output tray
WIRE = 8  # frames shown on a NIC's wire


class Pieces:
    """Every piece at the start, and the pieces each hop changes (with their new content)."""

    def __init__(self, scenario: Scenario, trace: Trace, diagram: Diagram) -> None:
        self.scenario = scenario
        self.diagram = diagram
        self.guests = [g.id for g in scenario.guests]
        self._devices = {d.id: d for d in scenario.devices}
        # the image files on each disk the host's file system holds: fixed by the scenario
        self._files_on: dict[str, list[str]] = {}
        for d in scenario.devices:
            if d.type == "image":
                self._files_on.setdefault(d.disk, []).append(d.id)
        self._records = {r.id: r for r in trace.requests}
        self._ops = {r.id: r.op for r in trace.requests}
        self._last_hop = {h.request: h.seq for h in trace.hops}
        self._started: set[str] = set()
        self._regions: dict[str, Piece] = {}
        machine = self.fresh_machine()
        self.initial: dict[str, Piece] = {}
        for device in scenario.devices:
            self.initial.update(self._column(machine, device.id))
        # The fold runs as far as it is asked, no further: a stream's first hop needs the
        # first hop's changes, not the whole trace's (a class's streams each starting on a
        # session of its own waited for whole folds)
        self._hops = trace.hops
        self._machine = machine
        self._current = dict(self.initial)
        self._changes: list[dict[str, Piece]] = []
        self._checkpoints: dict[int, dict[str, Piece]] = {}  # the whole state every CHECKPOINT
        self._folding = threading.Lock()

    @property
    def changes(self) -> list[dict[str, Piece]]:
        """What each hop changes, for the whole trace."""
        self._fold_to(len(self._hops) - 1)
        return self._changes

    def changed(self, k: int) -> dict[str, Piece]:
        """The pieces hop ``k`` changes, with their new content."""
        self._fold_to(k)
        return self._changes[k]

    def changed_at_once(self, k: int) -> dict[str, Piece] | None:
        """Hop ``k``'s changes if they are at hand without waiting: folded already, or the
        next hop to fold with the fold free (None otherwise). A stream's next hop is one of
        these, and is then rendered where it is sent, with no thread to hand it to."""
        if k < len(self._changes):
            return self._changes[k]
        if k != len(self._changes) or not self._folding.acquire(blocking=False):
            return None
        try:
            if k == len(self._changes):
                self._changes.append(self._fold(self._hops[k]))
        finally:
            self._folding.release()
        return self._changes[k]

    def _fold_to(self, k: int) -> None:
        if k < len(self._changes):
            return
        with self._folding:  # a film is shared by the streams and pages of its content
            for hop in self._hops[len(self._changes) : k + 1]:
                self._changes.append(self._fold(hop))

    def _fold(self, hop: Hop) -> dict[str, Piece]:
        machine, current = self._machine, self._current
        self.advance(machine, hop)
        changed: dict[str, Piece] = {}
        for device_id, guests in self._touched(hop):
            for pid, piece in self._column(machine, device_id, guests).items():
                if current.get(pid) != piece:
                    changed[pid] = piece
        current.update(changed)
        if self._starts(hop) or self._last_hop.get(hop.request) == hop.seq:
            changed[f"req-{hop.request}"] = self.request_row(hop.request, hop.seq)
        if hop.seq % CHECKPOINT == CHECKPOINT - 1:
            self._checkpoints[hop.seq] = dict(current)
        return changed

    def advance(self, m: Machine, hop: Hop) -> None:
        """Carry the fold's state past ``hop``: the core's state, then what the page words
        beyond it (a hop on no device of ours changes none of that)."""
        m.state = advance(m.state, hop, self._ops.get(hop.request, ""))
        device = self._devices.get(hop.device)
        if device is not None:
            apply(m, hop, device)

    def fresh_machine(self) -> Machine:
        return Machine(state=initial_state(self.scenario))

    # --- what the page shows -----------------------------------------------------

    def at(self, k: int) -> dict[str, Piece]:
        """Every station's piece after hop ``k`` (-1: before the first)."""
        self._fold_to(k)
        base = k - (k + 1) % CHECKPOINT  # the last checkpoint at or before k
        state = dict(self._checkpoints.get(base, self.initial))
        for changed in self._changes[max(base + 1, 0) if base in self._checkpoints else 0 : k + 1]:
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

    # --- one column's pieces ---------------------------------------------------

    def _column(
        self, m: Machine, device_id: str, guests: set[str] | None = None
    ) -> dict[str, Piece]:
        device = self._devices[device_id]
        d = device_id
        out: dict[str, Piece] = {}
        for g in self.guests if guests is None else [g for g in self.guests if g in guests]:
            op, status, _ = m.app.get((g, d), ("", "", ""))
            out[station_id("app", d, g)] = {
                "kind": "app",
                "op": op,
                "to": m.dest.get((g, d), ""),
                "status": status,
            }
            out[station_id("drv", d, g)] = self._driver(m, device, g) | {
                "via": m.via.get((g, d), "")
            }
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
            out[f"cable-{d}"] = self._cable(m.state.inputs[d].owner, d)
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

    def _disk(self, m: Machine, disk: Disk) -> Piece:
        """The disk's cylinders as regions in their guests' colours, the arm, the lit sector."""
        per_cylinder = disk.geometry.heads * disk.geometry.sectors_per_track
        cylinders = max(1, -(-disk.blocks // per_cylinder))
        regions = self._regions.get(disk.id)
        if regions is None:  # the regions never change: computed once
            regions = self._regions[disk.id] = self._named_regions(disk, per_cylinder)
        cylinder, chs, sector = m.arm.get(d := disk.id, (0, "", 0))
        spt = disk.geometry.sectors_per_track
        first = max(1, min(sector - 7, spt - 15)) if sector else 1
        return {
            "kind": "disk",
            **regions,
            "arm": cylinder,
            "arm_at": round(100 * (cylinder + 0.5) / cylinders, 2),
            "chs": chs,
            "track": chs.rsplit(" / S", 1)[0] if chs else "",
            "sectors": list(range(first, min(spt, first + 15) + 1)),
            "sector": sector,
            "device": d,
        }

    def _named_regions(self, disk: Disk, per_cylinder: int) -> Piece:
        """The disk's regions, each as [guest, left %, width %, first and last cylinder, what
        it names inside it], and the chips under the bar naming those too narrow to: placed
        with their leaders ("callouts"), or else in the regions' order ("legend")."""
        box = self.diagram.stations[station_id("hw", disk.id)].box
        p = self.diagram.profile
        bar_em = (box.w - 2 * p.text_inset - 2) / p.font
        regions: list[list[Any]] = []
        unnamed: list[tuple[str, float, float]] = []
        for part in disk.partitions:
            left, width = 100 * part.start / disk.blocks, 100 * part.blocks / disk.blocks
            first, last = part.start // per_cylinder, (part.start + part.blocks - 1) // per_cylinder
            named = inside(part.guest, f"C {first}–{last}", width * bar_em / 100)
            regions.append([part.guest, round(left, 2), round(width, 2), first, last, named])
            if not named:
                unnamed.append((part.guest, left, width))
        placed = callouts(unnamed, bar_em)
        return {
            "regions": regions,
            "callouts": [[c.guest, c.x, c.middle, c.anchor] for c in placed or []],
            "legend": [guest for guest, _, _ in unnamed] if placed is None else [],
        }

    def _driver(self, m: Machine, device: Any, g: str) -> Piece:
        d = device.id
        if device.type in ("image", "passthrough"):  # one guest's own: the others have none
            return {"kind": "assigned", "type": device.type, "mine": device.guest == g}
        if device.type not in KNOWN:  # a device type drawn by name until it has its piece
            return {"kind": "plain", "type": device.type}
        if device.type in ("keyboard", "mouse"):
            return {"kind": "dedicated", "owner": m.state.inputs[d].owner == g}
        if device.type == "console_switch":
            return {"kind": "focus", "devices": [x for x, o in m.state.owners.items() if o == g]}
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

    def _table(self, m: Machine, device: Any) -> Piece:
        d = device.id
        if device.type in ("image", "passthrough"):
            return self._layers(m, device)
        if device.type not in KNOWN:  # a device type drawn by name until it has its piece
            return {"kind": "plain", "type": device.type}
        if device.type in ("keyboard", "mouse"):
            return {"kind": "owner", "owner": m.state.inputs[d].owner}
        if device.type == "console_switch":
            owners = m.state.owners
            return {"kind": "owners", "owners": sorted(owners.items(), key=lambda o: o[0])}
        if isinstance(device, Disk):
            row, arithmetic, refused = m.mapping.get(d, (None, "", False))
            return {
                "kind": "mapping",
                "rows": [[p.guest, p.start, p.blocks] for p in device.partitions],
                "files": self._files_on.get(d, []),  # what it holds in place of partitions
                "lit": row,
                "arithmetic": arithmetic,
                "refused": refused,
            }
        if device.type == "nic":
            return {
                "kind": "vnics",
                "rows": [[g.id, g.mac[-5:], g.ip] for g in self.scenario.guests],
                "lit": list(m.vnic_lit.get(d, ())),
                "dropped": m.dropped.get(d, 0),
            }
        if isinstance(device, VSwitch):
            copies = m.state.vswitches[d].copies
            return {"kind": "ports", "guests": list(device.guests), "copies": copies}
        files = m.vmm_spool.get(d, [])
        return {
            "kind": "vspool",
            "files": [list(f) for f in files[:SPOOL_SHOWN]],
            "more": max(0, len(files) - SPOOL_SHOWN),
        }

    def _layers(self, m: Machine, device: Any) -> Piece:
        """An image file's layers (the format's tables, then the host's file system), or the
        IOMMU's table for a device passed through, with the request's arithmetic."""
        _, lines = m.layers.get(device.id, ("", ()))
        if device.type == "passthrough":
            rows = [[f"{r.gpa:#x}", f"{r.hpa:#x}", r.bytes] for r in device.memory]
            return {
                "kind": "iommu",
                "rows": rows,
                "lines": list(lines),
                "refused": m.faulted.get(device.id, False),
            }
        return {"kind": "layers", "format": device.format, "lines": list(lines)}

    def _hardware(self, m: Machine, device: Any) -> Piece:
        d = device.id
        if device.type == "image":  # no hardware of its own: a file whose blocks are on a disk
            return {"kind": "plain", "type": f"file on {device.disk}"}
        if device.type not in KNOWN:  # a device type drawn by name until it has its piece
            return {"kind": "plain", "type": device.type}
        if device.type in ("keyboard", "mouse"):
            last = m.state.inputs[d].last_input
            return {"kind": "input", "type": device.type, "last": "" if last is None else str(last)}
        if isinstance(device, Disk):
            return self._disk(m, device)
        if device.type == "nic":
            frames = m.state.wires[d].frames[-WIRE:]
            ways = [[h.guest, "out" if "src_mac" in h.detail else "in"] for h in frames]
            return {"kind": "wire", "frames": ways}
        tray = m.state.printers[d].tray[-TRAY:]
        return {
            "kind": "printer",
            "tray": [[p["guest"], p["job"], p["page"], p["pages"]] for p in tray],
        }
