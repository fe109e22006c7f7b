"""Requests that show a concept in a trace, built on whatever devices a scenario has.

The concept templates ask about ideas rather than about one scenario's numbers, so
they fit any scenario; where the scenario has a device that can show the idea,
one of these requests is the trace the student watches, opened at the hop that
shows it. Each returns None when the scenario has no such device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.sim import Scenario, Trace
from app.sim.scenario import Disk, Guest, Image, Keyboard, Nic, Passthrough, Printer, VSwitch

from .question import run_commands

BROADCAST = "ff:ff:ff:ff:ff:ff"
NOBODY_MAC = "52:54:00:ff:ff:fe"  # a QEMU-style MAC no shipped guest has


@dataclass(frozen=True, slots=True)
class Shown:
    """Commands to run on the scenario with no workload, and the hop that shows the point:
    the ``nth`` hop of ``request`` at ``stage``."""

    commands: list[dict[str, Any]]
    request: str = "r1"
    stage: str = "physical_mapping"
    nth: int = 0

    def run(self, scenario: Scenario) -> tuple[Trace, int]:
        """The trace and the seq of the hop that shows the point."""
        trace = run_commands(scenario, self.commands)
        mine = [h for h in trace.hops if h.request == self.request]
        hops = [h for h in mine if h.stage == self.stage] or mine[-1:]
        return trace, hops[min(self.nth, len(hops) - 1)].seq


def _send(guest: str, device: str, dst_ip: str, **extra: Any) -> dict[str, Any]:
    return {
        "at_us": 0,
        "op": "net_send",
        "guest": guest,
        "device": device,
        "dst_ip": dst_ip,
        "bytes": 1500,
        "level": "device_driver",
        **extra,
    }


def key_press(scenario: Scenario) -> Shown | None:
    """A key on an owned keyboard: the VMM looks up the owner."""
    kbd = next((d for d in scenario.devices if isinstance(d, Keyboard) and d.owner), None)
    if kbd is None:
        return None
    return Shown([{"at_us": 0, "op": "key_press", "device": kbd.id, "key": "k"}])


def _partition(scenario: Scenario, *, offset: bool = False) -> tuple[Disk, Any] | None:
    for d in scenario.devices:
        if isinstance(d, Disk):
            for p in d.partitions:
                if p.start > 0 or not offset:
                    return d, p
    return None


def _read(guest: str, device: str, block: int, count: int = 1, at_us: int = 0) -> dict[str, Any]:
    return {
        "at_us": at_us,
        "op": "disk_read",
        "guest": guest,
        "device": device,
        "block": block,
        "count": count,
        "level": "device_driver",
    }


def disk_mapping(scenario: Scenario) -> Shown | None:
    """A read in a partition that does not start at block 0: the VMM adds its start."""
    found = _partition(scenario, offset=True)
    if found is None:
        return None
    disk, part = found
    return Shown([_read(part.guest, disk.id, part.blocks // 2)])


def disk_again(scenario: Scenario) -> Shown | None:
    """The same block read twice: the second read needs no seek, yet takes time."""
    found = _partition(scenario)
    if found is None:
        return None
    disk, part = found
    block = part.blocks // 2
    reads = [_read(part.guest, disk.id, block), _read(part.guest, disk.id, block, at_us=100_000)]
    return Shown(reads, request="r2", stage="physical_device")


def disk_past_end(scenario: Scenario) -> Shown | None:
    found = _partition(scenario)
    if found is None:
        return None
    disk, part = found
    return Shown([_read(part.guest, disk.id, part.blocks - 1, count=2)], stage="status_reply")


def two_prints(scenario: Scenario) -> Shown | None:
    """Two guests print at once: the second job's first page waits for the first's last."""
    printer = next((d for d in scenario.devices if isinstance(d, Printer)), None)
    if printer is None or len(scenario.guests) < 2:
        return None
    first, second = scenario.guests[0].id, scenario.guests[1].id
    jobs = [
        {"at_us": i * 10, "op": "print", "guest": g, "device": printer.id, "pages": 2}
        for i, g in enumerate((first, second))
    ]
    return Shown([{**j, "level": "device_driver"} for j in jobs], stage="physical_device", nth=2)


def page_at_io_operation(scenario: Scenario) -> Shown | None:
    printer = next((d for d in scenario.devices if isinstance(d, Printer)), None)
    if printer is None:
        return None
    guest = scenario.guests[0].id
    job = {"at_us": 0, "op": "print", "guest": guest, "device": printer.id, "pages": 1}
    return Shown([{**job, "level": "io_operation"}], stage="vmm_trap", nth=1)


def disk_at_io_operation(scenario: Scenario) -> Shown | None:
    found = _partition(scenario)
    if found is None:
        return None
    disk, part = found
    return Shown([{**_read(part.guest, disk.id, 0), "level": "io_operation"}], stage="vmm_trap")


def between_guests(scenario: Scenario) -> Shown | None:
    """A frame from one guest to another on a virtual switch: copied in memory."""
    for d in scenario.devices:
        if isinstance(d, VSwitch) and len(d.guests) >= 2:
            to = _guest(scenario, d.guests[1])
            return Shown([_send(d.guests[0], d.id, to.ip)], stage="device_model", nth=1)
    return None


def frame_for(scenario: Scenario, mac: str | None) -> Shown | None:
    """A frame arriving on a shared NIC for ``mac`` (None: the second guest's, or the only
    guest's)."""
    nic = next((d for d in scenario.devices if isinstance(d, Nic)), None)
    if nic is None:
        return None
    if mac is None:
        mac = scenario.guests[min(1, len(scenario.guests) - 1)].mac
    arrives = {"at_us": 0, "op": "frame_arrives", "device": nic.id, "dst_mac": mac, "bytes": 600}
    return Shown([{**arrives, "level": "device_driver"}])


def one_send(scenario: Scenario) -> Shown | None:
    """One frame sent through a virtio NIC: one notify, one exit."""
    nic = next((d for d in scenario.devices if isinstance(d, Nic)), None)
    if nic is None:
        return None
    return Shown([_send(scenario.guests[0].id, nic.id, "192.0.2.7")], stage="vmm_trap")


def burst(scenario: Scenario) -> Shown | None:
    """Four frames 5 µs apart through virtio: the later ones are found while the backend
    polls the ring, with no exit."""
    nic = next((d for d in scenario.devices if isinstance(d, Nic)), None)
    if nic is None or not scenario.vmm.batching:
        return None
    guest = scenario.guests[0].id
    sends = [{**_send(guest, nic.id, "192.0.2.7"), "at_us": i * 5} for i in range(4)]
    return Shown(sends, request="r2", stage="guest_driver", nth=1)


def unknown_os_call(scenario: Scenario, known: bool = False) -> Shown | None:
    """A system call from a guest whose OS the VMM does (``known``) or does not know."""
    for g in scenario.guests:
        if (g.os in scenario.vmm.knows_os) != known:
            continue
        for d in scenario.devices:
            command: dict[str, Any] | None = None
            if isinstance(d, Disk):
                part = next((p for p in d.partitions if p.guest == g.id), None)
                if part is not None:
                    command = _read(g.id, d.id, 0)
            elif isinstance(d, Nic):
                command = _send(g.id, d.id, "192.0.2.7")
            elif isinstance(d, Printer):
                command = {"at_us": 0, "op": "print", "guest": g.id, "device": d.id, "pages": 1}
            if command is not None:
                return Shown([{**command, "level": "system_call"}], stage="vmm_trap")
    return None


def _inside(device: Passthrough) -> int:
    return device.memory[0].gpa + 0x1000


def passthrough_send(scenario: Scenario, *, stray: bool = False) -> Shown | None:
    """A frame through a passed-through function: its buffer inside the guest's memory, or
    (``stray``) starting past the end of its first region, where nothing is mapped."""
    for d in scenario.devices:
        if isinstance(d, Passthrough):
            if not stray:
                return Shown([_send(d.guest, d.id, "192.0.2.7", buffer=_inside(d))])
            ends = sorted(r.gpa + r.bytes for r in d.memory)
            starts = {r.gpa for r in d.memory}
            gap = next((e for e in ends if e not in starts), None)
            if gap is not None:
                send = _send(d.guest, d.id, "192.0.2.7", buffer=gap)
                return Shown([send], stage="status_reply")
    return None


def unwritten_cluster(scenario: Scenario) -> Shown | None:
    """A read of a qcow2-style image never written: zeros, and no disk access."""
    image = next(
        (d for d in scenario.devices if isinstance(d, Image) and d.format == "qcow2"), None
    )
    if image is None:
        return None
    return Shown([_read(image.guest, image.id, 0)])


def _guest(scenario: Scenario, guest_id: str) -> Guest:
    return next(g for g in scenario.guests if g.id == guest_id)
