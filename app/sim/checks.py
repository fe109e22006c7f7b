"""Checks that relate a scenario's fields to each other.

Each check returns problems as ``"<field path>: <what is wrong>"`` lines, so a
person can find the place in the file at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from .bindings import check_bindings, check_bound_item
from .devices.i8042 import NAMED_KEYS, scancodes
from .scenario import (
    BROADCAST_MAC,
    OP_DEVICE_TYPES,
    Disk,
    FrameArrives,
    GuestItem,
    Keyboard,
    KeyPress,
    Mouse,
    Scenario,
    SwitchOwner,
    VSwitch,
    WorkloadItem,
)

RESERVED_IDS = {"vmm", "iommu"}


def check_scenario(scenario: Scenario) -> list[str]:
    """Every cross-field problem of ``scenario``, in file order."""
    problems = list(_check_guests(scenario))
    problems += _check_devices(scenario)
    problems += check_bindings(scenario)
    for index, item in enumerate(scenario.workload):
        problems += check_item(scenario, item, f"workload[{index}]")
    return problems


def check_item(scenario: Scenario, item: WorkloadItem, path: str) -> list[str]:
    """Problems of one workload item (or a command) against ``scenario``."""
    problems: list[str] = []
    if isinstance(item, GuestItem) and scenario.guest(item.guest) is None:
        problems.append(f"{path}.guest: unknown guest {item.guest!r}{_known(scenario.guests)}")
    device = scenario.device(item.device)
    if device is None:
        problems.append(f"{path}.device: unknown device {item.device!r}{_known(scenario.devices)}")
    elif device.type not in OP_DEVICE_TYPES[item.op]:
        wanted = " or ".join(OP_DEVICE_TYPES[item.op])
        problems.append(
            f"{path}.device: {item.op} needs a {wanted}, but {device.id} is a {device.type}"
        )
    if isinstance(item, FrameArrives) and item.dst_mac is None and item.dst_ip is None:
        problems.append(f"{path}: frame_arrives needs dst_mac or dst_ip")
    if isinstance(item, SwitchOwner):
        problems += _check_switch(scenario, item, path)
    if isinstance(item, KeyPress) and scancodes(item.key) is None:
        problems.append(
            f"{path}.key: {item.key!r} is not a key of the keyboard (one printable character "
            f"or {', '.join(NAMED_KEYS)})"
        )
    problems += check_bound_item(scenario, item, path)
    return problems


def _check_switch(scenario: Scenario, item: SwitchOwner, path: str) -> list[str]:
    problems = []
    target = scenario.device(item.target)
    if target is None:
        problems.append(f"{path}.target: unknown device {item.target!r}")
    elif not isinstance(target, Keyboard | Mouse):
        problems.append(
            f"{path}.target: only a dedicated device (keyboard, mouse) changes owner; "
            f"{target.id} is a {target.type}"
        )
    if scenario.guest(item.to) is None:
        problems.append(f"{path}.to: unknown guest {item.to!r}{_known(scenario.guests)}")
    return problems


def _check_guests(scenario: Scenario) -> Iterator[str]:
    yield from _duplicates("guests", "id", [g.id for g in scenario.guests])
    yield from _duplicates("guests", "mac", [g.mac for g in scenario.guests])
    yield from _duplicates("guests", "ip", [g.ip for g in scenario.guests])
    for index, guest in enumerate(scenario.guests):
        if guest.id in RESERVED_IDS:
            yield f"guests[{index}].id: {guest.id!r} is reserved for the VMM itself"
        if guest.mac == BROADCAST_MAC:
            yield f"guests[{index}].mac: the broadcast address cannot be a guest's MAC"
        elif int(guest.mac[:2], 16) & 1:
            yield f"guests[{index}].mac: {guest.mac} is a multicast address (first octet odd)"


def _check_devices(scenario: Scenario) -> Iterator[str]:
    guest_ids = {g.id for g in scenario.guests}
    yield from _duplicates("devices", "id", [d.id for d in scenario.devices])
    for index, device in enumerate(scenario.devices):
        path = f"devices[{index}]"
        if device.id in guest_ids or device.id in RESERVED_IDS:
            yield f"{path}.id: {device.id!r} is already the name of a guest or of the VMM"
        if isinstance(device, Keyboard | Mouse) and device.owner is not None:
            if device.owner not in guest_ids:
                yield f"{path}.owner: unknown guest {device.owner!r}{_known(scenario.guests)}"
        elif isinstance(device, Disk):
            yield from _check_partitions(device, path, guest_ids, scenario)
        elif isinstance(device, VSwitch):
            for port, guest in enumerate(device.guests):
                if guest not in guest_ids:
                    yield f"{path}.guests[{port}]: unknown guest {guest!r}"
            yield from _duplicates(f"{path}.guests", "", device.guests)


def _check_partitions(
    disk: Disk, path: str, guest_ids: set[str], scenario: Scenario
) -> Iterator[str]:
    # A disk may end in a partial cylinder, as real disks do: only partitions
    # that reach past its last block are refused.
    seen: list[tuple[int, int, str]] = []
    for index, part in enumerate(disk.partitions):
        where = f"{path}.partitions[{index}]"
        end = part.start + part.blocks - 1
        if part.guest not in guest_ids:
            yield f"{where}.guest: unknown guest {part.guest!r}{_known(scenario.guests)}"
        if end >= disk.blocks:
            yield (
                f"{where}: blocks {part.start}-{end} reach past the end of {disk.id} "
                f"(blocks 0-{disk.blocks - 1})"
            )
        for start, last, owner in seen:
            if part.start <= last and start <= end:
                yield f"{where}: overlaps partition of {owner} (blocks {start}-{last})"
        seen.append((part.start, end, part.guest))
    yield from _duplicates(
        f"{path}.partitions", "guest", [p.guest for p in disk.partitions], "has two partitions"
    )


def _duplicates(
    path: str, field: str, values: Sequence[str], what: str = "is a duplicate"
) -> Iterator[str]:
    first_at: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in first_at:
            suffix = f".{field}" if field else ""
            yield f"{path}[{index}]{suffix}: {value!r} {what} (first at {path}[{first_at[value]}])"
        else:
            first_at[value] = index


def _known(things: Iterable[object]) -> str:
    ids = [getattr(t, "id", "") for t in things]
    return f" (known: {', '.join(ids)})" if ids else ""
