"""The worst session within the limits: the most work a user can make the server do.

For each kind of request at the limits of the scenario format (16 guests, 500
pages, 256 blocks, 65,536 bytes; 10,000 workload items at most), builds the
scenario with as many items as fit under the hop budget, and in a fresh process
measures: the time to simulate it, the memory its trace holds, the process's peak
RSS, and one command on it (a command replays the whole session while the old
trace is still held, as the web does). Prints each and the worst, with ratios,
and the time to refuse the issue's scenario (10,000 × a 500-page I/O-operation
print written with one YAML anchor), which the budget stops.

    python bench/worst_session.py [--budget N] [--kinds K ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.settings import Settings
from app.sim import HopBudgetExceeded, Scenario, load_scenario, load_scenario_data, simulate
from app.sim.loading import parse_item
from app.sim.scenario import MAX_TIME_US

ROOT = Path(__file__).resolve().parents[1]

GUESTS = [
    {"id": f"vm{i}", "os": "linux", "mac": f"52:54:00:00:00:{i:02x}", "ip": f"10.0.0.{i}"}
    for i in range(1, 17)
]
IDS = [g["id"] for g in GUESTS]
DEVICES: list[dict[str, Any]] = [
    {"id": "lp0", "type": "printer", "pages_per_minute": 200},
    {"id": "nic0", "type": "nic"},
    {"id": "vsw0", "type": "vswitch", "guests": IDS},
    {
        "id": "disk0",
        "type": "disk",
        "blocks": 16 * 4096,
        "geometry": {"heads": 16, "sectors_per_track": 32},
        "partitions": [{"guest": g, "start": i * 4096, "blocks": 4096} for i, g in enumerate(IDS)],
    },
]
# Each kind at the largest sizes the format allows.
KINDS: dict[str, tuple[dict[str, Any], str]] = {
    "print_io": ({"op": "print", "device": "lp0", "pages": 500}, "io_operation"),
    "print_dd": ({"op": "print", "device": "lp0", "pages": 500}, "device_driver"),
    "disk_io": ({"op": "disk_write", "device": "disk0", "block": 0, "count": 256}, "io_operation"),
    "nic_io": (
        {"op": "net_send", "device": "nic0", "dst_ip": "192.0.2.1", "bytes": 65536},
        "io_operation",
    ),
    "nic_dd": (
        {"op": "net_send", "device": "nic0", "dst_ip": "192.0.2.1", "bytes": 65536},
        "device_driver",
    ),
    "vswitch_dd": (
        {"op": "net_send", "device": "vsw0", "dst_ip": "10.0.0.2", "bytes": 65536},
        "device_driver",
    ),
}
MAX_ITEMS = 10_000
MAX_COMMANDS = 500
COMMAND = {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 1, "count": 1}
COMMAND_ROOM = 50  # hops left under the budget for the command measured


def scenario_of(kind: str, items: int) -> Scenario:
    item, level = KINDS[kind]
    workload = [{**item, "guest": IDS[i % len(IDS)], "at_us": i} for i in range(items)]
    return load_scenario_data(
        {
            "name": f"worst {kind}",
            "level": level,
            "vmm": {"knows_os": ["linux"]},
            "guests": GUESTS,
            "devices": DEVICES,
            "workload": workload,
        }
    )


def items_under(kind: str, budget: int) -> tuple[int, int]:
    """The most items of ``kind`` whose trace stays under the budget (with room for a
    command), and its hops."""
    per_item = len(simulate(scenario_of(kind, 1), max_hops=None).hops)
    items = max(1, min(MAX_ITEMS, (budget - COMMAND_ROOM) // per_item))
    while True:
        hops = len(simulate(scenario_of(kind, items), max_hops=None).hops)
        if hops <= budget - COMMAND_ROOM or items == 1:
            return items, hops
        items -= 1


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(kind: str, items: int, budget: int) -> dict[str, Any]:
    """In this (fresh) process: one kind's worst session and a command on it."""
    scenario = scenario_of(kind, items)
    before = rss_kib()
    started = time.process_time()
    trace = simulate(scenario, max_hops=budget)
    simulate_s = time.process_time() - started
    held = rss_kib() - before
    at_us = min(trace.hops[-1].t_us, MAX_TIME_US)  # a command at the end of the session
    command = parse_item(scenario, {**COMMAND, "at_us": at_us})
    started = time.process_time()
    again = simulate(scenario, [command], max_hops=budget)
    command_s = time.process_time() - started
    return {
        "kind": kind,
        "level": scenario.level,
        "items": items,
        "hops": len(trace.hops),
        "simulate_s": simulate_s,
        "held_kib": held,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "baseline_kib": before,
        "command_s": command_s,
        "command_hops": len(again.hops) - len(trace.hops),
    }


def refuse_anchored(budget: int) -> tuple[float, float, int]:
    """Seconds to load the issue's 70 KB scenario and to refuse it, and its bytes."""
    text = (
        "name: anchors\nlevel: io_operation\n"
        "guests: [{id: vm1, os: linux, mac: '52:54:00:00:00:01', ip: 10.0.0.1}]\n"
        "devices: [{id: lp0, type: printer}]\n"
        "workload:\n  - &p {at_us: 0, guest: vm1, op: print, device: lp0, pages: 500}\n"
        + "  - *p\n"
        * (MAX_ITEMS - 1)
    )
    started = time.process_time()
    scenario = load_scenario(text)
    loaded = time.process_time()
    try:
        simulate(scenario, max_hops=budget)
    except HopBudgetExceeded:
        return loaded - started, time.process_time() - loaded, len(text.encode())
    raise SystemExit("the anchored scenario was not refused: is the budget above 25 million?")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=Settings().max_hops)
    parser.add_argument("--kinds", nargs="+", choices=list(KINDS), default=list(KINDS))
    parser.add_argument("--one", choices=list(KINDS), help=argparse.SUPPRESS)
    parser.add_argument("--items", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.items, args.budget)))
        return 0

    print(f"hop budget      {args.budget:,} hops (IOVLAB_MAX_HOPS)")
    print(
        f"{'session':<12} {'level':<14} {'items':>6} {'hops':>8} {'simulate':>9} "
        f"{'µs/hop':>7} {'held':>8} {'B/hop':>6} {'peak RSS':>9} {'command':>8}"
    )
    rows = []
    for kind in args.kinds:
        items, _ = items_under(kind, args.budget)
        one = ["--one", kind, "--items", str(items), "--budget", str(args.budget)]
        out = subprocess.run(
            [sys.executable, __file__, *one],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        row = json.loads(out.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['kind']:<12} {row['level']:<14} {row['items']:>6,} {row['hops']:>8,} "
            f"{row['simulate_s']:>7.2f} s {1e6 * row['simulate_s'] / row['hops']:>7.2f} "
            f"{row['held_kib'] / 1024:>5.0f} MiB {1024 * row['held_kib'] / row['hops']:>6.0f} "
            f"{row['peak_rss_kib'] / 1024:>5.0f} MiB {row['command_s']:>6.2f} s"
        )
    worst = max(rows, key=lambda r: r["simulate_s"])
    heaviest = max(rows, key=lambda r: r["peak_rss_kib"])
    load_s, refuse_s, refuse_bytes = refuse_anchored(args.budget)
    print(
        f"worst time      {worst['kind']}: {worst['hops']:,} hops in {worst['simulate_s']:.2f} s "
        f"({worst['hops'] / worst['simulate_s']:,.0f} hops/s)"
    )
    print(
        f"worst memory    {heaviest['kind']}: peak RSS {heaviest['peak_rss_kib'] / 1024:.0f} MiB "
        f"(the process alone: {heaviest['baseline_kib'] / 1024:.0f} MiB; trace held: "
        f"{heaviest['held_kib'] / 1024:.0f} MiB, "
        f"{1024 * heaviest['held_kib'] / heaviest['hops']:.0f} B a hop)"
    )
    print(
        f"a command       {worst['command_s']:.2f} s on the worst session "
        f"(ratio to simulating it: {worst['command_s'] / worst['simulate_s']:.2f}; "
        f"{MAX_COMMANDS} commands: {MAX_COMMANDS * worst['command_s']:.0f} s of CPU)"
    )
    print(
        f"refused         the {refuse_bytes / 1000:.0f} KB anchored scenario "
        f"({MAX_ITEMS:,} × a 500-page io_operation print): read and checked in "
        f"{load_s:.2f} s, simulated until refused in {refuse_s:.2f} s"
    )
    above = heaviest["peak_rss_kib"] - heaviest["baseline_kib"]
    times = above / max(heaviest["held_kib"], 1)
    fastest = min(r["simulate_s"] for r in rows)
    print(
        f"ratios          peak above the process: {above / 1024:.0f} MiB, {times:.1f} × the trace "
        f"(the session and a command's replay); slowest ÷ fastest session: "
        f"{worst['simulate_s'] / max(fastest, 1e-9):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
