"""Checks that relate a scenario's fields to each other.

Each check returns problems as ``"<field path>: <what is wrong>"`` lines, so a
person can find the place in the file at once. Here are the checks every scenario
shares (guests, ids, the operation's device type) and those of the devices bound to a
guest (:mod:`app.sim.bindings`); a device type's own checks, and an operation's, are
declared by its device module (``DEVICE_CHECKS``, ``ITEM_CHECKS``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache

from .bindings import check_bindings, check_bound_item
from .devices import DeviceCheck, ItemCheck, gathered
from .problems import duplicates, known
from .scenario import BROADCAST_MAC, OP_DEVICE_TYPES, GuestItem, Scenario, WorkloadItem

RESERVED_IDS = {"vmm", "iommu"}


@cache
def device_checks() -> Mapping[str, DeviceCheck]:
    """Every device module's checks of a device, by device type."""
    return gathered("DEVICE_CHECKS")


@cache
def item_checks() -> Mapping[str, ItemCheck]:
    """Every device module's checks of a request, by operation."""
    return gathered("ITEM_CHECKS")


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
        problems.append(f"{path}.guest: unknown guest {item.guest!r}{known(scenario.guests)}")
    device = scenario.device(item.device)
    if device is None:
        problems.append(f"{path}.device: unknown device {item.device!r}{known(scenario.devices)}")
    elif device.type not in OP_DEVICE_TYPES[item.op]:
        wanted = " or ".join(OP_DEVICE_TYPES[item.op])
        problems.append(
            f"{path}.device: {item.op} needs a {wanted}, but {device.id} is a {device.type}"
        )
    check = item_checks().get(item.op)
    if check is not None:
        problems += check(scenario, item, path)
    problems += check_bound_item(scenario, item, path)
    return problems


def _check_guests(scenario: Scenario) -> Iterator[str]:
    yield from duplicates("guests", "id", [g.id for g in scenario.guests])
    yield from duplicates("guests", "mac", [g.mac for g in scenario.guests])
    yield from duplicates("guests", "ip", [g.ip for g in scenario.guests])
    for index, guest in enumerate(scenario.guests):
        if guest.id in RESERVED_IDS:
            yield f"guests[{index}].id: {guest.id!r} is reserved for the VMM itself"
        if guest.mac == BROADCAST_MAC:
            yield f"guests[{index}].mac: the broadcast address cannot be a guest's MAC"
        elif int(guest.mac[:2], 16) & 1:
            yield f"guests[{index}].mac: {guest.mac} is a multicast address (first octet odd)"


def _check_devices(scenario: Scenario) -> Iterator[str]:
    guest_ids = {g.id for g in scenario.guests}
    yield from duplicates("devices", "id", [d.id for d in scenario.devices])
    for index, device in enumerate(scenario.devices):
        path = f"devices[{index}]"
        if device.id in guest_ids or device.id in RESERVED_IDS:
            yield f"{path}.id: {device.id!r} is already the name of a guest or of the VMM"
        check = device_checks().get(device.type)
        if check is not None:
            yield from check(scenario, device, path)
