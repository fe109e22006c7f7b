"""The requests the trap and status templates choose from, per scenario."""

from __future__ import annotations

import random
from typing import Any

from app.sim import Scenario
from app.sim.devices.lpt import PRINTER_BYTES_PER_PAGE
from app.sim.devices.shared import ETHERNET_MTU
from app.sim.scenario import Disk, Keyboard, Mouse, Nic, Printer, VSwitch

# What a student must assume to count the I/O-operation level's traps by hand
# (the register sequences of the device modules, app/sim/devices).
ATA_WRITE = (
    "the ATA driver's 6 register writes to issue, 1 status read before the data, one "
    "trapping rep outsw per 512-byte block, and 1 status read at completion"
)
ATA_READ = (
    "the ATA driver's 6 register writes to issue, 1 status read at completion, and one "
    "trapping rep insw per 512-byte block"
)
E1000_SEND = (
    f"the e1000 driver writes the transmit tail once per frame of at most "
    f"{ETHERNET_MTU:,} bytes, then reads the interrupt cause and unmasks the interrupt"
)
LPT_PRINT = (
    f"{PRINTER_BYTES_PER_PAGE:,} bytes a page, 4 register accesses a byte on the parallel "
    f"port (data, status, strobe high, strobe low), and 1 status read when the job is done"
)


def trap_requests(scenario: Scenario, rng: random.Random) -> list[tuple[dict[str, Any], str, str]]:
    """(command, what it does, what to assume) for one request per device, sized by ``rng``."""
    options = []
    for d in scenario.devices:
        if isinstance(d, Disk) and d.partitions:
            p = d.partitions[0]
            count = rng.randint(1, min(8, p.blocks))
            write = rng.random() < 0.5
            op, verb, assumes = (
                ("disk_write", "writes", ATA_WRITE)
                if write
                else (
                    "disk_read",
                    "reads",
                    ATA_READ,
                )
            )
            command = {"at_us": 0, "op": op, "guest": p.guest, "device": d.id, "block": 0}
            options.append(
                (
                    {**command, "count": count},
                    f"{p.guest} {verb} {_count(count, 'block')} on {d.id}",
                    assumes,
                )
            )
        elif isinstance(d, Nic):
            g = scenario.guests[0].id
            size = rng.choice((600, 1500, 3000, 4000, 9000, 12000))
            options.append(
                (
                    {
                        "at_us": 0,
                        "op": "net_send",
                        "guest": g,
                        "device": d.id,
                        "dst_ip": "192.0.2.1",
                        "bytes": size,
                    },
                    f"{g} sends {size:,} bytes on {d.id}",
                    E1000_SEND,
                )
            )
        elif isinstance(d, Printer):
            g = scenario.guests[0].id
            pages = rng.randint(1, 3)
            options.append(
                (
                    {"at_us": 0, "op": "print", "guest": g, "device": d.id, "pages": pages},
                    f"{g} prints {_count(pages, 'page')} on {d.id}",
                    LPT_PRINT,
                )
            )
    return options


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


STATUS_RULES = {
    "ok": (
        "The VMM found everything in order and the request was carried out; a read with no "
        "input waiting is not an error either: it returns nothing."
    ),
    "out_of_range": (
        "The VMM checks every request against the guest's partition and refuses one that "
        "reaches past it, without touching the disk."
    ),
    "unknown_guest_os": (
        "At the system-call level the VMM must understand the guest OS to interpret its "
        "calls; for an OS it does not know, it cannot."
    ),
    "no_such_host": "A virtual switch delivers only to guests plugged into it.",
    "dropped": "A frame or input nobody owns is dropped by the VMM.",
}


def status_cases(scenario: Scenario) -> list[tuple[dict[str, Any], str]]:
    cases = []
    known = set(scenario.vmm.knows_os)
    for d in scenario.devices:
        if isinstance(d, Disk):
            for p in d.partitions:
                cases.append(
                    (
                        {
                            "at_us": 0,
                            "op": "disk_read",
                            "guest": p.guest,
                            "device": d.id,
                            "block": p.blocks - 1,
                            "count": 2,
                            "level": "device_driver",
                        },
                        f"{p.guest} reads 2 blocks from its virtual block {p.blocks - 1} on {d.id}",
                    )
                )
                cases.append(
                    (
                        {
                            "at_us": 0,
                            "op": "disk_read",
                            "guest": p.guest,
                            "device": d.id,
                            "block": p.blocks // 2,
                            "count": 1,
                            "level": "device_driver",
                        },
                        f"{p.guest} reads its virtual block {p.blocks // 2} on {d.id}",
                    )
                )
                guest = next(g for g in scenario.guests if g.id == p.guest)
                if guest.os not in known:
                    cases.append(
                        (
                            {
                                "at_us": 0,
                                "op": "disk_read",
                                "guest": p.guest,
                                "device": d.id,
                                "block": 0,
                                "level": "system_call",
                            },
                            f"At the system-call level, {p.guest} (running {guest.os}) "
                            f"reads block 0 of {d.id}",
                        )
                    )
        elif isinstance(d, Keyboard | Mouse) and d.owner:
            others = [g.id for g in scenario.guests if g.id != d.owner]
            op = "key_read" if isinstance(d, Keyboard) else "mouse_read"
            if others:
                cases.append(
                    (
                        {
                            "at_us": 0,
                            "op": op,
                            "guest": others[0],
                            "device": d.id,
                            "level": "device_driver",
                        },
                        f"{others[0]} reads {d.id}, which {d.owner} owns, before any input "
                        f"has reached {others[0]}",
                    )
                )
        elif isinstance(d, VSwitch) and d.guests:
            outsider = next((g for g in scenario.guests if g.id not in d.guests), None)
            if outsider:
                cases.append(
                    (
                        {
                            "at_us": 0,
                            "op": "net_send",
                            "guest": d.guests[0],
                            "device": d.id,
                            "dst_ip": outsider.ip,
                            "bytes": 100,
                            "level": "device_driver",
                        },
                        f"{d.guests[0]} sends a frame to {outsider.ip} through {d.id}",
                    )
                )
    return cases
