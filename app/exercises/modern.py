"""Question templates on what hypervisors do today: a disk that is a qcow2 file,
a device passed through an IOMMU, and what a level costs against the bare
machine. Each draws its numbers from the scenario and a seeded generator and
takes its answer from the simulation."""

from __future__ import annotations

import random

from app.sim import Scenario, parse_item, simulate
from app.sim.diskimage import l2_entries
from app.sim.scenario import LEVELS, Image, Nic, Passthrough

from .question import Field, NotApplicable, Question, hop_of, quiet, run_commands


def qcow2_alloc(scenario: Scenario, rng: random.Random) -> Question:
    images = [d for d in scenario.devices if isinstance(d, Image) and d.format == "qcow2"]
    if not images:
        raise NotApplicable("a qcow2 image")
    image = rng.choice(images)
    size = image.cluster_blocks
    # a few clusters far apart, so that writes meet in a cluster, or do not
    clusters = rng.sample(range(-(-image.blocks // size)), k=3)
    blocks = []
    for _ in range(rng.randint(1, 4)):
        cluster = rng.choice(clusters)
        blocks.append(min(cluster * size + rng.randrange(size), image.blocks - 1))
    commands = [
        {
            "at_us": i * 1_000_000,
            "op": "disk_write",
            "guest": image.guest,
            "device": image.id,
            "block": block,
            "level": "device_driver",
        }
        for i, block in enumerate(blocks)
    ]
    trace = run_commands(scenario, commands)
    last = f"r{len(blocks)}"
    asked = [h for h in trace.hops if h.request == last and h.detail.get("layer") == "image"]
    first = asked[0].detail
    earlier = "".join(f"{b}, then " for b in blocks[:-1])
    return Question(
        template="qcow2_alloc",
        stage="mapping",
        prompt=(
            f"{image.guest}'s disk is the qcow2-style file {image.id}, never written before: "
            f"cluster 0 is its header, cluster 1 its L1 table, and clusters of {size} blocks are "
            f"allocated at the end of the file on first write, an L2 table (one cluster, "
            f"{l2_entries(image)} entries) before the data cluster when its L1 entry is empty. "
            f"{image.guest} writes its block {earlier}{blocks[-1]}. For the last write: which "
            f"file cluster holds the data, and how many accesses to the file does it make "
            f"(table writes and data)?"
        ),
        table=[],
        fields=[
            Field("data_cluster", "data cluster", "number"),
            Field("file_accesses", "accesses to the file", "number"),
        ],
        answer={
            "data_cluster": str(first["data_cluster"]),
            "file_accesses": str(first["file_accesses"]),
        },
        explanation=(
            f"{asked[0].summary}. A new cluster costs the data and its L2 entry; a new L2 table "
            f"costs the table and its L1 entry as well; a cluster already written costs the data "
            f"alone."
        ),
        commands=commands,
        focus=asked[0].seq,
    )


def iommu_dma(scenario: Scenario, rng: random.Random) -> Question:
    devices = [d for d in scenario.devices if isinstance(d, Passthrough)]
    if not devices:
        raise NotApplicable("a passthrough device")
    device = rng.choice(devices)
    region = rng.choice(device.memory)
    end = region.gpa + region.bytes
    buffer = rng.choice([region.gpa + 0x1000 * rng.randrange(1, 64), end - 0x200, end + 0x1000])
    command = {
        "at_us": 0,
        "op": "net_send",
        "guest": device.guest,
        "device": device.id,
        "dst_ip": "192.0.2.7",
        "bytes": 1500,
        "buffer": buffer,
        "level": "device_driver",
    }
    trace = run_commands(scenario, [command])
    mapping = hop_of(trace, "r1", "physical_mapping")
    reply = hop_of(trace, "r1", "status_reply")
    status = reply.detail["status"]
    address = (
        reply.detail["fault_address"]
        if status == "iommu_fault"
        else mapping.detail["stretches"][0]["hpa"]
    )
    return Question(
        template="iommu_dma",
        stage="mapping",
        prompt=(
            f"{device.id} is assigned to {device.guest}; its driver points a 1,500-byte transmit "
            f"at guest-physical 0x{buffer:X}. What does the IOMMU do, and at which address: the "
            f"host-physical address the device reads, or the guest-physical address it refuses?"
        ),
        table=[
            {"gpa": f"0x{r.gpa:X}", "hpa": f"0x{r.hpa:X}", "bytes": f"0x{r.bytes:X}"}
            for r in device.memory
        ],
        fields=[
            Field("status", "status", "choice", ("ok", "iommu_fault")),
            Field("address", "address (hex)", "text"),
        ],
        answer={"status": status, "address": address},
        explanation=(
            f"{mapping.summary}. The IOMMU maps exactly the guest's memory: host-physical = "
            f"hpa + (guest-physical − gpa) inside a region; the first address in no region is "
            f"refused, and nothing of that frame is read."
        ),
        commands=[command],
        focus=mapping.seq,
    )


def overhead(scenario: Scenario, rng: random.Random) -> Question:
    nics = [d for d in scenario.devices if isinstance(d, Nic)]
    if not nics:
        raise NotApplicable("a network card")
    nic = rng.choice(nics)
    guest = rng.choice(scenario.guests).id
    level = rng.choice([lvl for lvl in LEVELS if lvl != "system_call"])
    nbytes = rng.choice([64, 500, 1000, 1500])
    command = {
        "at_us": 0,
        "op": "net_send",
        "guest": guest,
        "device": nic.id,
        "dst_ip": "192.0.2.7",
        "bytes": nbytes,
        "level": level,
    }
    (record,) = run_commands(scenario, [command]).requests
    bare = quiet(scenario)
    (native,) = simulate(bare, [parse_item(bare, command)], native=True).requests
    wire = native.latency_us or 1  # a send always ends, and takes at least 1 µs on the wire
    return Question(
        template="overhead",
        stage="trap",
        prompt=(
            f"{guest} sends {nbytes} bytes on {nic.id} ({nic.mbps} Mb/s; 38 bytes of framing) "
            f"at the {level.replace('_', ' ')} level, nothing else on the wire. The cost model: "
            f"a trapped e1000 register access 5 µs (a transmit-tail write per frame, then the "
            f"interrupt cause and mask registers), a virtio notify 2 µs, an injected interrupt "
            f"1 µs. How many µs does the VMM add, and how long does the send take on the bare "
            f"machine (frames of at most 1,500 bytes)?"
        ),
        table=[],
        fields=[
            Field("overhead_us", "overhead (µs)", "number"),
            Field("native_us", "bare machine (µs)", "number"),
        ],
        answer={"overhead_us": str(record.overhead_us), "native_us": str(wire)},
        explanation=(
            f"{record.traps} trap(s) and the interrupt cost {record.overhead_us} µs; natively the "
            f"send is only its time on the wire, ({nbytes} + 38) × 8 ÷ {nic.mbps} rounded up = "
            f"{wire} µs: the VMM adds {record.overhead_us / wire:.0%} of that."
        ),
        commands=[command],
    )


MODERN = {
    "qcow2_alloc": (
        "Which cluster a qcow2-style write allocates, and its file accesses",
        qcow2_alloc,
    ),
    "iommu_dma": ("What the IOMMU does with a passthrough device's DMA", iommu_dma),
    "overhead": ("What a level adds to a frame, against the bare machine", overhead),
}
