"""Question templates: each draws its numbers from a scenario and a seeded
generator, and takes its correct answer from the simulation, never by hand."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from app.sim import LEVELS, Scenario, simulate
from app.sim.devices.spooled import page_us
from app.sim.scenario import Disk, Nic, Printer
from app.sim.trace import STAGES, STATUSES

from .cases import STATUS_RULES, status_cases, trap_requests
from .concepts import CONCEPTS
from .misconceptions import chs_wrongs, frame_wrongs, print_wrongs, status_wrongs, trap_wrongs
from .modern import MODERN
from .question import Field, NotApplicable, Question, hop_of, run_commands, sentence
from .tracing import TRACING

__all__ = ["TEMPLATES", "Field", "NotApplicable", "Question", "applicable"]


def chs(scenario: Scenario, rng: random.Random) -> Question:
    disks = [d for d in scenario.devices if isinstance(d, Disk) and d.partitions]
    if not disks:
        raise NotApplicable("a disk with partitions")
    disk = rng.choice(disks)
    part = rng.choice(disk.partitions)
    block = rng.randrange(part.blocks)
    command = {
        "at_us": 0,
        "op": "disk_read",
        "guest": part.guest,
        "device": disk.id,
        "block": block,
        "level": "device_driver",
    }
    trace = run_commands(scenario, [command])
    mapping = hop_of(trace, "r1", "physical_mapping")
    d = mapping.detail
    g = disk.geometry
    return Question(
        template="chs",
        stage="mapping",
        prompt=(
            f"{part.guest} reads its virtual block {block} of {disk.id} ({g.heads} heads, "
            f"{g.sectors_per_track} sectors per track). Which physical block does the VMM "
            f"access, and at which cylinder, head and sector?"
        ),
        table=[{"guest": p.guest, "start": p.start, "blocks": p.blocks} for p in disk.partitions],
        fields=[
            Field("physical_block", "physical block", "number"),
            Field("cylinder", "cylinder", "number"),
            Field("head", "head", "number"),
            Field("sector", "sector", "number"),
        ],
        answer={k: str(d[k]) for k in ("physical_block", "cylinder", "head", "sector")},
        explanation=(
            f"The VMM uses {part.guest}'s row of the mapping table: {d['arithmetic']}. "
            f"The rule: physical block = partition start + virtual block; cylinder = pb ÷ "
            f"(heads × sectors per track); head = (pb ÷ sectors per track) mod heads; "
            f"sector = pb mod sectors per track + 1, because sectors count from 1."
        ),
        commands=[command],
        focus=mapping.seq,
        misconceptions=chs_wrongs(part.start, block, g.heads, g.sectors_per_track),
    )


def frame(scenario: Scenario, rng: random.Random) -> Question:
    nics = [d for d in scenario.devices if isinstance(d, Nic)]
    if not nics:
        raise NotApplicable("a network card")
    nic = rng.choice(nics)
    unknown = f"52:54:00:ff:{rng.randrange(256):02x}:{rng.randrange(256):02x}"
    macs = [g.mac for g in scenario.guests] + ["ff:ff:ff:ff:ff:ff", unknown]
    mac = rng.choice(macs)
    command = {
        "at_us": 0,
        "op": "frame_arrives",
        "device": nic.id,
        "dst_mac": mac,
        "bytes": 600,
        "level": "device_driver",
    }
    trace = run_commands(scenario, [command])
    reply = hop_of(trace, "r1", "status_reply")
    mapping = hop_of(trace, "r1", "physical_mapping")
    if reply.detail["status"] == "dropped":
        answer = "dropped"
    elif mapping.detail["matched_by"] == "broadcast":
        answer = "every guest"
    else:
        answer = mapping.detail["receivers"][0]
    choices = (*[g.id for g in scenario.guests], "every guest", "dropped")
    return Question(
        template="frame",
        stage="mapping",
        prompt=f"A 600-byte frame for MAC {mac} arrives on {nic.id}. Which guest receives it?",
        table=[{"guest": g.id, "mac": g.mac, "ip": g.ip} for g in scenario.guests],
        fields=[Field("receiver", "receiver", "choice", choices)],
        answer={"receiver": answer},
        explanation=(
            f"{sentence(mapping.summary)}. The rule: the VMM demultiplexes an arriving frame by "
            f"its "
            f"destination MAC through its vNIC table; the broadcast address "
            f"ff:ff:ff:ff:ff:ff goes to every guest; a MAC no vNIC has is dropped."
        ),
        commands=[command],
        focus=mapping.seq,
        misconceptions=frame_wrongs(answer, [g.id for g in scenario.guests]),
    )


def print_order(scenario: Scenario, rng: random.Random) -> Question:
    printers = [d for d in scenario.devices if isinstance(d, Printer)]
    if not printers or len(scenario.guests) < 2:
        raise NotApplicable("a printer and two guests")
    printer = rng.choice(printers)
    guests = rng.sample([g.id for g in scenario.guests], k=min(3, len(scenario.guests)))
    commands: list[dict[str, Any]] = [
        {
            "at_us": i * 10,
            "op": "print",
            "guest": g,
            "device": printer.id,
            "pages": rng.randint(1, 3),
            "level": "device_driver",
        }
        for i, g in enumerate(guests)
    ]
    trace = run_commands(scenario, commands)
    pages = [h for h in trace.hops if h.stage == "physical_device"]
    order: list[str] = []
    for hop in pages:
        if hop.guest is not None and (not order or order[-1] != hop.guest):
            order.append(hop.guest)
    last_s = pages[-1].t_us / 1_000_000
    jobs = ", ".join(
        f"{c['guest']} prints {c['pages']} page(s) at {c['at_us']} µs" for c in commands
    )
    return Question(
        template="print_order",
        stage="device",
        prompt=(
            f"On {printer.id} ({printer.pages_per_minute} pages a minute): {jobs}. In which order "
            f"do the guests' pages come out, and when (in seconds) is the last page out?"
        ),
        table=[],
        fields=[
            Field("order", "guests in output order (e.g. vm2 vm1)", "text"),
            Field("last_page_s", "last page out at (s)", "number", tolerance=0.01),
        ],
        answer={"order": " ".join(order), "last_page_s": f"{last_s:.3f}"},
        explanation=(
            f"The VMM's spool table serves whole jobs in the order they arrive, so the pages "
            f"come out {' then '.join(order)}, never interleaved; each page takes "
            f"{60 / printer.pages_per_minute:g} s, so the last page is out at {last_s:.3f} s."
        ),
        commands=commands,
        focus=pages[-1].seq,
        misconceptions=print_wrongs(
            guests,
            [(c["at_us"], c["pages"]) for c in commands],
            page_us(printer.pages_per_minute),
            last_s,
        ),
    )


def traps(scenario: Scenario, rng: random.Random) -> Question:
    options = trap_requests(scenario, rng)
    if not options:
        raise NotApplicable("a disk, NIC or printer")
    command, what, assumes = rng.choice(options)
    counts: dict[str, str] = {}
    for level in LEVELS:
        counts[level] = str(run_commands(scenario, [command], level).requests[0].traps)
    return Question(
        template="traps",
        stage="trap",
        prompt=(
            f"{what}. How many traps does this request cost at each interception level? "
            f"Assume {assumes}."
        ),
        table=[],
        fields=[
            Field("io_operation", "I/O operation", "number"),
            Field("device_driver", "device driver", "number"),
            Field("system_call", "system call", "number"),
        ],
        answer=counts,
        explanation=(
            f"At the I/O-operation level every register access of the driver traps: {assumes}, "
            f"so {counts['io_operation']} here; at the device-driver level one call carries the "
            f"whole request ({counts['device_driver']}); at the system-call level the VMM "
            f"catches the one system call ({counts['system_call']})."
        ),
        commands=[{**command, "level": "io_operation"}],
        misconceptions=trap_wrongs(counts),
    )


def status(scenario: Scenario, rng: random.Random) -> Question:
    cases = status_cases(scenario)
    if not cases:
        raise NotApplicable("a device whose requests can be refused")
    command, what = rng.choice(cases)
    trace = run_commands(scenario, [command])
    reply = hop_of(trace, "r1", "status_reply")
    return Question(
        template="status",
        stage="status",
        prompt=f"{what}. Does the request succeed? If not, which status does the guest get?",
        table=[],
        fields=[Field("status", "status", "choice", STATUSES)],
        answer={"status": reply.detail["status"]},
        explanation=f"{sentence(reply.summary)}. " + STATUS_RULES.get(reply.detail["status"], ""),
        commands=[command],
        focus=reply.seq,
        misconceptions=status_wrongs(reply.detail["status"]),
    )


def next_hop(scenario: Scenario, rng: random.Random) -> Question:
    trace = simulate(scenario)
    hops = trace.hops
    candidates = [k for k in range(len(hops) - 1) if hops[k + 1].request == hops[k].request]
    if not candidates:
        raise NotApplicable("a workload with more than one hop")
    k = rng.choice(candidates)
    shown, following = hops[k], hops[k + 1]
    return Question(
        template="next_hop",
        stage=_path_stage(following.stage),
        prompt=(
            f"The scenario's own workload is paused after hop {k} of request {shown.request} "
            f"({shown.stage.replace('_', ' ')}): \u201c{shown.summary}\u201d. What is the next "
            f"hop of {shown.request}?"
        ),
        table=[],
        fields=[Field("stage", "next stage", "choice", STAGES)],
        answer={"stage": following.stage},
        explanation=(
            f"The next hop is {following.stage.replace('_', ' ')}: \u201c{following.summary}\u201d."
        ),
        keep_workload=True,
        focus=k + 1,
    )


def _path_stage(stage: str) -> str:
    return {
        "vmm_trap": "trap",
        "device_model": "trap",
        "physical_mapping": "mapping",
        "physical_device": "device",
        "interrupt": "device",
        "status_reply": "status",
    }.get(stage, "guest")


TEMPLATES: dict[str, tuple[str, Callable[[Scenario, random.Random], Question]]] = {
    "chs": ("Physical block and C/H/S of a guest's virtual block", chs),
    "frame": ("Which guest receives an arriving frame", frame),
    "print_order": ("Order of printed jobs and when the last page is out", print_order),
    "traps": ("Traps of a request at each interception level", traps),
    "status": ("Does a request succeed, and which status", status),
    "next_hop": ("The next hop of a paused trace", next_hop),
    **MODERN,
    **TRACING,
    **CONCEPTS,
}


def applicable(scenario: Scenario) -> list[str]:
    """The templates this scenario can ask."""
    found = []
    for name, (_, make) in TEMPLATES.items():
        try:
            make(scenario, random.Random(0))
        except NotApplicable:
            continue
        found.append(name)
    return found
