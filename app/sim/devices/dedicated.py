"""Dedicated devices (keyboard, mouse): one guest owns the device at a time.

Input still passes through the VMM, which delivers it to the owner at the
moment it happens: physical interrupt → owner lookup → virtual interrupt into
the owner → the owner's driver reads the controller → the owner's OS queues it.
An application's read then takes from its own OS's queue, so input delivered to
a guest stays with it when the device changes owner, and a guest with nothing
queued — owner or not — simply reads nothing. Ownership moves through the
console switch (:mod:`app.sim.devices.virtual`).

At the system-call level the VMM answers the guest's read calls itself (with
its knowledge of the guest OS), so it keeps the guest's queue and the guest's
driver never runs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from ..costs import CostLine
from ..details import (
    InputQueue,
    InputQueuedByVmm,
    InputTakenByVmm,
    InputTakenInGuest,
    OwnerLookup,
)
from ..interception import (
    Call,
    Waits,
    interrupt,
    level_of,
    syscall_name,
    trap_in,
    unknown_os_reply,
)
from ..machine import DedicatedState, Machine
from ..problems import known
from ..registers import Access, Controller
from ..scenario import Keyboard, KeyPress, KeyRead, Mouse, MouseMove, MouseRead, Scenario
from ..trace import RequestRecord
from . import DeviceCheck, Handler, ItemCheck
from .i8042 import (
    I8042_KEYBOARD,
    I8042_MOUSE,
    NAMED_KEYS,
    i8042_key,
    i8042_mouse,
    scancode_text,
    scancodes,
    unshifted,
)


def input_event(m: Machine, req: RequestRecord, item: KeyPress | MouseMove) -> Waits:
    """A key press or a mouse movement arriving from the physical device."""
    state = m.dedicated[item.device]
    device = item.device
    value, what, accesses, sent = _describe(item)
    m.hop(req, "physical_device", device, f"{device} sends {what}", {"input": value, **sent})
    what = _shown(value)  # the scan codes are said once, where the keyboard sends them
    owner = state.owner
    req.guest = owner  # the input is nobody's until the VMM has looked up the owner
    looked_up: OwnerLookup = {"owner": owner, "owners": _owners(m)}
    m.hop(
        req,
        "physical_mapping",
        "vmm",
        f"the VMM looks up the owner of {device}: {owner or 'nobody'}",
        looked_up,
    )
    if owner is None:
        m.reply(
            req, "dropped", f"no guest owns {device}: the input is discarded", reason="no owner"
        )
        return
    queue = state.pending.setdefault(owner, deque())
    if level_of(req).vmm_answers:
        if not m.os_known(owner):
            unknown_os_reply(m, req, owner, "the read that would take this input")
            return
        queue.append(value)
        kept: InputQueuedByVmm = {"to": owner, "input": value, "queued": len(queue)}
        m.hop(
            req,
            "device_model",
            "vmm",
            f"the VMM queues {what} for {owner}: at the system-call level it answers "
            f"{owner}'s read calls itself, with its {m.guests[owner].os} knowledge",
            kept,
        )
        m.reply(req, "ok", f"delivered to {owner}, the owner of {device}", delivered_to=owner)
        return
    m.hop(
        req,
        "device_model",
        "vmm",
        f"the VMM puts {what} into {owner}'s {INPUT_MODEL[req.level][m.devices[device].type]}",
        {"to": owner, "input": value},
    )
    yield from interrupt(
        m,
        req,
        owner,
        f"the VMM injects an input interrupt into {owner}",
        accesses,
        irq=_irq(m, device),
    )
    queue.append(value)
    queued: InputQueue = {"input": value, "queued": len(queue)}
    m.hop(
        req,
        "guest_driver",
        owner,
        f"{owner}'s input driver reads {what} and its OS queues it for its applications",
        queued,
    )
    m.reply(req, "ok", f"delivered to {owner}, the owner of {device}", delivered_to=owner)


def read_input(m: Machine, req: RequestRecord, item: KeyRead | MouseRead) -> Waits:
    """A guest's application reads its keyboard or mouse: from its own OS's queue."""
    state = m.dedicated[item.device]
    guest, device = item.guest, item.device
    queue = state.pending.setdefault(guest, deque())
    m.hop(
        req, "guest_app", guest, f"{guest}'s application reads input from {device}", {"op": item.op}
    )
    if not level_of(req).vmm_answers:
        _read_in_guest(m, req, state, queue, guest)
        return
    call = Call("virtio-input", {"queue": "eventq", "op": "read"}, "read", {"fd": 0, "bytes": 8})
    if not (yield from trap_in(m, req, guest, [], call)):
        return
    os = m.guests[guest].os
    name = syscall_name(os, "read")[0]
    waiting = queue.popleft() if queue else None
    took = f"takes {_shown(waiting)} from" if waiting is not None else "finds nothing in"
    taken: InputTakenByVmm = {"fd": 0, "device": device, "input": waiting, "queued": len(queue)}
    m.hop(
        req,
        "device_model",
        "vmm",
        f"the VMM interprets {name} with its {os} knowledge: fd 0 is {device}; it {took} "
        f"{guest}'s input queue",
        taken,
    )
    _answer(m, req, state, guest, waiting, by="vmm", returns=name)


def _read_in_guest(
    m: Machine, req: RequestRecord, state: DedicatedState, queue: deque[Any], guest: str
) -> None:
    """The guest's OS answers from its own queue: no trap, no VMM."""
    waiting = queue.popleft() if queue else None
    took = f"takes {_shown(waiting)} from" if waiting is not None else "finds nothing in"
    taken: InputTakenInGuest = {"input": waiting, "queued": len(queue), "traps": 0}
    m.hop(
        req,
        "guest_driver",
        guest,
        f"{guest}'s OS {took} its own input queue: no trap, the VMM is not involved",
        taken,
    )
    _answer(m, req, state, guest, waiting, by=guest, returns="")


def _answer(
    m: Machine,
    req: RequestRecord,
    state: DedicatedState,
    guest: str,
    waiting: Any,
    *,
    by: str,
    returns: str,
) -> None:
    device = state.device.id
    call = f"{returns} returns: " if returns else ""
    if waiting is not None:
        m.reply(
            req, "ok", f"{call}{guest} reads {_shown(waiting)} from {device}", by=by, input=waiting
        )
        return
    m.reply(
        req,
        "ok",
        f"{call}{guest} reads nothing from {device}: {_why_nothing(state, guest)}",
        by=by,
        input=None,
        owner=state.owner,
    )


def _why_nothing(state: DedicatedState, guest: str) -> str:
    device, owner = state.device.id, state.owner
    if owner is None:
        return f"{device} has no owner, so its input reaches no guest"
    if owner == guest:
        return f"no input from {device} is waiting, and new input goes to {guest}, its owner"
    return f"no input is waiting for {guest}, and new input goes to {device}'s owner, {owner}"


def _describe(item: KeyPress | MouseMove) -> tuple[Any, str, list[Access], dict[str, Any]]:
    if isinstance(item, KeyPress):
        codes = scancodes(item.key) or []
        what = f"key {item.key!r} ({_codes_said(item.key, codes)})"
        return item.key, what, i8042_key(codes), {"scancodes": [f"0x{c:02X}" for c in codes]}
    move = [item.dx, item.dy]
    what = f"a movement dx {item.dx}, dy {item.dy}"
    return move, what, i8042_mouse(item.dx, item.dy), {}


def _codes_said(key: str, codes: list[int]) -> str:
    if len(codes) == 1:
        return f"scan code 0x{codes[0]:02X}"
    return f"scan codes {scancode_text(codes)}: shift make, {unshifted(key)!r}, shift break"


def _shown(value: Any) -> str:
    return (
        f"key {value!r}" if isinstance(value, str) else f"a movement dx {value[0]}, dy {value[1]}"
    )


# The VMM's model that input is put into, by level and device type. At the system-call
# level the VMM keeps the guest's queue itself, so no model is named there.
_I8042 = {"keyboard": "i8042 keyboard controller", "mouse": "i8042 mouse port"}
INPUT_MODEL: dict[str, dict[str, str]] = {
    "io_operation": _I8042,
    "device_driver": {"keyboard": "virtio-input device", "mouse": "virtio-input device"},
    "system_call": {},
}


def _irq(m: Machine, device: str) -> int:
    return 1 if m.devices[device].type == "keyboard" else 12


def _owners(m: Machine) -> dict[str, str | None]:
    return {device: state.owner for device, state in m.dedicated.items()}


def _check_owner(scenario: Scenario, device: Keyboard | Mouse, path: str) -> Iterator[str]:
    if device.owner is not None and scenario.guest(device.owner) is None:
        yield f"{path}.owner: unknown guest {device.owner!r}{known(scenario.guests)}"


def _check_key(scenario: Scenario, item: KeyPress, path: str) -> Iterator[str]:
    if scancodes(item.key) is None:
        yield (
            f"{path}.key: {item.key!r} is not a key of the keyboard (one printable character "
            f"or {', '.join(NAMED_KEYS)})"
        )


# What this module handles, by (operation, device type): the simulation finds it here.
HANDLERS: dict[tuple[str, str], Handler] = {
    ("key_press", "keyboard"): input_event,
    ("mouse_move", "mouse"): input_event,
    ("key_read", "keyboard"): read_input,
    ("mouse_read", "mouse"): read_input,
}
# Each device type's controller, and what its requests are charged: input takes no time
# of the device's own, only the level's traps and interrupts.
REGISTERS: dict[str, Controller | None] = {"keyboard": I8042_KEYBOARD, "mouse": I8042_MOUSE}
COSTS: dict[str, tuple[CostLine, ...]] = {"keyboard": (), "mouse": ()}
# What the scenario's checks ask beyond the models: an owner that is a guest, a key the
# keyboard has.
DEVICE_CHECKS: dict[str, DeviceCheck] = {"keyboard": _check_owner, "mouse": _check_owner}
ITEM_CHECKS: dict[str, ItemCheck] = {"key_press": _check_key}
