"""Shared devices (a network card): every guest has a vNIC with its own MAC and
IP; the VMM multiplexes all guests' frames onto the one wire, frame by frame,
and demultiplexes arriving frames to the right guest by MAC (or IP)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ..costs import CostLine
from ..details import FrameArrived, FrameOnWire
from ..interception import (
    Call,
    Steps,
    Waits,
    answered,
    guest_starts,
    interrupt,
    level_of,
    syscall_name,
    trap_in,
    unknown_os_reply,
)
from ..machine import Machine
from ..registers import Controller
from ..scenario import BROADCAST_MAC, FrameArrives, NetSend, Nic, Scenario
from ..trace import RequestRecord
from . import Handler, ItemCheck
from .e1000 import E1000, E1000_RX_DONE, E1000_TX_DONE, e1000_transmit

# Ethernet: preamble, header, FCS and inter-frame gap add 38 bytes on the wire
# (IEEE 802.3: a 1,500-byte payload is 1,538 bytes ≈ 12.3 µs at 1 Gb/s). A
# payload under 46 bytes is padded to 46, so the shortest frame is 84 bytes on
# the wire (672 ns at 1 Gb/s, 67.2 µs at 10 Mb/s).
ETHERNET_OVERHEAD_BYTES = 38
ETHERNET_MIN_PAYLOAD = 46
ETHERNET_MTU = 1500

# What the VMM must understand of a guest OS to hand it a frame at the
# system-call level: which of its pending receive calls the frame completes.
RECEIVE_CALLS = "the receive calls"


def wire_us(frame_bytes: int, mbps: int) -> int:
    """Time one frame with ``frame_bytes`` of payload occupies the wire (bits ÷ Mb/s
    = µs), padded to the minimum payload, rounded up to whole µs."""
    on_wire = max(frame_bytes, ETHERNET_MIN_PAYLOAD) + ETHERNET_OVERHEAD_BYTES
    return max(1, math.ceil(on_wire * 8 / mbps))


def split_frames(nbytes: int) -> list[int]:
    """Payload sizes of the frames that carry ``nbytes`` (MTU 1,500)."""
    full, rest = divmod(nbytes, ETHERNET_MTU)
    return [ETHERNET_MTU] * full + ([rest] if rest else [])


def send_start(m: Machine, req: RequestRecord, item: NetSend, frames: int) -> Steps:
    """The guest side and the exits of sending, shared by a NIC and a vswitch port."""
    guest = m.guests[item.guest]
    guest_starts(
        m,
        req,
        guest.id,
        f"{guest.id}'s application sends {item.bytes} bytes to {item.dst_ip}",
        f"{guest.id}'s network driver queues {frames} frame(s) from {guest.mac} for transmission",
        {"dst_ip": item.dst_ip, "bytes": item.bytes, "frames": frames},
    )
    call = Call(
        "virtio-net",
        {"queue": "tx", "frames": frames, "bytes": item.bytes},
        "send",
        {"fd": 4, "bytes": item.bytes, "dst": item.dst_ip},
    )
    accesses = e1000_transmit(frames) if level_of(req).registers else []
    if not (yield from trap_in(m, req, guest.id, accesses, call)):
        return False
    m.hop(
        req,
        "device_model",
        "vmm",
        _rebuilt(m, req, guest.id, frames, len(accesses)),
        {"frames": frames, "bytes": item.bytes, "src_mac": guest.mac},
    )
    return True


def send_on_wire(m: Machine, req: RequestRecord, item: NetSend) -> Waits:
    frames = split_frames(item.bytes)
    if not (yield from send_start(m, req, item, len(frames))):
        return
    guest = m.guests[item.guest]
    nic = item.device
    m.hop(
        req,
        "physical_mapping",
        "vmm",
        f"the VMM's vNIC table: {guest.id} is MAC {guest.mac}, IP {guest.ip}; "
        f"its frames go out on {nic}",
        {"guest": guest.id, "mac": guest.mac, "ip": guest.ip, "table": m.vnic_table},
    )
    wire = m.wires[nic]
    device = m.devices[nic]
    assert isinstance(device, Nic)
    for number, size in enumerate(frames, start=1):
        waited = yield wire.claim(guest.id)
        on_wire = wire_us(size, device.mbps)
        sent: FrameOnWire = {
            "frame": number,
            "frames": len(frames),
            "bytes": size,
            "src_mac": guest.mac,
            "dst_ip": item.dst_ip,
            "wire_us": on_wire,
            "waited_us": waited,
        }
        m.hop(
            req,
            "physical_device",
            nic,
            f"{nic} puts frame {number}/{len(frames)} of {guest.id} on the wire: "
            f"{size} bytes, {on_wire} µs",
            sent,
        )
        req.device_us += on_wire
        yield on_wire
        wire.release()
    yield from interrupt(
        m,
        req,
        guest.id,
        f"the VMM injects a transmit-done interrupt into {guest.id}",
        E1000_TX_DONE,
    )
    receiver = answered(req.level, guest.id)
    m.reply(req, "ok", f"{receiver} gets status ok: {len(frames)} frame(s) sent")


def frame_arrives(m: Machine, req: RequestRecord, item: FrameArrives) -> Waits:
    """A frame arriving from the network, whenever the network sends it."""
    receivers, key, matched_by = _demultiplex(m, item)
    unserved = _unserved(m, req, receivers) if matched_by == "broadcast" else {}
    arrived: FrameArrived = {"dst_mac": item.dst_mac, "dst_ip": item.dst_ip, "bytes": item.bytes}
    m.hop(
        req,
        "physical_device",
        item.device,
        f"{item.device} receives a {item.bytes}-byte frame for {key}",
        arrived,
    )
    # the frame is nobody's until the VMM has looked up its destination
    req.guest = receivers[0] if len(receivers) == 1 and matched_by != "broadcast" else None
    m.hop(
        req,
        "physical_mapping",
        "vmm",
        _demux_summary(key, receivers, matched_by, unserved),
        {
            "mac": item.dst_mac,
            "ip": item.dst_ip,
            "matched_by": matched_by,
            "guest": req.guest,
            "receivers": receivers,
            "table": m.vnic_table,
        },
    )
    if not receivers:
        reason = f"no vNIC on {item.device} has {key}"
        m.reply(req, "dropped", f"the VMM drops the frame: {reason}", reason=reason)
        return
    vmm_answers = level_of(req).vmm_answers
    if matched_by != "broadcast" and vmm_answers and not m.os_known(receivers[0]):
        unknown_os_reply(m, req, receivers[0], RECEIVE_CALLS)
        return
    delivered = []
    for guest in receivers:
        if guest not in unserved:
            yield from deliver(m, req, guest, item.bytes, f"the network ({key})")
            delivered.append(guest)
    not_delivered = [{"guest": g, "reason": reason} for g, reason in unserved.items()]
    summary = f"the frame is delivered to {', '.join(delivered) or 'no guest'}"
    if unserved:
        summary += "; not to " + "; ".join(f"{g}: {reason}" for g, reason in unserved.items())
    m.reply(
        req,
        "ok" if delivered or not unserved else "unknown_guest_os",
        summary,
        delivered_to=delivered,
        not_delivered=not_delivered,
    )


def _unserved(m: Machine, req: RequestRecord, receivers: list[str]) -> dict[str, str]:
    """The broadcast's receivers the VMM cannot serve, each with why."""
    if not level_of(req).vmm_answers:
        return {}
    return {
        g: (
            f"the VMM knows {', '.join(m.known_os) or 'no guest OS'}, not {m.guests[g].os}, "
            f"so it cannot interpret {RECEIVE_CALLS} of {g}"
        )
        for g in receivers
        if not m.os_known(g)
    }


def deliver(m: Machine, req: RequestRecord, guest: str, nbytes: int, source: str) -> Waits:
    """Copy a frame into ``guest``'s receive ring and tell its driver."""
    m.hop(
        req,
        "device_model",
        "vmm",
        f"the VMM copies the frame into {guest}'s receive ring",
        {"to": guest, "bytes": nbytes},
    )
    yield from interrupt(
        m, req, guest, f"the VMM injects a receive interrupt into {guest}", E1000_RX_DONE
    )
    m.hop(
        req,
        "guest_driver",
        guest,
        f"{guest}'s network driver receives {nbytes} bytes from {source}",
        {"bytes": nbytes, "from": source},
    )


def _demultiplex(m: Machine, item: FrameArrives) -> tuple[list[str], str, str]:
    if item.dst_mac == BROADCAST_MAC:
        return [g.id for g in m.guests.values()], f"MAC {BROADCAST_MAC}", "broadcast"
    if item.dst_mac is not None:
        found = m.guest_by_mac.get(item.dst_mac)
        return ([found] if found else []), f"MAC {item.dst_mac}", "mac"
    found = m.guest_by_ip.get(item.dst_ip or "")
    return ([found] if found else []), f"IP {item.dst_ip}", "ip"


def _demux_summary(
    key: str, receivers: list[str], matched_by: str, unserved: dict[str, str]
) -> str:
    if matched_by == "broadcast" and unserved:
        served = [g for g in receivers if g not in unserved]
        return (
            f"the VMM sees the broadcast {key}: a copy for each guest it can serve "
            f"({', '.join(served) or 'none'}), none for {', '.join(unserved)}"
        )
    if matched_by == "broadcast":
        return f"the VMM sees the broadcast {key}: every guest gets a copy"
    if not receivers:
        return f"the VMM looks up {key} in its vNIC table: no guest has it"
    return f"the VMM looks up {key} in its vNIC table: it belongs to {receivers[0]}"


# How the VMM gets a send at each level (fields: n, frames, guest, call, os).
REBUILT: dict[str, str] = {
    "io_operation": "the VMM's e1000 model rebuilds the send from {n} register access(es): "
    "{frames} transmit descriptor(s) of {guest}",
    "device_driver": "the VMM's virtio-net backend takes {frames} frame(s) from {guest}'s "
    "transmit ring",
    "system_call": "the VMM interprets {call} with its {os} knowledge: socket 4 → {frames} "
    "frame(s)",
}


def _rebuilt(m: Machine, req: RequestRecord, guest: str, frames: int, n: int) -> str:
    os = m.guests[guest].os
    call = syscall_name(os, "send")[0]
    return REBUILT[req.level].format(n=n, frames=frames, guest=guest, call=call, os=os)


def _check_destination(scenario: Scenario, item: FrameArrives, path: str) -> Iterator[str]:
    if item.dst_mac is None and item.dst_ip is None:
        yield f"{path}: frame_arrives needs dst_mac or dst_ip"


# What this module handles, by (operation, device type): the simulation finds it here.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("net_send", "nic"): send_on_wire,
    ("frame_arrives", "nic"): frame_arrives,
}

ETHERNET_FRAME = CostLine(
    "Ethernet frame",
    (
        "(bytes + 38) × 8 ÷ Mb/s µs, rounded up; a payload under 46 bytes is padded to 46"
        " (1,500 bytes ≈ 13 µs at 1 Gb/s; the shortest frame 1 µs at 1 Gb/s, 68 µs at 10 Mb/s)"
    ),
    "IEEE 802.3 framing",
)
# Each device type's controller, and what its requests are charged.
REGISTERS: dict[str, Controller | None] = {"nic": E1000}
COSTS: dict[str, tuple[CostLine, ...]] = {"nic": (ETHERNET_FRAME,)}
# What the scenario's checks ask beyond the model: an arriving frame says whom it is for,
# or the VMM has nothing to demultiplex it by.
ITEM_CHECKS: dict[str, ItemCheck] = {"frame_arrives": _check_destination}
