"""The machine as it stands after hop ``k``, from the core's own hops.

:func:`advance` makes the state after one more hop from the state before it and
copies only the part that hop changes, so a player stepping hop by hop pays a
constant amount a hop whatever the trace's length; :func:`state_at` folds from
the start. Each change is read from the typed detail of the hop that makes it
(:mod:`app.sim.details`): the states are never re-simulated.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from .details import (
    DiskServed,
    InputQueue,
    InputSent,
    OwnerChanged,
    PagePrinted,
    SpoolTables,
    Traps,
)
from .scenario import Disk, Keyboard, Mouse, Nic, Printer, Scenario, VSwitch
from .trace import Hop, Trace

# The newest pages in a printer's tray and frames on a wire that a state keeps.
RECENT = 10

# The requests whose hops put input into a guest's queue; the reads take it out.
INPUT_OPS = frozenset({"key_press", "mouse_move"})


@dataclass(frozen=True, slots=True)
class InputState:
    """A keyboard or mouse: its owner and each guest's input not read yet, oldest first.

    Input stays in the queue of the guest it was delivered to when the owner changes.
    """

    owner: str | None
    queues: Mapping[str, tuple[Any, ...]]
    last_input: Any = None


@dataclass(frozen=True, slots=True)
class DiskArmState:
    """A disk: the cylinder its arm stands at (where the last access it served began),
    the access it serves at this hop (the lit sector, else None), and the mapping
    table's row the VMM consults at this hop (else None)."""

    cylinder: int = 0
    lit: DiskServed | None = None
    row: int | None = None
    served: int = 0


@dataclass(frozen=True, slots=True)
class PrinterState:
    """A printer: both levels of spool table as the last hop that showed them left them
    (long queues show their head), the page printed last and the newest pages out."""

    tables: SpoolTables
    page: PagePrinted | None = None
    tray: tuple[PagePrinted, ...] = ()
    pages_out: int = 0


@dataclass(frozen=True, slots=True)
class WireState:
    """A NIC: the newest frames on its wire (either way) and how many there have been."""

    frames: tuple[Hop, ...] = ()
    count: int = 0


@dataclass(frozen=True, slots=True)
class VSwitchState:
    """A vswitch: the guests with a port on it, and the frames it has copied in memory."""

    ports: tuple[str, ...]
    copies: int = 0


@dataclass(frozen=True, slots=True)
class VnicRow:
    guest: str
    mac: str
    ip: str


@dataclass(frozen=True, slots=True)
class MachineState:
    """Everything the page draws of the machine after hop ``k`` (-1: before any hop)."""

    k: int
    inputs: Mapping[str, InputState]
    disks: Mapping[str, DiskArmState]
    printers: Mapping[str, PrinterState]
    wires: Mapping[str, WireState]
    vswitches: Mapping[str, VSwitchState]
    vnic_table: tuple[VnicRow, ...]
    console_switches: frozenset[str]
    traps: int
    traps_by_guest: Mapping[str, int]

    @property
    def owners(self) -> dict[str, str | None]:
        """Each keyboard's and mouse's owner, as the VMM's owner table says."""
        return {device: state.owner for device, state in self.inputs.items()}


def initial_state(scenario: Scenario) -> MachineState:
    """The machine before its first hop: owners as the scenario gives them, all empty."""
    devices = scenario.devices
    no_tables: SpoolTables = {"guest_spool": {}, "vmm_spool": [], "vmm_spool_length": 0}
    return MachineState(
        k=-1,
        inputs={d.id: InputState(d.owner, {}) for d in devices if isinstance(d, Keyboard | Mouse)},
        disks={d.id: DiskArmState() for d in devices if isinstance(d, Disk)},
        printers={d.id: PrinterState(no_tables) for d in devices if isinstance(d, Printer)},
        wires={d.id: WireState() for d in devices if isinstance(d, Nic)},
        vswitches={d.id: VSwitchState(tuple(d.guests)) for d in devices if isinstance(d, VSwitch)},
        vnic_table=tuple(VnicRow(g.id, g.mac, g.ip) for g in scenario.guests),
        console_switches=frozenset(d.id for d in devices if d.type == "console_switch"),
        traps=0,
        traps_by_guest={g.id: 0 for g in scenario.guests},
    )


def advance(state: MachineState, hop: Hop, op: str) -> MachineState:
    """The state after ``hop``, the hop that follows ``state``; ``op`` is its request's op."""
    changes: dict[str, Any] = {"k": hop.seq}
    if hop.stage == "vmm_trap":
        changes.update(_trapped(state, hop))
    # Each device is found in the one table that holds its kind; a device of a kind the
    # state does not draw changes nothing but the trap counts.
    device = hop.device
    if device in state.inputs:
        changes["inputs"] = _with(state.inputs, device, _input(state, hop, op))
    elif device in state.disks:
        changes["disks"] = _with(state.disks, device, _disk(state.disks[device], hop))
    elif device in state.printers:
        changes["printers"] = _with(state.printers, device, _printer(state.printers[device], hop))
    elif device in state.wires and hop.stage == "physical_device":
        wire = state.wires[device]
        frames = (*wire.frames[-(RECENT - 1) :], hop)
        changes["wires"] = _with(state.wires, device, WireState(frames, wire.count + 1))
    elif device in state.vswitches or device in state.console_switches:
        changes.update(_virtual(state, hop))
    # Lit places are lit for one hop only: the disk lit before goes dark.
    for device, disk in state.disks.items():
        if device != hop.device and (disk.lit is not None or disk.row is not None):
            disks = changes.get("disks", state.disks)
            changes["disks"] = _with(disks, device, replace(disk, lit=None, row=None))
    return replace(state, **changes)


def states(scenario: Scenario, trace: Trace) -> Iterator[MachineState]:
    """The state before any hop, then after each hop in turn."""
    ops = {record.id: record.op for record in trace.requests}
    state = initial_state(scenario)
    yield state
    for hop in trace.hops:
        state = advance(state, hop, ops[hop.request])
        yield state


def state_at(scenario: Scenario, trace: Trace, k: int) -> MachineState:
    """The state after hop ``k`` (clamped to the trace; -1 is before the first hop)."""
    k = max(-1, min(k, len(trace.hops) - 1))
    state = initial_state(scenario)
    return fold(state, trace.hops[: k + 1], {r.id: r.op for r in trace.requests})


def fold(state: MachineState, hops: Sequence[Hop], ops: Mapping[str, str]) -> MachineState:
    """``state`` advanced over ``hops`` in order (``ops``: each request's op by its id)."""
    for hop in hops:
        state = advance(state, hop, ops[hop.request])
    return state


def _with(table: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**table, key: value}


def _trapped(state: MachineState, hop: Hop) -> dict[str, Any]:
    traps = cast(Traps, hop.detail)["traps"]
    changes: dict[str, Any] = {"traps": state.traps + traps}
    if hop.guest is not None:
        by_guest = state.traps_by_guest
        changes["traps_by_guest"] = _with(by_guest, hop.guest, by_guest.get(hop.guest, 0) + traps)
    return changes


def _input(state: MachineState, hop: Hop, op: str) -> InputState:
    device = state.inputs[hop.device]
    if hop.stage == "physical_device":
        return replace(device, last_input=cast(InputSent, hop.detail)["input"])
    # only the hops where a guest's queue grows or shrinks say its length after
    if "queued" not in hop.detail or hop.guest is None:
        return device
    change = cast(InputQueue, hop.detail)
    queue = device.queues.get(hop.guest, ())
    if op in INPUT_OPS:
        queue = (*queue, change["input"])
    elif change["input"] is not None:
        queue = queue[1:]
    return replace(device, queues=_with(device.queues, hop.guest, queue))


def _disk(disk: DiskArmState, hop: Hop) -> DiskArmState:
    if hop.stage == "physical_device":
        served = cast(DiskServed, hop.detail)
        return DiskArmState(served["cylinder"], served, None, disk.served + 1)
    row = hop.detail.get("row") if hop.stage == "physical_mapping" else None
    return replace(disk, lit=None, row=row)


def _printer(printer: PrinterState, hop: Hop) -> PrinterState:
    if hop.stage == "physical_device":
        page = cast(PagePrinted, hop.detail)
        tray = (*printer.tray[-(RECENT - 1) :], page)
        return replace(printer, page=page, tray=tray, pages_out=printer.pages_out + 1)
    if "vmm_spool" in hop.detail:
        return replace(printer, tables=_tables(hop.detail))
    return printer


def _tables(detail: Mapping[str, Any]) -> SpoolTables:
    return {
        "guest_spool": detail["guest_spool"],
        "vmm_spool": detail["vmm_spool"],
        "vmm_spool_length": detail["vmm_spool_length"],
    }


def _virtual(state: MachineState, hop: Hop) -> dict[str, Any]:
    # A vswitch's device-model hops are the send rebuilt from the guest's exits and, once
    # the port table has found the receiver, the copy: only the copy has a copy time.
    if hop.device in state.vswitches and "copy_us" in hop.detail:
        switch = state.vswitches[hop.device]
        return {
            "vswitches": _with(
                state.vswitches, hop.device, replace(switch, copies=switch.copies + 1)
            )
        }
    if hop.device in state.console_switches and hop.stage == "physical_mapping":
        changed = cast(OwnerChanged, hop.detail)
        device = state.inputs[changed["target"]]
        return {
            "inputs": _with(
                state.inputs, changed["target"], replace(device, owner=changed["owner"])
            )
        }
    return {}
