"""Virtual devices, with no physical counterpart: a switch between guests (a
frame copied from one vNIC to another in memory) and the console switch that
moves a dedicated device from one guest to another."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ..costs import CostLine
from ..details import OwnerChanged, SwitchCopy
from ..interception import Waits, answered, interrupt, level_of, unknown_os_reply
from ..machine import Machine
from ..problems import duplicates, known
from ..registers import Controller
from ..scenario import Keyboard, Mouse, NetSend, Scenario, SwitchOwner, VSwitch
from ..trace import RequestRecord
from . import DeviceCheck, Handler, ItemCheck
from .e1000 import E1000, E1000_RX_DONE, E1000_TX_DONE
from .shared import RECEIVE_CALLS, send_start, split_frames

# An in-memory copy between two vNICs on a virtual switch: ~10 GB/s memcpy,
# never less than 1 µs for the switch's bookkeeping.
MEMCPY_BYTES_PER_US = 10_000


def memcpy_us(nbytes: int) -> int:
    return max(1, math.ceil(nbytes / MEMCPY_BYTES_PER_US))


def switch_send(m: Machine, req: RequestRecord, item: NetSend) -> Waits:
    frames = split_frames(item.bytes)
    if not (yield from send_start(m, req, item, len(frames))):
        return
    sender, switch = item.guest, item.device
    ports = m.switch_ports[switch]
    port_table = [{"guest": g, "mac": m.guests[g].mac, "ip": m.guests[g].ip} for g in ports]
    if sender not in ports:
        reason = f"{sender} has no port on {switch}"
        _lookup(m, req, f"{switch}'s port table has no port for {sender}", item, None, port_table)
        m.reply(req, "not_connected", f"refused: {reason}", reason=reason)
        return
    receiver = next((g for g in ports if m.guests[g].ip == item.dst_ip), None)
    if receiver is None:
        reason = f"no guest on {switch} has IP {item.dst_ip}"
        _lookup(m, req, f"{switch}'s port table: {reason}", item, None, port_table)
        m.reply(req, "no_such_host", f"refused: {reason}", reason=reason)
        return
    _lookup(
        m,
        req,
        f"{switch}'s port table: {item.dst_ip} is {receiver}; no physical device is behind it",
        item,
        receiver,
        port_table,
    )
    if level_of(req).vmm_answers and not m.os_known(receiver):
        unknown_os_reply(m, req, receiver, RECEIVE_CALLS)
        return
    copy = memcpy_us(item.bytes)
    copied: SwitchCopy = {"from": sender, "to": receiver, "bytes": item.bytes, "copy_us": copy}
    m.hop(
        req,
        "device_model",
        "vmm",
        f"the VMM copies {item.bytes} bytes from {sender}'s vNIC to {receiver}'s in memory "
        f"({copy} µs): the physical NIC is never touched",
        copied,
    )
    req.device_us += copy
    yield copy
    yield from deliver_copy(m, req, receiver, item.bytes, sender)
    yield from interrupt(
        m, req, sender, f"the VMM injects a transmit-done interrupt into {sender}", E1000_TX_DONE
    )
    m.reply(
        req,
        "ok",
        f"{answered(req.level, sender)} gets status ok: delivered to {receiver} through {switch}",
        delivered_to=receiver,
    )


def deliver_copy(m: Machine, req: RequestRecord, receiver: str, nbytes: int, sender: str) -> Waits:
    yield from interrupt(
        m, req, receiver, f"the VMM injects a receive interrupt into {receiver}", E1000_RX_DONE
    )
    m.hop(
        req,
        "guest_driver",
        receiver,
        f"{receiver}'s network driver receives {nbytes} bytes from {sender}",
        {"bytes": nbytes, "from": sender},
    )


def _lookup(
    m: Machine,
    req: RequestRecord,
    summary: str,
    item: NetSend,
    receiver: str | None,
    ports: list[dict[str, str]],
) -> None:
    m.hop(
        req,
        "physical_mapping",
        "vmm",
        summary,
        {"dst_ip": item.dst_ip, "guest": receiver, "ports": ports, "physical_device": None},
    )


def switch_owner(m: Machine, req: RequestRecord, item: SwitchOwner) -> None:
    """The console switch (a host key) gives a keyboard or mouse to another guest."""
    state = m.dedicated[item.target]
    before = state.owner
    m.hop(
        req,
        "device_model",
        "vmm",
        f"{item.device}: the host key moves {item.target} from {before or 'nobody'} to {item.to}",
        {"target": item.target, "from": before, "to": item.to},
    )
    state.owner = item.to
    changed: OwnerChanged = {
        "target": item.target,
        "owner_before": before,
        "owner": item.to,
        "owners": {device: s.owner for device, s in m.dedicated.items()},
    }
    m.hop(
        req,
        "physical_mapping",
        "vmm",
        f"the VMM's owner table now says {item.target} → {item.to}",
        changed,
    )
    m.reply(req, "ok", f"{item.target} now belongs to {item.to}", owner=item.to)


def _check_ports(scenario: Scenario, switch: VSwitch, path: str) -> Iterator[str]:
    for port, guest in enumerate(switch.guests):
        if scenario.guest(guest) is None:
            yield f"{path}.guests[{port}]: unknown guest {guest!r}"
    yield from duplicates(f"{path}.guests", "", switch.guests)


def _check_switch(scenario: Scenario, item: SwitchOwner, path: str) -> Iterator[str]:
    target = scenario.device(item.target)
    if target is None:
        yield f"{path}.target: unknown device {item.target!r}"
    elif not isinstance(target, Keyboard | Mouse):
        yield (
            f"{path}.target: only a dedicated device (keyboard, mouse) changes owner; "
            f"{target.id} is a {target.type}"
        )
    if scenario.guest(item.to) is None:
        yield f"{path}.to: unknown guest {item.to!r}{known(scenario.guests)}"


# What this module handles, by (operation, device type): the simulation finds it here.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("net_send", "vswitch"): switch_send,
    ("switch_owner", "console_switch"): switch_owner,
}

# Each device type's controller, and what its requests are charged: a vswitch port is the
# same e1000 vNIC as a NIC's; the console switch is a command to the VMM, with no register
# of a guest's and no time of a device's.
REGISTERS: dict[str, Controller | None] = {"vswitch": E1000, "console_switch": None}
COSTS: dict[str, tuple[CostLine, ...]] = {
    "vswitch": (CostLine("vswitch copy", "bytes ÷ 10,000 µs, at least 1", "memcpy ≈ 10 GB/s"),),
    "console_switch": (),
}
# What the scenario's checks ask beyond the models: a switch's ports are distinct known
# guests; the console switch moves a keyboard or mouse, the only devices with an owner,
# to a known guest.
DEVICE_CHECKS: dict[str, DeviceCheck] = {"vswitch": _check_ports}
ITEM_CHECKS: dict[str, ItemCheck] = {"switch_owner": _check_switch}
