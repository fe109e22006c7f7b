"""Workloads made to order: N guests each sending requests to one device at a rate.

Outside the core (it draws random numbers, from its own seeded generator); the
scenarios it makes are ordinary scenario data. Seeded: the same parameters give
the same scenario. Arrivals are a Poisson process per guest (exponential gaps),
the usual model of independent users.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from app.sim.scenario import MAX_GUESTS, MAX_WORKLOAD

DeviceKind = Literal["disk", "nic", "printer"]
PARTITION_BLOCKS = 4096


class GeneratorError(ValueError):
    pass


def contention_data(
    *,
    guests: int,
    device: DeviceKind,
    rate_per_s: float,
    duration_ms: int,
    seed: int = 1,
    level: str = "device_driver",
) -> dict[str, Any]:
    """Scenario data (ready for ``load_scenario_data``) with the generated workload."""
    if not 1 <= guests <= MAX_GUESTS:
        raise GeneratorError(f"guests: between 1 and {MAX_GUESTS}, got {guests}")
    if not 0 < rate_per_s <= 100_000:
        raise GeneratorError(f"rate_per_s: above 0 and at most 100000, got {rate_per_s}")
    if not 1 <= duration_ms <= 600_000:
        raise GeneratorError(f"duration_ms: between 1 and 600000, got {duration_ms}")
    expected = guests * rate_per_s * duration_ms / 1000
    if expected > MAX_WORKLOAD:
        raise GeneratorError(
            f"about {expected:,.0f} requests: at most {MAX_WORKLOAD:,}; "
            "lower the rate, the duration or the number of guests"
        )
    rng = random.Random(seed)
    ids = [f"vm{i}" for i in range(1, guests + 1)]
    workload: list[dict[str, Any]] = []
    for guest in ids:
        t = rng.expovariate(rate_per_s) * 1_000_000
        while t < duration_ms * 1000 and len(workload) < MAX_WORKLOAD:
            workload.append({"at_us": int(t), "guest": guest, **_request(rng, device)})
            t += rng.expovariate(rate_per_s) * 1_000_000
    workload.sort(key=lambda item: item["at_us"])
    return {
        "name": f"{guests} guests contend for the {device}",
        "description": (
            f"Generated: {guests} guests each send about {rate_per_s:g} requests a second "
            f"to one {device} for {duration_ms} ms (seed {seed})."
        ),
        "seed": seed,
        "level": level,
        "vmm": {"knows_os": ["linux"]},
        "guests": [
            {"id": g, "os": "linux", "mac": f"52:54:00:00:01:{i:02x}", "ip": f"10.0.1.{i}"}
            for i, g in enumerate(ids, start=1)
        ],
        "devices": [_device(device, ids)],
        "workload": workload,
    }


def _device(kind: DeviceKind, ids: list[str]) -> dict[str, Any]:
    if kind == "disk":
        blocks = -(-len(ids) * PARTITION_BLOCKS // 512) * 512  # whole cylinders of 16 × 32
        return {
            "id": "disk0",
            "type": "disk",
            "blocks": blocks,
            "geometry": {"heads": 16, "sectors_per_track": 32},
            "partitions": [
                {"guest": g, "start": i * PARTITION_BLOCKS, "blocks": PARTITION_BLOCKS}
                for i, g in enumerate(ids)
            ],
        }
    if kind == "nic":
        return {"id": "nic0", "type": "nic", "mbps": 1000}
    return {"id": "lp0", "type": "printer", "pages_per_minute": 30}


def _request(rng: random.Random, kind: DeviceKind) -> dict[str, Any]:
    if kind == "disk":
        op = rng.choice(["disk_read", "disk_write"])
        return {
            "op": op,
            "device": "disk0",
            "block": rng.randrange(PARTITION_BLOCKS - 8),
            "count": rng.randint(1, 8),
        }
    if kind == "nic":
        return {
            "op": "net_send",
            "device": "nic0",
            "dst_ip": "192.0.2.1",
            "bytes": rng.randint(64, 4500),
        }
    return {"op": "print", "device": "lp0", "pages": rng.randint(1, 3)}
