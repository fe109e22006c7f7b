"""Question templates read off a trace: who owns the keyboard after a few switches,
what the spool tables hold at a moment, whether a frame touches the physical NIC,
and the order of the stages of a request's path. Each draws its events from the
scenario and a seeded generator and takes its answer from the simulation's hops
(with the timing templates of :mod:`.timing`, they make ``TRACING``)."""

from __future__ import annotations

import random
import string
from typing import Any

from app.sim import Scenario
from app.sim.devices.spooled import page_us
from app.sim.scenario import ConsoleSwitch, Keyboard, Nic, Printer, VSwitch
from app.sim.state import state_at
from app.sim.trace import STAGES, Trace

from .misconceptions import LIFO
from .paths import path_requests
from .question import Field, NotApplicable, Question, hop_of, quiet, run_commands
from .timing import disk_timing, wire_order, wire_time

INPUT_FOLLOWS = "input taken to follow the keyboard to its new owner (it stays where it went)"
PAGE_AT_START = "a page counted out when it starts (it is out when it has printed)"
VSWITCH_ON_WIRE = "a frame between guests on one host taken to go out on the physical NIC"
UNDELIVERABLE_OUT = "a frame the virtual switch cannot deliver taken to go out on the NIC"
UNPLUGGED = "a virtual switch taken to reach guests not plugged into it"
STARTS_AT_GUEST = "the request taken to start at a guest (input from outside starts at the device)"
TEXTBOOK = "the textbook order guest → trap → model → mapping → device, which this path leaves"

OUTSIDE = "the outside network"
REFUSED = "nobody (refused)"


def keyboard_owner(scenario: Scenario, rng: random.Random) -> Question:
    keyboards = [d for d in scenario.devices if isinstance(d, Keyboard)]
    consoles = [d for d in scenario.devices if isinstance(d, ConsoleSwitch)]
    if not keyboards or not consoles or len(scenario.guests) < 2:
        raise NotApplicable("a keyboard, a console switch and two guests")
    kbd, console = rng.choice(keyboards), rng.choice(consoles)
    guests = [g.id for g in scenario.guests]
    events = ["switch"] * rng.randint(2, 3) + ["key"] * rng.randint(1, 2)
    rng.shuffle(events)
    keys = iter(rng.sample(string.ascii_lowercase, 2))
    commands: list[dict[str, Any]] = []
    said = []
    owner, received = kbd.owner, []  # only to pick a reader that may have a key waiting
    for event in events:
        at = (len(commands) + 1) * 1000  # a millisecond apart: each is done before the next
        if event == "switch":
            owner = rng.choice([g for g in guests if g != owner])
            commands.append(
                {"at_us": at, "op": "switch_owner", "device": console.id, "target": kbd.id}
                | {"to": owner, "level": "device_driver"}
            )
            said.append(f"the console switch gives {kbd.id} to {owner}")
        else:
            key = next(keys)
            commands.append(
                {"at_us": at, "op": "key_press", "device": kbd.id, "key": key}
                | {"level": "device_driver"}
            )
            said.append(f"key {key!r} is pressed")
            received += [owner] if owner else []
    reader = rng.choice(received + guests)
    commands.append(
        {"at_us": (len(commands) + 1) * 1000, "op": "key_read", "guest": reader}
        | {"device": kbd.id, "level": "device_driver"}
    )
    trace = run_commands(scenario, commands)
    switched = [
        h for h in trace.hops if h.stage == "physical_mapping" and h.detail.get("target") == kbd.id
    ]
    owner = switched[-1].detail["owner"]  # the answer: the owner table's, not the guess above
    reply = hop_of(trace, f"r{len(commands)}", "status_reply")
    reads = reply.detail["input"] if reply.detail["input"] is not None else "nothing"
    # the wrong rule: every key delivered so far sits in the last owner's queue
    delivered = [
        h.detail["input"]
        for h in trace.hops
        if h.stage == "physical_device" and h.device == kbd.id
        if hop_of(trace, h.request, "status_reply").detail.get("delivered_to")
    ]
    follows = delivered[0] if delivered and reader == owner else "nothing"
    return Question(
        template="keyboard_owner",
        stage="mapping",
        prompt=(
            f"{kbd.id} belongs to {kbd.owner or 'nobody'}. Then, a millisecond apart, "
            f"{'; '.join(said)}; then {reader}'s application reads {kbd.id}. Who owns {kbd.id} "
            f"after these, and what does {reader}'s read return (a key, or nothing)?"
        ),
        table=[],
        fields=[
            Field("owner", "owner", "choice", (*guests, "nobody")),
            Field("reads", f"{reader} reads (a key or nothing)", "text"),
        ],
        answer={"owner": str(owner), "reads": str(reads)},
        explanation=(
            f"Hop {switched[-1].seq + 1}, the last switch: {switched[-1].summary}. Hop "
            f"{reply.seq + 1}: {reply.summary}. A key goes to the guest that owns the keyboard "
            f"when it is pressed and waits in that guest's own queue, even after the keyboard "
            f"changes owner."
        ),
        commands=commands,
        focus=reply.seq,
        misconceptions={"reads": {str(follows): INPUT_FOLLOWS}} if follows != reads else {},
    )


def spool_at(scenario: Scenario, rng: random.Random) -> Question:
    printers = [d for d in scenario.devices if isinstance(d, Printer)]
    if not printers:
        raise NotApplicable("a printer")
    printer = rng.choice(printers)
    guests = [g.id for g in scenario.guests]
    tenths = sorted(rng.sample(range(40), k=rng.randint(2, 4)))
    commands: list[dict[str, Any]] = [
        {
            "at_us": tenth * 100_000,
            "op": "print",
            "guest": rng.choice(guests),
            "device": printer.id,
            "pages": rng.randint(1, 3),
            "level": "device_driver",
        }
        for tenth in tenths
    ]
    trace = run_commands(scenario, commands)
    # half-way between tenths of a second: jobs arrive on tenths, and pages of a whole
    # number of tenths (2 s at 30 a minute) come out on tenths, so nothing is on the edge
    t_us = rng.randrange(trace.hops[-1].t_us // 100_000 + 1) * 100_000 + 50_000
    k = max((h.seq for h in trace.hops if h.t_us <= t_us), default=-1)
    state = state_at(quiet(scenario), trace, k).printers[printer.id]
    rows = state.tables["vmm_spool"]
    printing = next((r["guest"] for r in rows if r["state"] == "printing"), "nothing")
    waiting = [r["guest"] for r in rows if r["state"] != "printing"]
    answer = {
        "printing": printing,
        "waiting": " ".join(waiting) or "none",
        "pages_out": str(state.pages_out),
    }
    jobs = "; ".join(
        f"{c['guest']} prints {c['pages']} page(s) at {c['at_us'] / 1e6:g} s" for c in commands
    )
    shown = trace.hops[k] if k >= 0 else None
    return Question(
        template="spool_at",
        stage="device",
        prompt=(
            f"On {printer.id} ({printer.pages_per_minute} pages a minute, "
            f"{page_us(printer.pages_per_minute) / 1e6:g} s a page), at the device-driver level: "
            f"{jobs}. Each guest's OS hands its closed job to the VMM at once; the VMM's spool "
            f"table keeps a file from then until its last page is out, and the printer prints "
            f"whole files in the order the VMM received them. At t = {t_us / 1e6:g} s, whose "
            f"file is printing, whose files wait in the VMM's spool table behind it (in order, "
            f"or none), and how many pages are in the output tray?"
        ),
        table=[],
        fields=[
            Field("printing", "printing", "choice", (*guests, "nothing")),
            Field("waiting", "waiting: guests in order, or none", "text"),
            Field("pages_out", "pages in the tray", "number"),
        ],
        answer=answer,
        explanation=(
            (f"The last hop by {t_us / 1e6:g} s is hop {k + 1}: {shown.summary}. " if shown else "")
            + f"Then the VMM's spool table holds {len(rows)} file(s): "
            + (", ".join(f"{r['guest']}'s file {r['file']} ({r['state']})" for r in rows) or "none")
            + f"; {state.pages_out} page(s) are out. A page is out once it has printed; a job "
            f"waits whole behind the one printing."
        ),
        commands=commands,
        focus=k,
        misconceptions=_spool_wrongs(answer, waiting, rows),
    )


def _spool_wrongs(
    answer: dict[str, str], waiting: list[str], rows: list[Any]
) -> dict[str, dict[str, str]]:
    wrongs: dict[str, dict[str, str]] = {}
    if answer["printing"] != "nothing":
        wrongs["pages_out"] = {str(int(answer["pages_out"]) + 1): PAGE_AT_START}
        if rows[-1]["guest"] != answer["printing"]:
            wrongs["printing"] = {rows[-1]["guest"]: LIFO}
    if waiting != waiting[::-1]:
        wrongs["waiting"] = {" ".join(reversed(waiting)): LIFO}
    return wrongs


def frame_touches_nic(scenario: Scenario, rng: random.Random) -> Question:
    nics = [d for d in scenario.devices if isinstance(d, Nic)]
    switches = [d for d in scenario.devices if isinstance(d, VSwitch) and d.guests]
    if not nics or not switches:
        raise NotApplicable("a virtual switch with a guest and a network card")
    switch, nic = rng.choice(switches), rng.choice(nics)
    sender = rng.choice(switch.guests)
    peers = [g for g in scenario.guests if g.id in switch.guests and g.id != sender]
    outsiders = [g for g in scenario.guests if g.id not in switch.guests]
    kinds = ["outside"] + ["peer"] * bool(peers) + ["unplugged"] * bool(outsiders)
    kind = rng.choice(kinds)
    if kind == "outside":
        device, dst_ip = nic.id, f"192.0.2.{rng.randrange(1, 255)}"
    else:
        device, dst_ip = switch.id, rng.choice(peers if kind == "peer" else outsiders).ip
    command = {
        "at_us": 0,
        "op": "net_send",
        "guest": sender,
        "device": device,
        "dst_ip": dst_ip,
        "bytes": rng.choice([100, 600, 1200, 1500]),
        "level": "device_driver",
    }
    trace = run_commands(scenario, [command])
    on_nic = [
        h
        for h in trace.hops
        if h.stage == "physical_device" and isinstance(scenario.device(h.actor), Nic)
    ]
    reply = hop_of(trace, "r1", "status_reply")
    receiver = REFUSED if reply.detail["status"] != "ok" else OUTSIDE
    receiver = reply.detail.get("delivered_to") or receiver
    touches = "yes" if on_nic else "no"
    shown = on_nic[0] if on_nic else hop_of(trace, "r1", "physical_mapping")
    guests = [g.id for g in scenario.guests]
    return Question(
        template="frame_touches_nic",
        stage="mapping",
        prompt=(
            f"{sender} sends {command['bytes']:,} bytes to {dst_ip} through {device}. On this "
            f"host, {switch.id} is a virtual switch with ports for {', '.join(switch.guests)}, "
            f"and {nic.id} is the network card to the outside. Does the frame touch the "
            f"physical NIC, and who receives it?"
        ),
        table=[{"guest": g.id, "ip": g.ip} for g in scenario.guests],
        fields=[
            Field("touches_nic", "touches the physical NIC", "choice", ("yes", "no")),
            Field("receiver", "received by", "choice", (*guests, OUTSIDE, REFUSED)),
        ],
        answer={"touches_nic": touches, "receiver": receiver},
        explanation=(
            f"Hop {shown.seq + 1}: {shown.summary}. Hop {reply.seq + 1}: {reply.summary}. A "
            f"virtual switch copies a frame from one vNIC to another in the host's memory: "
            f"only a frame for the outside goes on the physical wire."
        ),
        commands=[command],
        focus=shown.seq,
        misconceptions=_touch_wrongs(kind, dst_ip, scenario),
    )


def _touch_wrongs(kind: str, dst_ip: str, scenario: Scenario) -> dict[str, dict[str, str]]:
    if kind == "peer":
        return {"touches_nic": {"yes": VSWITCH_ON_WIRE}}
    if kind == "unplugged":
        target = next(g.id for g in scenario.guests if g.ip == dst_ip)
        return {
            "touches_nic": {"yes": UNDELIVERABLE_OUT},
            "receiver": {target: UNPLUGGED, OUTSIDE: UNDELIVERABLE_OUT},
        }
    return {}


def order_stages(scenario: Scenario, rng: random.Random) -> Question:
    options = path_requests(scenario, rng)
    rng.shuffle(options)
    for command, what in options:
        command = {**command, "level": scenario.level}
        trace = run_commands(scenario, [command])
        if len({h.stage for h in trace.hops_of("r1")}) >= 3:
            return _ordering(rng, command, what, trace, scenario.level)
    raise NotApplicable("a request whose path has three stages")


def _ordering(
    rng: random.Random, command: dict[str, Any], what: str, trace: Trace, level: str
) -> Question:
    hops = trace.hops_of("r1")
    firsts = {h.stage: h for h in reversed(hops)}  # each stage's first hop
    path = sorted(firsts, key=lambda stage: firsts[stage].seq)
    shuffled = path
    while shuffled == path:  # never given in the answer's own order
        shuffled = rng.sample(path, k=len(path))
    letter = {stage: string.ascii_uppercase[i] for i, stage in enumerate(shuffled)}
    answer = " ".join(letter[stage] for stage in path)
    textbook = " ".join(letter[stage] for stage in sorted(path, key=STAGES.index))
    givens = ", ".join(f"{letter[s]}: {s.replace('_', ' ')}" for s in shuffled)
    return Question(
        template="order_stages",
        stage="path",
        prompt=(
            f"At the {level.replace('_', ' ')} level (the scenario's): {what}. Put the stages "
            f"of this request's path in the order it first reaches each ({givens}): the "
            f"letters, in order, separated by spaces."
        ),
        table=[],
        fields=[Field("order", "stages in order (letters)", "text")],
        answer={"order": answer},
        explanation=(
            "The request first reaches "
            + "; ".join(
                f"{s.replace('_', ' ')} at hop {firsts[s].seq + 1} ({firsts[s].summary})"
                for s in path
            )
            + "."
        ),
        commands=[command],
        focus=hops[-1].seq,
        misconceptions=(
            {}
            if textbook == answer
            else {"order": {textbook: STARTS_AT_GUEST if path[0] != "guest_app" else TEXTBOOK}}
        ),
    )


TRACING = {
    "disk_timing": ("Seek, rotation and transfer of a disk request", disk_timing),
    "wire_time": ("A send's frames and their time on the wire", wire_time),
    "wire_order": ("The order several guests' frames go out on the shared NIC", wire_order),
    "keyboard_owner": (
        "The keyboard's owner after switches, and what a guest reads",
        keyboard_owner,
    ),
    "spool_at": ("What the spool table holds and the printer has printed at a moment", spool_at),
    "frame_touches_nic": (
        "Does a frame touch the physical NIC, and who gets it",
        frame_touches_nic,
    ),
    "order_stages": ("Order the stages of a request's path", order_stages),
}
