"""The fold behind the pieces: the machine after each hop as the core's own state says it
(:class:`app.sim.state.MachineState`: owners, the last input, the frames on a wire, a
vswitch's copies, a printer's tray), and what the stations show beyond it, as the page
words it: each column's application, traps and model; the mapping row last used and its
arithmetic, and the C/H/S the arm last served (the core lights both for one hop only); the
vNIC row last used, frames received and dropped; the spool tables as the page names their
rows' states; the layers of an image's or an IOMMU's mapping.

A new device category's state belongs in the core's state, which the pieces read; this
fold keeps only what the core does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.sim import Hop
from app.sim.interception import INTERCEPTION
from app.sim.scenario import Device, Disk
from app.sim.state import MachineState


@dataclass(slots=True)
class Machine:
    """The state the fold carries: the core's state of the machine, and what some piece
    shows beyond it."""

    state: MachineState
    traps: dict[str, int] = field(default_factory=dict)
    exits: dict[str, int] = field(default_factory=dict)  # of the request the bus last caught
    caught: dict[str, str] = field(default_factory=dict)  # which request that was
    # (op, status, request): the request an application issued last, its status once replied
    app: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    dest: dict[tuple[str, str], str] = field(default_factory=dict)  # where the op sends to
    via: dict[tuple[str, str], str] = field(default_factory=dict)  # the level's way out
    # the row used, its arithmetic (or why it refused), and whether it refused
    mapping: dict[str, tuple[int | None, str, bool]] = field(default_factory=dict)
    arm: dict[str, tuple[int, str, int]] = field(default_factory=dict)  # cylinder, C/H/S, sector
    vnic_lit: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the rows looked up
    dropped: dict[str, int] = field(default_factory=dict)
    rx: dict[tuple[str, str], int] = field(default_factory=dict)
    guest_spool: dict[tuple[str, str], list[list[Any]]] = field(default_factory=dict)
    vmm_spool: dict[str, list[list[Any]]] = field(default_factory=dict)
    model: dict[str, str] = field(default_factory=dict)
    # an image file's or an IOMMU's mapping: the request it is for and each layer's sentence
    layers: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    faulted: dict[str, bool] = field(default_factory=dict)


def apply(m: Machine, hop: Hop, device: Device) -> None:
    """Carry what ``m`` words for the page past ``hop``, a hop on ``device`` (its ``state``
    is the core's to advance)."""
    d, detail, stage = hop.device, hop.detail, hop.stage
    if stage == "guest_app" and hop.guest is not None:
        m.app[(hop.guest, d)] = (_op_text(hop), "", hop.request)
        m.dest[(hop.guest, d)] = str(detail.get("dst_ip") or "")
        # the way the request leaves the guest at its level, as the core's row names it
        m.via[(hop.guest, d)] = INTERCEPTION[hop.level].driver_name
    if stage == "status_reply" and hop.guest is not None:
        # an earlier request answered after a later one was issued is not the shown one's
        op, _, request = m.app.get((hop.guest, d), ("", "", ""))
        if request == hop.request:
            m.app[(hop.guest, d)] = (op, str(detail.get("status", "")), request)
    if stage == "vmm_trap":
        m.traps[d] = m.traps.get(d, 0) + int(detail.get("traps", 1))
        if m.caught.get(d) != hop.request:
            m.caught[d], m.exits[d] = hop.request, 0
        m.exits[d] += int(detail.get("traps", 1))
    if stage == "device_model":
        m.model[d] = _model_text(hop)
    if device.type in ("image", "passthrough") and stage == "physical_mapping":
        # each layer of the request's mapping (image, then the host's file system) in turn
        request, lines = m.layers.get(d, ("", ()))
        kept = lines if request == hop.request else ()
        m.layers[d] = (hop.request, (*kept, _layer_text(hop))[-2:])
        m.faulted[d] = detail.get("fault_address") is not None
    if isinstance(device, Disk):
        if stage == "physical_mapping":
            refused = detail.get("in_bounds") is False
            text = detail.get("reason" if refused else "arithmetic", "")
            m.mapping[d] = (detail.get("row"), str(text), refused)
        if stage == "physical_device":
            chs = f"C {detail['cylinder']} / H {detail['head']} / S {detail['sector']}"
            m.arm[d] = (int(detail["cylinder"]), chs, int(detail["sector"]))
    if device.type == "nic":
        if stage == "physical_mapping":
            # a frame sent: its sender's row; one arriving: every guest it is copied to (all
            # of them for a broadcast, none when no vNIC has its address)
            receivers = detail.get("receivers")
            guest = detail.get("guest")
            sender = (str(guest),) if guest else ()
            m.vnic_lit[d] = tuple(receivers) if receivers is not None else sender
            if receivers == []:
                m.model[d] = "nothing to copy"
        if stage == "status_reply" and detail.get("status") == "dropped":
            m.dropped[d] = m.dropped.get(d, 0) + 1
    if stage == "guest_driver" and device.type in ("nic", "vswitch") and "from" in detail:
        m.rx[(hop.actor, d)] = m.rx.get((hop.actor, d), 0) + 1
    if device.type == "printer":
        _spool(m, hop)


def _spool(m: Machine, hop: Hop) -> None:
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
    elif hop.stage == "physical_mapping" and "file" in detail:
        # the spool table places the file (next, or waiting behind those ahead), or the
        # printer takes the whole file
        state = ("waiting" if detail["ahead"] else "next") if "ahead" in detail else "printing"
        for row in files:
            if row[0] == detail["file"]:
                row[3] = state
    elif hop.stage == "physical_device" and "job" in detail:
        for row in files:
            if row[0] == detail["job"]:
                row[3] = f"printing p {detail['page']}/{detail['pages']}"
        if detail.get("page") == detail.get("pages"):
            m.vmm_spool[d] = [r for r in files if r[0] != detail["job"]]
    elif hop.stage == "status_reply" and "file" in detail:
        m.guest_spool[(guest, d)] = [j for j in jobs if j[2] != "to VMM"]


def _layer_text(hop: Hop) -> str:
    """One mapping layer, as short as a narrow column needs: the IOMMU's translation or
    refusal, or the layer's own arithmetic."""
    detail = hop.detail
    if "gpa" in detail:
        gpa, fault = detail["gpa"], detail.get("fault_address")
        if fault is not None:
            return f"{gpa} + {detail['bytes']} B: {fault} is outside the guest"
        stretches = detail.get("stretches") or [{}]
        return f"{gpa} → {stretches[0].get('hpa', '?')}"
    return str(detail.get("arithmetic") or hop.summary)


def _op_text(hop: Hop) -> str:
    """A few words for the application's cell: what it asked for."""
    detail = hop.detail
    if "virtual_block" in detail:
        count = int(detail.get("count", 1))
        block = int(detail["virtual_block"])
        blocks = f"vblock {block}" if count == 1 else f"vblocks {block}-{block + count - 1}"
        return f"{detail.get('op', '')} {blocks}"
    if "dst_ip" in detail:  # and to whom: the piece's own words (a projector drops them)
        return f"send {detail.get('bytes', '')}\u00a0B"
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
