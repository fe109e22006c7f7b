"""A generated mixed workload: every device category, several guests, seeded."""

from __future__ import annotations

import random
from typing import Any

from app.sim import Scenario, load_scenario_data

GUESTS = 8
PARTITION_BLOCKS = 8192


def mixed_scenario(requests: int, *, seed: int = 1, level: str = "device_driver") -> Scenario:
    rng = random.Random(seed)
    guests = [
        {
            "id": f"vm{i}",
            "os": "linux" if i % 2 else "windows",
            "mac": f"52:54:00:00:00:{i:02x}",
            "ip": f"10.0.0.{i}",
        }
        for i in range(1, GUESTS + 1)
    ]
    ids = [g["id"] for g in guests]
    devices: list[dict[str, Any]] = [
        {
            "id": "disk0",
            "type": "disk",
            "blocks": GUESTS * PARTITION_BLOCKS,
            "geometry": {"heads": 16, "sectors_per_track": 32},
            "partitions": [
                {"guest": g, "start": i * PARTITION_BLOCKS, "blocks": PARTITION_BLOCKS}
                for i, g in enumerate(ids)
            ],
        },
        {"id": "nic0", "type": "nic"},
        {"id": "lp0", "type": "printer", "pages_per_minute": 40},
        {"id": "vsw0", "type": "vswitch", "guests": ids[: GUESTS // 2]},
        {"id": "kbd0", "type": "keyboard", "owner": ids[0]},
        {"id": "console", "type": "console_switch"},
    ]
    workload = [_item(rng, ids, t * 50) for t in range(requests)]
    return load_scenario_data(
        {
            "name": f"mixed workload of {requests} requests",
            "seed": seed,
            "level": level,
            "vmm": {"knows_os": ["linux"]},
            "guests": guests,
            "devices": devices,
            "workload": workload,
        }
    )


def _item(rng: random.Random, ids: list[str], at_us: int) -> dict[str, Any]:
    guest = rng.choice(ids)
    kind = rng.random()
    base: dict[str, Any] = {"at_us": at_us}
    if kind < 0.35:
        op = rng.choice(["disk_read", "disk_write"])
        block = rng.randrange(PARTITION_BLOCKS + 8)
        return base | {
            "op": op,
            "guest": guest,
            "device": "disk0",
            "block": block,
            "count": rng.randint(1, 8),
        }
    if kind < 0.60:
        return base | {
            "op": "net_send",
            "guest": guest,
            "device": "nic0",
            "dst_ip": "192.0.2.1",
            "bytes": rng.randint(64, 6000),
        }
    if kind < 0.70:
        return base | {
            "op": "net_send",
            "guest": guest,
            "device": "vsw0",
            "dst_ip": f"10.0.0.{rng.randint(1, 8)}",
            "bytes": rng.randint(64, 1500),
        }
    if kind < 0.80:
        mac = rng.choice([f"52:54:00:00:00:{rng.randint(1, 9):02x}", "ff:ff:ff:ff:ff:ff"])
        return base | {"op": "frame_arrives", "device": "nic0", "dst_mac": mac, "bytes": 600}
    if kind < 0.85:
        return base | {"op": "print", "guest": guest, "device": "lp0", "pages": rng.randint(1, 3)}
    if kind < 0.93:
        return base | {"op": "key_press", "device": "kbd0", "key": rng.choice("abcdef")}
    if kind < 0.98:
        return base | {"op": "key_read", "guest": guest, "device": "kbd0"}
    return base | {"op": "switch_owner", "device": "console", "target": "kbd0", "to": guest}
