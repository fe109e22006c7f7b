"""One request per device of a scenario, for the template that orders a path's stages:
each (command without its level, what it does in words), drawn by a seeded generator."""

from __future__ import annotations

import random
import string
from typing import Any

from app.sim import Scenario
from app.sim.scenario import (
    ConsoleSwitch,
    Disk,
    Image,
    Keyboard,
    Mouse,
    Nic,
    Passthrough,
    Printer,
    VSwitch,
)


def path_requests(scenario: Scenario, rng: random.Random) -> list[tuple[dict[str, Any], str]]:
    options: list[tuple[dict[str, Any], str]] = []
    guests = [g.id for g in scenario.guests]
    for d in scenario.devices:
        if isinstance(d, Disk | Image):
            options += _disk(d, rng)
        elif isinstance(d, Nic):
            guest, size = rng.choice(guests), rng.choice([600, 1500, 3000])
            options.append(
                (
                    _send(guest, d.id, "192.0.2.7", size),
                    f"{guest} sends {size:,} bytes to 192.0.2.7 on {d.id}",
                )
            )
            mac_of = rng.choice(scenario.guests)
            options.append(
                (
                    {
                        "at_us": 0,
                        "op": "frame_arrives",
                        "device": d.id,
                        "dst_mac": mac_of.mac,
                        "bytes": 600,
                    },
                    f"a 600-byte frame for {mac_of.id}'s MAC {mac_of.mac} arrives on {d.id}",
                )
            )
        elif isinstance(d, Passthrough):
            options.append(
                (
                    _send(d.guest, d.id, "192.0.2.7", 1500),
                    f"{d.guest} sends 1,500 bytes on {d.id}, a device passed through to it",
                )
            )
        elif isinstance(d, VSwitch) and len(d.guests) >= 2:
            sender, receiver = rng.sample(d.guests, k=2)
            ip = next(g.ip for g in scenario.guests if g.id == receiver)
            options.append(
                (
                    _send(sender, d.id, ip, 600),
                    f"{sender} sends 600 bytes to {receiver} ({ip}) through {d.id}",
                )
            )
        elif isinstance(d, Printer):
            guest = rng.choice(guests)
            options.append(
                (
                    {"at_us": 0, "op": "print", "guest": guest, "device": d.id, "pages": 1},
                    f"{guest} prints a page on {d.id}",
                )
            )
        elif isinstance(d, Keyboard | Mouse):
            options += _input(d, guests, rng)
        elif isinstance(d, ConsoleSwitch):
            inputs = [x for x in scenario.devices if isinstance(x, Keyboard | Mouse)]
            if inputs:
                target, to = rng.choice(inputs).id, rng.choice(guests)
                options.append(
                    (
                        {
                            "at_us": 0,
                            "op": "switch_owner",
                            "device": d.id,
                            "target": target,
                            "to": to,
                        },
                        f"the console switch {d.id} gives {target} to {to}",
                    )
                )
    return options


def _send(guest: str, device: str, ip: str, size: int) -> dict[str, Any]:
    return {
        "at_us": 0,
        "op": "net_send",
        "guest": guest,
        "device": device,
        "dst_ip": ip,
        "bytes": size,
    }


def _disk(d: Disk | Image, rng: random.Random) -> list[tuple[dict[str, Any], str]]:
    if isinstance(d, Image):
        guest, blocks, what = d.guest, d.blocks, f"its {d.format} image file {d.id}"
    elif d.partitions:
        part = rng.choice(d.partitions)
        guest, blocks, what = part.guest, part.blocks, f"its partition of {d.id}"
    else:
        return []
    op = rng.choice(["disk_read", "disk_write"])
    block = rng.randrange(blocks)
    command = {"at_us": 0, "op": op, "guest": guest, "device": d.id, "block": block}
    return [(command, f"{guest} {op[5:]}s its virtual block {block:,} of {what}")]


def _input(
    d: Keyboard | Mouse, guests: list[str], rng: random.Random
) -> list[tuple[dict[str, Any], str]]:
    if isinstance(d, Keyboard):
        key = rng.choice(string.ascii_lowercase)
        event = {"at_us": 0, "op": "key_press", "device": d.id, "key": key}
        said = f"key {key!r} is pressed on {d.id}"
        read = "key_read"
    else:
        dx, dy = rng.randint(-20, 20), rng.randint(-20, 20)
        event = {"at_us": 0, "op": "mouse_move", "device": d.id, "dx": dx, "dy": dy}
        said = f"{d.id} moves by dx {dx}, dy {dy}"
        read = "mouse_read"
    owner = f" (owned by {d.owner})" if d.owner else " (owned by nobody)"
    reader = rng.choice(guests)
    return [
        (event, said + owner),
        (
            {"at_us": 0, "op": read, "guest": reader, "device": d.id},
            f"{reader}'s application reads {d.id}{owner}",
        ),
    ]
