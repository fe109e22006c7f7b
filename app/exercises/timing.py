"""Question templates on time read off a trace: a disk request's seek, rotation and
transfer, a send's time on the wire, and the order several guests' frames take on
one wire. Each states the cost model it assumes and takes its answer from the
simulation's hops."""

from __future__ import annotations

import math
import random
from typing import Any

from app.sim import Scenario
from app.sim.devices.disk_timing import (
    DISK_FULL_STROKE_US,
    DISK_ROTATION_US,
    DISK_TRACK_TO_TRACK_US,
    rotation_us,
    seek_us,
    transfer_us,
)
from app.sim.devices.shared import ETHERNET_MTU, ETHERNET_OVERHEAD_BYTES
from app.sim.scenario import Disk, Nic

from .question import Field, NotApplicable, Question, hop_of, run_commands

SEEK_FROM_ZERO = "the seek counted from cylinder 0 (the arm stays where the last request left it)"
SEEK_LINEAR = "seek taken as linear in the distance (it grows with its square root)"
ROTATION_FROM_ARRIVAL = "rotation counted from the request's arrival, not from the seek's end"
ROTATION_FROM_0 = "sector s taken to start s ÷ spt of a turn in (sectors count from 1)"
HALF_TURN = "the average wait (half a turn) taken instead of where the platter is"
ONE_SECTOR = "only one sector's transfer counted (every sector passes under the head)"
NO_FRAMING = "the 38 bytes of framing left out"
NO_BITS = "bytes not turned into bits (× 8)"
ONE_FRAME = "the whole send taken as one frame (frames carry at most 1,500 bytes)"
LAST_FRAME_FORGOTTEN = "the last, partial frame forgotten"
WHOLE_SENDS = "a guest's whole send taken before the next guest's (the VMM takes turns by frame)"


def disk_timing(scenario: Scenario, rng: random.Random) -> Question:
    disks = [d for d in scenario.devices if isinstance(d, Disk) and d.partitions]
    if not disks:
        raise NotApplicable("a disk with partitions")
    disk = rng.choice(disks)
    earlier, asked = rng.choice(disk.partitions), rng.choice(disk.partitions)
    count = rng.randint(1, min(4, asked.blocks))
    op = rng.choice(["disk_read", "disk_write"])
    commands: list[dict[str, Any]] = [
        {
            "at_us": 0,
            "op": "disk_read",
            "guest": earlier.guest,
            "device": disk.id,
            "block": rng.randrange(earlier.blocks),
            "level": "device_driver",
        },
        {
            # long after the first request is served (at most a full stroke and two turns)
            "at_us": rng.randrange(100_000, 200_000),
            "op": op,
            "guest": asked.guest,
            "device": disk.id,
            "block": rng.randrange(asked.blocks - count + 1),
            "count": count,
            "level": "device_driver",
        },
    ]
    trace = run_commands(scenario, commands)
    served = hop_of(trace, "r2", "physical_device")
    d = served.detail
    g = disk.geometry
    spt = g.sectors_per_track
    cylinders = -(-disk.blocks // (g.heads * spt))
    seek_end = served.t_us + d["seek_us"]
    verb = "writes" if op == "disk_write" else "reads"
    span = "a block at" if count == 1 else f"{count} blocks from"
    return Question(
        template="disk_timing",
        stage="device",
        prompt=(
            f"{disk.id} has {cylinders:,} cylinders of {g.heads} heads × {spt} sectors a track "
            f"and turns at 7,200 rpm: a turn takes {DISK_ROTATION_US:,} µs, and at t = 0 the "
            f"start of sector 1 is under the head. An earlier request left the arm at cylinder "
            f"{d['from_cylinder']:,}. {asked.guest} {verb} {span} physical block "
            f"{d['physical_block']:,} (C {d['cylinder']:,} / H {d['head']} / S {d['sector']}); "
            f"the request reaches the disk at t = {served.t_us:,} µs. The model: seek 0 on the "
            f"same cylinder, else {DISK_TRACK_TO_TRACK_US} + "
            f"{DISK_FULL_STROKE_US - DISK_TRACK_TO_TRACK_US:,} × √(distance ÷ (cylinders − 1)) "
            f"µs, rounded; then the rotation waits, from the seek's end t, until the start of "
            f"sector s is under the head: ((s − 1) × {DISK_ROTATION_US:,} ÷ {spt} − t mod "
            f"{DISK_ROTATION_US:,}) mod {DISK_ROTATION_US:,} µs, rounded down; the transfer of n "
            f"sectors takes n × {DISK_ROTATION_US:,} ÷ {spt} µs, rounded. How many µs do the "
            f"seek, the rotation and the transfer take?"
        ),
        table=[],
        fields=[
            Field("seek_us", "seek (µs)", "number", tolerance=1),
            Field("rotation_us", "rotation (µs)", "number", tolerance=1),
            Field("transfer_us", "transfer (µs)", "number", tolerance=1),
        ],
        answer={k: str(d[k]) for k in ("seek_us", "rotation_us", "transfer_us")},
        explanation=(
            f"Hop {served.seq + 1}: {served.summary}. The arm moves "
            f"{abs(d['cylinder'] - d['from_cylinder']):,} cylinders; the seek ends at t = "
            f"{seek_end:,} µs, {seek_end % DISK_ROTATION_US:,} µs into a turn, and sector "
            f"{d['sector']} starts {(d['sector'] - 1) * DISK_ROTATION_US / spt:,.0f} µs into "
            f"it, so the platter turns {d['rotation_us']:,} µs more (a sector just passed waits "
            f"nearly a whole turn); then {d['count']} sector(s) pass under the head in "
            f"{d['transfer_us']:,} µs."
        ),
        commands=commands,
        focus=served.seq,
        misconceptions=disk_wrongs(d, served.t_us, cylinders, spt),
    )


def disk_wrongs(
    d: dict[str, Any], arrival_us: int, cylinders: int, spt: int
) -> dict[str, dict[str, str]]:
    """The seek, rotation and transfer the wrong rules give for the served access ``d``."""
    distance = abs(d["cylinder"] - d["from_cylinder"])
    seek_end = arrival_us + d["seek_us"]
    linear = 0
    if distance:
        share = (DISK_FULL_STROKE_US - DISK_TRACK_TO_TRACK_US) * distance / max(cylinders - 1, 1)
        linear = DISK_TRACK_TO_TRACK_US + round(share)
    rules = {
        "seek_us": [
            (seek_us(d["cylinder"], cylinders), SEEK_FROM_ZERO),
            (linear, SEEK_LINEAR),
        ],
        "rotation_us": [
            (rotation_us(arrival_us, d["sector"], spt), ROTATION_FROM_ARRIVAL),
            (rotation_us(seek_end, d["sector"] + 1, spt), ROTATION_FROM_0),
            (DISK_ROTATION_US // 2, HALF_TURN),
            (-(-DISK_ROTATION_US // 2), HALF_TURN),
        ],
        "transfer_us": [(transfer_us(1, spt), ONE_SECTOR)],
    }
    return _tagged({k: int(d[k]) for k in rules}, rules)


def _tagged(
    right: dict[str, int], rules: dict[str, list[tuple[int, str]]]
) -> dict[str, dict[str, str]]:
    """Per field, the wrong values the rules give (a rule that gives the right value is
    left out, so a right answer is never tagged)."""
    wrongs: dict[str, dict[str, str]] = {}
    for name, values in rules.items():
        for value, label in values:
            if value != right[name]:
                wrongs.setdefault(name, {}).setdefault(str(value), label)
    return wrongs


def _frames(nbytes: int) -> list[int]:
    full, rest = divmod(nbytes, ETHERNET_MTU)
    return [ETHERNET_MTU] * full + ([rest] if rest else [])


def wire_time(scenario: Scenario, rng: random.Random) -> Question:
    nics = [d for d in scenario.devices if isinstance(d, Nic)]
    if not nics:
        raise NotApplicable("a network card")
    nic = rng.choice(nics)
    guest = rng.choice(scenario.guests).id
    nbytes = rng.randrange(64, 7_500)
    command = {
        "at_us": 0,
        "op": "net_send",
        "guest": guest,
        "device": nic.id,
        "dst_ip": f"192.0.2.{rng.randrange(1, 255)}",
        "bytes": nbytes,
        "level": "device_driver",
    }
    trace = run_commands(scenario, [command])
    on_wire = [h for h in trace.hops if h.request == "r1" and h.stage == "physical_device"]
    total = sum(h.detail["wire_us"] for h in on_wire)
    each = ", ".join(f"{h.detail['bytes']:,} bytes in {h.detail['wire_us']} µs" for h in on_wire)
    return Question(
        template="wire_time",
        stage="device",
        prompt=(
            f"{guest} sends {nbytes:,} bytes on {nic.id} ({nic.mbps:,} Mb/s), nothing else on "
            f"the wire. A frame carries at most {ETHERNET_MTU:,} bytes and occupies the wire "
            f"(bytes + {ETHERNET_OVERHEAD_BYTES} of preamble, header, FCS and gap) × 8 ÷ Mb/s "
            f"µs, rounded up to a whole µs. How many frames go out, and how many µs do they "
            f"occupy the wire in all?"
        ),
        table=[],
        fields=[
            Field("frames", "frames", "number"),
            Field("wire_us", "time on the wire (µs)", "number"),
        ],
        answer={"frames": str(len(on_wire)), "wire_us": str(total)},
        explanation=(
            f"Hops {on_wire[0].seq + 1}–{on_wire[-1].seq + 1} put the frames on the wire: "
            f"{each}; {total} µs in all. Each frame is rounded up on its own, and each carries "
            f"its own {ETHERNET_OVERHEAD_BYTES} bytes of framing."
        ),
        commands=[command],
        focus=on_wire[-1].seq,
        misconceptions=wire_wrongs(nbytes, nic.mbps, len(on_wire), total),
    )


def wire_wrongs(nbytes: int, mbps: int, frames: int, total: int) -> dict[str, dict[str, str]]:
    sizes = _frames(nbytes)
    rules = {
        "frames": [(nbytes // ETHERNET_MTU, LAST_FRAME_FORGOTTEN)],
        "wire_us": [
            (sum(math.ceil(s * 8 / mbps) for s in sizes), NO_FRAMING),
            (sum(math.ceil((s + ETHERNET_OVERHEAD_BYTES) / mbps) for s in sizes), NO_BITS),
            (math.ceil((nbytes + ETHERNET_OVERHEAD_BYTES) * 8 / mbps), ONE_FRAME),
        ],
    }
    return _tagged({"frames": frames, "wire_us": total}, rules)


def wire_order(scenario: Scenario, rng: random.Random) -> Question:
    nics = [d for d in scenario.devices if isinstance(d, Nic)]
    if not nics or len(scenario.guests) < 2:
        raise NotApplicable("a network card and two guests")
    nic = rng.choice(nics)
    guests = rng.sample([g.id for g in scenario.guests], k=min(3, len(scenario.guests)))
    commands: list[dict[str, Any]] = [
        {
            # a microsecond apart: each send is waiting before the first frame is out
            "at_us": i,
            "op": "net_send",
            "guest": g,
            "device": nic.id,
            "dst_ip": "192.0.2.9",
            "bytes": rng.randrange(0, 3) * ETHERNET_MTU + rng.randint(500, ETHERNET_MTU),
            "level": "device_driver",
        }
        for i, g in enumerate(guests)
    ]
    trace = run_commands(scenario, commands)
    frames = [
        h
        for h in trace.hops
        if h.stage == "physical_device" and h.device == nic.id and "frame" in h.detail
    ]
    order = " ".join(str(h.guest) for h in frames)
    sends = "; ".join(
        f"{c['guest']} sends {c['bytes']:,} bytes at {c['at_us']} µs" for c in commands
    )
    whole = " ".join(c["guest"] for c in commands for _ in _frames(c["bytes"]))
    return Question(
        template="wire_order",
        stage="device",
        prompt=(
            f"On {nic.id} ({nic.mbps:,} Mb/s), at the device-driver level: {sends}. Frames carry "
            f"at most {ETHERNET_MTU:,} bytes; the VMM puts one frame on the wire at a time and "
            f"takes the guests with frames waiting in turn, one frame each. Name the guest of "
            f"each frame in the order they go out on the wire, separated by spaces."
        ),
        table=[],
        fields=[Field("order", "guest of each frame, in order", "text")],
        answer={"order": order},
        explanation=(
            f"Hops {', '.join(str(h.seq + 1) for h in frames)} put the frames on the wire: "
            f"{order}. A send that finds the wire busy waits; each time the wire is "
            f"free, the VMM takes the next guest with a frame waiting, in turn, and a guest "
            f"with more frames goes to the back of the line."
        ),
        commands=commands,
        focus=frames[-1].seq,
        misconceptions={"order": {whole: WHOLE_SENDS}} if whole != order else {},
    )
