"""Checks of the devices bound to one guest: a disk image on a physical disk,
and a device passed through to a guest's memory.

Like :mod:`app.sim.checks`, each problem is ``"<field path>: <what is wrong>"``.
"""

from __future__ import annotations

from collections.abc import Iterator

from .diskimage import largest_file_blocks
from .scenario import (
    PAGE_BYTES,
    Disk,
    GuestItem,
    Image,
    NetSend,
    Passthrough,
    Scenario,
    WorkloadItem,
)


def check_bindings(scenario: Scenario) -> list[str]:
    """Every problem of the scenario's images and passthrough devices."""
    guests = {g.id for g in scenario.guests}
    problems: list[str] = []
    for index, device in enumerate(scenario.devices):
        path = f"devices[{index}]"
        if isinstance(device, Image | Passthrough) and device.guest not in guests:
            problems.append(f"{path}.guest: unknown guest {device.guest!r}")
        if isinstance(device, Image):
            problems += _check_image(scenario, device, path)
        elif isinstance(device, Passthrough):
            problems += _check_memory(device, path)
    problems += _overlapping_memory(scenario)
    return problems


def check_bound_item(scenario: Scenario, item: WorkloadItem, path: str) -> list[str]:
    """A request on an image or an assigned device comes from the guest it belongs to."""
    device = scenario.device(item.device)
    problems = []
    if isinstance(device, Image | Passthrough) and isinstance(item, GuestItem):
        what = "image" if isinstance(device, Image) else "assigned device"
        if item.guest != device.guest:
            problems.append(
                f"{path}.guest: {device.id} is {device.guest}'s {what}; {item.guest} cannot use it"
            )
    elif device is not None and isinstance(item, NetSend) and item.buffer is not None:
        problems.append(
            f"{path}.buffer: only a passthrough device reads guest memory by DMA; "
            f"{device.id} is a {device.type}"
        )
    return problems


def _check_image(scenario: Scenario, image: Image, path: str) -> Iterator[str]:
    disk = scenario.device(image.disk)
    if not isinstance(disk, Disk):
        kind = "no device" if disk is None else f"a {disk.type}"
        yield f"{path}.disk: an image lies on a disk, but {image.disk!r} is {kind}"
        return
    if image.format == "qcow2" and image.cluster_blocks & (image.cluster_blocks - 1):
        yield f"{path}.cluster_blocks: {image.cluster_blocks} is not a power of two"
    need = largest_file_blocks(image)
    have = sum(e.blocks for e in image.extents)
    if have < need:
        yield (
            f"{path}.extents: they hold {have} blocks, but the {image.format} file can grow "
            f"to {need}"
        )
    taken = _taken(scenario, disk, image)
    for number, extent in enumerate(image.extents):
        end = extent.start + extent.blocks - 1
        where = f"{path}.extents[{number}]"
        if end >= disk.blocks:
            yield f"{where}: blocks {extent.start}-{end} reach past the end of {disk.id}"
        for start, last, owner in taken:
            if extent.start <= last and start <= end:
                yield f"{where}: overlaps {owner} (blocks {start}-{last})"
        taken.append((extent.start, end, f"extent {number} of {image.id}"))


def _taken(scenario: Scenario, disk: Disk, image: Image) -> list[tuple[int, int, str]]:
    """The disk's blocks already given out before ``image``: partitions, earlier images."""
    taken = [
        (p.start, p.start + p.blocks - 1, f"the partition of {p.guest}") for p in disk.partitions
    ]
    for other in scenario.devices:
        if other is image:
            break
        if isinstance(other, Image) and other.disk == disk.id:
            taken += [
                (e.start, e.start + e.blocks - 1, f"extent {n} of {other.id}")
                for n, e in enumerate(other.extents)
            ]
    return taken


def _check_memory(device: Passthrough, path: str) -> Iterator[str]:
    for index, region in enumerate(device.memory):
        where = f"{path}.memory[{index}]"
        for name in ("gpa", "hpa", "bytes"):
            if getattr(region, name) % PAGE_BYTES:
                yield f"{where}.{name}: the IOMMU maps whole 4 KiB pages; not a multiple of 4096"
        for other, earlier in enumerate(device.memory[:index]):
            if region.gpa < earlier.gpa + earlier.bytes and earlier.gpa < region.gpa + region.bytes:
                yield f"{where}: guest-physical addresses overlap memory[{other}]"


def _overlapping_memory(scenario: Scenario) -> Iterator[str]:
    """Two guests' memory never shares host-physical pages: that is what the IOMMU protects."""
    seen: list[tuple[int, int, str]] = []
    for index, device in enumerate(scenario.devices):
        if not isinstance(device, Passthrough):
            continue
        for number, region in enumerate(device.memory):
            start, end = region.hpa, region.hpa + region.bytes
            for first, last, owner in seen:
                if start < last and first < end and owner != device.guest:
                    yield (
                        f"devices[{index}].memory[{number}]: host-physical memory overlaps "
                        f"{owner}'s"
                    )
            seen.append((start, end, device.guest))
