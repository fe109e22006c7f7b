"""A guest's disk that is an image file on the host (partitioned category).

The guest's side and the VMM's interception are those of any disk
(:func:`block_request`). Behind them the path has one mapping hop per layer,
each with its arithmetic: the image format (raw, or qcow2's L1 → L2 →
cluster, allocating on first write), then for each access to the file the
host file system (the file's extent list → a disk block and its C/H/S) and
the disk. Several guests' images on one disk take turns on its one arm.
"""

from __future__ import annotations

from typing import Any

from ..costs import CostLine
from ..diskimage import FileAccess, ImageFile, Run, extent_runs
from ..interception import Waits
from ..machine import DiskState, Machine
from ..registers import Controller
from ..scenario import DiskRead, DiskWrite
from ..trace import RequestRecord
from . import Handler
from .ata import ATA
from .disk_timing import DISK_COSTS
from .partitioned import Backing, block_request, serve, span_of


def image_request(m: Machine, req: RequestRecord, item: DiskRead | DiskWrite) -> Waits:
    image = m.images[item.device]
    yield from block_request(m, req, item, Backing(image.controllers, _bounds, _serve_image))


def _bounds(m: Machine, req: RequestRecord, item: DiskRead | DiskWrite) -> dict[str, Any]:
    """The VMM checks the request against the image's size before any layer."""
    image = m.images[item.device].image
    block, count = item.block, item.count
    detail: dict[str, Any] = {
        "layer": "image",
        "format": image.format,
        "virtual_block": block,
        "count": count,
        "image_blocks": image.blocks,
        "row": 0,
        "in_bounds": block + count <= image.blocks,
    }
    if detail["in_bounds"]:
        return detail
    detail["reason"] = (
        f"virtual {span_of('block', block, count)} reach{'es' if count == 1 else ''} past the "
        f"end of {image.guest}'s {image.blocks}-block image {image.id} (last block "
        f"{image.blocks - 1}, asked up to {block + count - 1})"
    )
    m.hop(
        req,
        "physical_mapping",
        "vmm",
        f"the VMM checks bounds against {image.id}: {detail['reason']}",
        detail,
    )
    return detail


def _serve_image(
    m: Machine, req: RequestRecord, item: DiskRead | DiskWrite, _: dict[str, Any]
) -> Waits:
    image = m.images[item.device]
    disk = m.disks[image.image.disk]
    for piece in image.pieces(item.block, item.count, item.op == "disk_write"):
        m.hop(req, "physical_mapping", "vmm", piece.summary, piece.detail)
        for access in piece.accesses:
            yield from _file_access(m, req, image, disk, access)


def _file_access(
    m: Machine, req: RequestRecord, image: ImageFile, disk: DiskState, access: FileAccess
) -> Waits:
    """The host file system finds the disk blocks of one access; the disk serves each run."""
    verb = "write" if access.write else "read"
    for run in extent_runs(image.image.extents, access.file_block, access.count):
        mapping = _fs_mapping(image, disk, run, access)
        summary = (
            f"the host file system places the {access.purpose} {verb} of {image.image.id}: "
            f"{mapping['arithmetic']}"
        )
        m.hop(req, "physical_mapping", "vmm", summary, mapping)
        yield from serve(m, req, disk, mapping, verb)


def _fs_mapping(image: ImageFile, disk: DiskState, run: Run, access: FileAccess) -> dict[str, Any]:
    cylinder, head, sector = disk.chs(run.physical_block)
    last = run.extent_file_block + image.image.extents[run.extent].blocks - 1
    return {
        "layer": "file_system",
        "purpose": access.purpose,
        "file_block": run.file_block,
        "count": run.count,
        "extent": run.extent,
        "extents": [{"start": e.start, "blocks": e.blocks} for e in image.image.extents],
        "physical_block": run.physical_block,
        "cylinder": cylinder,
        "head": head,
        "sector": sector,
        "in_bounds": True,
        "arithmetic": (
            f"file block {run.file_block} is in extent {run.extent} (file blocks "
            f"{run.extent_file_block}-{last} at disk block {run.extent_start}): "
            f"{run.extent_start} + {run.file_block - run.extent_file_block} = "
            f"pblock {run.physical_block} → C {cylinder} / H {head} / S {sector}"
        ),
    }


# What this module handles, by (operation, device type): the simulation finds it here.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("disk_read", "image"): image_request,
    ("disk_write", "image"): image_request,
}
# An image is a guest's disk like any other: the same controller and, on the host's disk,
# the same times.
REGISTERS: dict[str, Controller | None] = {"image": ATA}
COSTS: dict[str, tuple[CostLine, ...]] = {"image": DISK_COSTS}
