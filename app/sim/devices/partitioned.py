"""Partitioned devices (a disk): each guest's virtual disk is a region of the
physical disk; the VMM checks bounds, translates the block and its C/H/S, and
the disk serves one request at a time in arrival order. At the I/O-operation
level each guest's driver has one ATA register set, so it issues one command at
a time, and the VMM checks a command when its command register is written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..costs import CostLine
from ..details import DiskServed
from ..engine import Resource
from ..interception import (
    Call,
    Waits,
    answered,
    guest_starts,
    interrupt,
    level_of,
    register_traps,
    syscall_name,
    trap_in,
)
from ..machine import DiskState, Machine
from ..problems import duplicates, known
from ..registers import Controller
from ..scenario import BLOCK_BYTES, Disk, DiskRead, DiskWrite, Scenario
from ..trace import RequestRecord
from . import DeviceCheck, Handler
from .ata import ATA, ata_command, ata_complete, ata_data_out
from .disk_timing import DISK_COSTS, rotation_us, seek_us, transfer_us


@dataclass(frozen=True, slots=True)
class Backing:
    """Where a guest's virtual disk lies, for the steps every disk request shares.

    ``locate`` shows the VMM's mapping (as hops) and returns its detail, with
    ``in_bounds`` (and, when refused, ``row`` and ``reason``); ``serve`` does
    the physical work of a request that is in bounds. ``controllers`` holds
    each guest's emulated ATA controller.
    """

    controllers: dict[str, Resource]
    locate: Callable[[Machine, RequestRecord, DiskRead | DiskWrite], dict[str, Any]]
    serve: Callable[[Machine, RequestRecord, DiskRead | DiskWrite, dict[str, Any]], Waits]


def disk_request(m: Machine, req: RequestRecord, item: DiskRead | DiskWrite) -> Waits:
    state = m.disks[item.device]
    yield from block_request(m, req, item, Backing(state.controllers, _locate, _serve_partition))


def block_request(
    m: Machine, req: RequestRecord, item: DiskRead | DiskWrite, backing: Backing
) -> Waits:
    """A guest's disk request at its level, whatever lies behind its virtual disk."""
    write = item.op == "disk_write"
    verb = "write" if write else "read"
    guest, block, count = item.guest, item.block, item.count
    span = span_of("block", block, count)
    asked = {"op": verb, "virtual_block": block, "count": count}
    app = f"{guest}'s application asks to {verb} {span} of its disk"
    issue = f"{guest}'s disk driver issues a {verb} of virtual {span}"
    if not level_of(req).registers:
        guest_starts(m, req, guest, app, issue, asked)
        yield from _carry_out(m, req, item, backing)
        return
    m.hop(req, "guest_app", guest, app, asked)
    # One ATA register set per guest: its driver finishes one command before it
    # writes the next one's registers.
    controller = backing.controllers.get(guest)
    if controller is None:
        controller = backing.controllers[guest] = Resource(m.engine)
    waited = yield controller.claim()
    if waited:
        issue += f", after waiting {waited} µs for its controller's previous command to complete"
    m.hop(req, "guest_driver", guest, issue, {**asked, "waited_us": waited})
    yield from _carry_out(m, req, item, backing)
    controller.release()


def _carry_out(
    m: Machine, req: RequestRecord, item: DiskRead | DiskWrite, backing: Backing
) -> Waits:
    write = item.op == "disk_write"
    verb = "write" if write else "read"
    guest, block, count = item.guest, item.block, item.count
    span = span_of("block", block, count)
    call = Call(
        "virtio-blk",
        {
            "type": "VIRTIO_BLK_T_OUT" if write else "VIRTIO_BLK_T_IN",
            "sector": block,
            "count": count,
        },
        "pwrite" if write else "pread",
        {"fd": 3, "bytes": count * BLOCK_BYTES, "offset": block * BLOCK_BYTES},
    )
    pio = level_of(req).registers
    command = ata_command(write, block, count) if pio else []
    if not (yield from trap_in(m, req, guest, command, call)):
        return
    rebuilt = _rebuilt(m, req, guest, verb, span, len(command))
    m.hop(req, "device_model", "vmm", rebuilt, {"op": verb, "virtual_block": block, "count": count})
    mapping = backing.locate(m, req, item)
    if not mapping["in_bounds"]:
        # refused at the command: a PIO write's data is never asked for
        yield from _refuse(m, req, guest, write, count, mapping)
        return
    if pio and write:
        yield from register_traps(m, req, guest, ata_data_out(count))
    yield from backing.serve(m, req, item, mapping)
    yield from interrupt(
        m,
        req,
        guest,
        _said(req).completed.format(guest=guest, disk=item.device),
        ata_complete(write, count, ok=True),
    )
    m.reply(
        req,
        "ok",
        f"{answered(req.level, guest)} gets status ok: virtual {span} "
        f"{'written' if write else 'read'}",
        native=_native(req, write, count, ok=True),
    )


def _locate(m: Machine, req: RequestRecord, item: DiskRead | DiskWrite) -> dict[str, Any]:
    state = m.disks[item.device]
    mapping = _mapping(state, state.row_of(item.guest), item.block, item.count)
    m.hop(req, "physical_mapping", "vmm", _mapping_summary(state, item.guest, mapping), mapping)
    return mapping


def _serve_partition(
    m: Machine, req: RequestRecord, item: DiskRead | DiskWrite, mapping: dict[str, Any]
) -> Waits:
    verb = "write" if item.op == "disk_write" else "read"
    yield from serve(m, req, m.disks[item.device], mapping, verb)


def serve(
    m: Machine, req: RequestRecord, state: DiskState, mapping: dict[str, Any], verb: str
) -> Waits:
    """The disk serves ``mapping``'s blocks when its arm is free: seek, rotation, transfer."""
    waited = yield state.arm.claim()
    spt = state.disk.geometry.sectors_per_track
    cylinder, sector, count = mapping["cylinder"], mapping["sector"], mapping["count"]
    distance = abs(cylinder - state.head_cylinder)
    seek = seek_us(distance, state.cylinders)
    rotation = rotation_us(m.engine.now + seek, sector, spt)
    transfer = transfer_us(count, spt)
    service = seek + rotation + transfer
    span = span_of("block", mapping["physical_block"], count)
    served: DiskServed = {
        "physical_block": mapping["physical_block"],
        "count": count,
        "cylinder": cylinder,
        "head": mapping["head"],
        "sector": sector,
        "from_cylinder": state.head_cylinder,
        "seek_us": seek,
        "rotation_us": rotation,
        "transfer_us": transfer,
        "service_us": service,
        "waited_us": waited,
    }
    m.hop(
        req,
        "physical_device",
        state.disk.id,
        f"{state.disk.id} {verb}s physical {span} at C {cylinder} / H {mapping['head']} / "
        f"S {sector}: seek {seek} µs over {distance} cylinders, rotation {rotation} µs, "
        f"transfer {transfer} µs",
        served,
    )
    req.device_us += service
    yield service
    state.head_cylinder = state.chs(mapping["physical_block"] + count - 1)[0]
    state.arm.release()


def _refuse(
    m: Machine, req: RequestRecord, guest: str, write: bool, count: int, mapping: dict[str, Any]
) -> Waits:
    yield from interrupt(
        m,
        req,
        guest,
        f"the VMM refuses the request without touching {req.device} and tells {guest} at once",
        ata_complete(write, count, ok=False),
    )
    status = "out_of_range" if mapping["row"] is not None else "no_partition"
    m.reply(
        req,
        status,
        f"refused: {mapping['reason']}; {answered(req.level, guest)} gets status {status}",
        reason=mapping["reason"],
        native=_native(req, write, count, ok=False),
    )


def _mapping(state: DiskState, row: int | None, block: int, count: int) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "row": row,
        "table": state.table,
        "virtual_block": block,
        "count": count,
        "partition_start": None,
        "partition_blocks": None,
        "physical_block": None,
        "cylinder": None,
        "head": None,
        "sector": None,
        "in_bounds": False,
    }
    if row is None:
        detail["reason"] = f"{state.disk.id} has no partition for this guest"
        return detail
    part = state.disk.partitions[row]
    detail.update(partition_start=part.start, partition_blocks=part.blocks)
    if block + count > part.blocks:
        last = block + count - 1
        detail["reason"] = (
            f"virtual {span_of('block', block, count)} reach{'es' if count == 1 else ''} past the "
            f"end of {part.guest}'s {part.blocks}-block disk (last block {part.blocks - 1}, "
            f"asked up to {last})"
        )
        return detail
    physical = part.start + block
    cylinder, head, sector = state.chs(physical)
    detail.update(
        physical_block=physical,
        cylinder=cylinder,
        head=head,
        sector=sector,
        in_bounds=True,
        arithmetic=(
            f"vblock {block} + start {part.start} = pblock {physical} → "
            f"C {cylinder} / H {head} / S {sector}"
        ),
    )
    return detail


def _mapping_summary(state: DiskState, guest: str, mapping: dict[str, Any]) -> str:
    if mapping["row"] is None:
        return f"the mapping table of {state.disk.id} has no row for {guest}"
    if not mapping["in_bounds"]:
        return f"the VMM checks bounds with row {mapping['row']} ({guest}): {mapping['reason']}"
    return f"the VMM maps with row {mapping['row']} ({guest}): {mapping['arithmetic']}"


@dataclass(frozen=True, slots=True)
class DiskWording:
    """What the VMM's side of a disk is called at one level, and what it says.

    ``rebuilt`` names how the VMM gets the request (fields: n, verb, span, guest, call,
    os, path, block_bytes); ``completed`` how the guest learns it is done (guest, disk);
    the ``native_*`` texts are the status in the guest's own terms (bytes).
    """

    rebuilt: str
    completed: str
    native_ok: str
    native_refused_read: str
    native_refused_write: str


DISK_WORDING: dict[str, DiskWording] = {
    "io_operation": DiskWording(
        rebuilt="the VMM's IDE model rebuilds the request from {n} register accesses: "
        "{verb} virtual {span}",
        completed="{disk} is done: the VMM injects a disk interrupt into {guest}",
        native_ok="ATA status 0x50 (ready)",
        native_refused_read="ATA status 0x51 ERR, error 0x10 IDNF",
        native_refused_write="ATA status 0x51 ERR, error 0x10 IDNF",
    ),
    "device_driver": DiskWording(
        rebuilt="the VMM's virtio-blk backend reads the request from the ring: "
        "{verb} virtual {span}",
        completed="{disk} is done: the VMM injects a disk interrupt into {guest}",
        native_ok="VIRTIO_BLK_S_OK (0)",
        native_refused_read="VIRTIO_BLK_S_IOERR (1)",
        native_refused_write="VIRTIO_BLK_S_IOERR (1)",
    ),
    "system_call": DiskWording(
        rebuilt="the VMM interprets {call} with its {os} knowledge: fd 3 is the file {path}, "
        "{guest}'s whole disk, so the call's offset ÷ {block_bytes} bytes = virtual {span}",
        completed="{disk} is done: the VMM resumes {guest}'s blocked system call",
        native_ok="returns {bytes} (bytes)",
        native_refused_read="returns 0 (end of device)",
        native_refused_write="returns -ENOSPC",
    ),
}

# The file a guest OS's application opens to reach its whole disk.
_WHOLE_DISK = {"linux": "/dev/sda", "windows": r"\\.\PhysicalDrive0"}


def _said(req: RequestRecord) -> DiskWording:
    return DISK_WORDING[req.level]


def _rebuilt(m: Machine, req: RequestRecord, guest: str, verb: str, span: str, n: int) -> str:
    os = m.guests[guest].os
    return _said(req).rebuilt.format(
        n=n,
        verb=verb,
        span=span,
        guest=guest,
        call=syscall_name(os, "pwrite" if verb == "write" else "pread")[0],
        os=os,
        path=_WHOLE_DISK.get(os, r"\\.\PhysicalDrive0"),
        block_bytes=BLOCK_BYTES,
    )


def _native(req: RequestRecord, write: bool, count: int, ok: bool) -> str:
    said = _said(req)
    text = (
        said.native_ok if ok else said.native_refused_write if write else said.native_refused_read
    )
    return text.format(bytes=count * BLOCK_BYTES)


def span_of(noun: str, first: int, count: int) -> str:
    return f"{noun} {first}" if count == 1 else f"{noun}s {first}-{first + count - 1}"


def _check_partitions(scenario: Scenario, disk: Disk, path: str) -> Iterator[str]:
    # A disk may end in a partial cylinder, as real disks do: only partitions
    # that reach past its last block are refused.
    guest_ids = {g.id for g in scenario.guests}
    seen: list[tuple[int, int, str]] = []
    for index, part in enumerate(disk.partitions):
        where = f"{path}.partitions[{index}]"
        end = part.start + part.blocks - 1
        if part.guest not in guest_ids:
            yield f"{where}.guest: unknown guest {part.guest!r}{known(scenario.guests)}"
        if end >= disk.blocks:
            yield (
                f"{where}: blocks {part.start}-{end} reach past the end of {disk.id} "
                f"(blocks 0-{disk.blocks - 1})"
            )
        for start, last, owner in seen:
            if part.start <= last and start <= end:
                yield f"{where}: overlaps partition of {owner} (blocks {start}-{last})"
        seen.append((part.start, end, part.guest))
    yield from duplicates(
        f"{path}.partitions", "guest", [p.guest for p in disk.partitions], "has two partitions"
    )


# What this module handles, by (operation, device type): the simulation finds it here.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("disk_read", "disk"): disk_request,
    ("disk_write", "disk"): disk_request,
}
# Each device type's controller, and what its requests are charged.
REGISTERS: dict[str, Controller | None] = {"disk": ATA}
COSTS: dict[str, tuple[CostLine, ...]] = {"disk": DISK_COSTS}
# What the scenario's checks ask beyond the model: partitions of known guests, one each,
# inside the disk and apart.
DEVICE_CHECKS: dict[str, DeviceCheck] = {"disk": _check_partitions}
