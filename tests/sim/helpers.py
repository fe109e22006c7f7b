"""Small scenarios built in code, so each test states exactly what it needs."""

from __future__ import annotations

from typing import Any

from app.sim import Hop, Scenario, Trace, load_scenario_data, simulate

GUESTS = [
    {"id": "vm1", "os": "linux", "mac": "52:54:00:00:00:01", "ip": "10.0.0.1"},
    {"id": "vm2", "os": "windows", "mac": "52:54:00:00:00:02", "ip": "10.0.0.2"},
]
DISK = {
    "id": "disk0",
    "type": "disk",
    "blocks": 65536,
    "geometry": {"heads": 4, "sectors_per_track": 32},
    "partitions": [
        {"guest": "vm1", "start": 0, "blocks": 4096},
        {"guest": "vm2", "start": 4096, "blocks": 4096},
    ],
}


def build(
    devices: list[dict[str, Any]],
    workload: list[dict[str, Any]] = (),  # type: ignore[assignment]
    *,
    level: str = "device_driver",
    knows_os: list[str] | None = None,
    guests: list[dict[str, Any]] | None = None,
) -> Scenario:
    return load_scenario_data(
        {
            "name": "test",
            "level": level,
            "vmm": {"knows_os": ["linux"] if knows_os is None else knows_os},
            "guests": GUESTS if guests is None else guests,
            "devices": devices,
            "workload": list(workload),
        }
    )


def run(devices: list[dict[str, Any]], workload: list[dict[str, Any]], **options: Any) -> Trace:
    level = options.pop("force_level", None)
    return simulate(build(devices, workload, **options), level=level)


def of(trace: Trace, request: str, stage: str | None = None) -> list[Hop]:
    return [h for h in trace.hops if h.request == request and (stage is None or h.stage == stage)]


def status(trace: Trace, request: str) -> str:
    (reply,) = of(trace, request, "status_reply")
    return str(reply.detail["status"])
