"""Dedicated devices (keyboard, mouse): one guest owns the device at a time.

Input still passes through the VMM, which hands it to the current owner only;
a guest that is not the owner gets ``not_owner``. Ownership moves through the
console switch (:mod:`app.sim.devices.virtual`).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ..interception import Call, Waits, interrupt, trap_in, unknown_os_reply
from ..machine import Machine
from ..registers import Access, i8042_key, i8042_mouse, scancode
from ..scenario import KeyPress, KeyRead, MouseMove, MouseRead
from ..trace import RequestRecord


def input_event(m: Machine, req: RequestRecord, item: KeyPress | MouseMove) -> Waits:
    """A key press or a mouse movement arriving from the physical device."""
    state = m.dedicated[item.device]
    device = item.device
    value, what, accesses = _describe(item)
    m.hop(req, "physical_device", device, f"{device} sends {what}", {"input": value})
    owner = state.owner
    req.guest = owner  # the input is nobody's until the VMM has looked up the owner
    m.hop(
        req,
        "physical_mapping",
        "vmm",
        f"the VMM looks up the owner of {device}: {owner or 'nobody'}",
        {"owner": owner, "owners": _owners(m)},
    )
    if owner is None:
        m.reply(
            req, "dropped", f"no guest owns {device}: the input is discarded", reason="no owner"
        )
        return
    if req.level == "system_call" and not m.os_known(owner):
        unknown_os_reply(m, req, owner, "the pending read")
        return
    m.hop(
        req,
        "device_model",
        "vmm",
        f"the VMM puts {what} into {owner}'s {_model(req.level, device, m)}",
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
    state.pending.setdefault(owner, deque()).append(value)
    m.hop(
        req,
        "guest_driver",
        owner,
        f"{owner}'s input driver receives {what} and queues it for its applications",
        {"input": value, "queued": len(state.pending[owner])},
    )
    m.reply(req, "ok", f"delivered to {owner}, the owner of {device}", delivered_to=owner)


def read_input(m: Machine, req: RequestRecord, item: KeyRead | MouseRead) -> Waits:
    """A guest's application reads its keyboard or mouse."""
    state = m.dedicated[item.device]
    guest, device = item.guest, item.device
    is_owner = state.owner == guest
    queue = state.pending.get(guest) if is_owner else None
    waiting = queue[0] if queue else None
    m.guest_starts(
        req,
        guest,
        f"{guest}'s application reads input from {device}",
        f"{guest}'s input driver asks {device} for the next input",
        {"op": item.op},
    )
    call = Call("virtio-input", {"queue": "eventq", "op": "read"}, "read", {"fd": 0, "bytes": 8})
    if not (yield from trap_in(m, req, guest, _poll(item, waiting), call)):
        return
    m.hop(
        req,
        "device_model",
        "vmm",
        f"the VMM's {_model(req.level, device, m)} for {guest} takes the read",
        {"op": item.op},
    )
    m.hop(
        req,
        "physical_mapping",
        "vmm",
        f"the VMM checks the owner of {device}: {state.owner or 'nobody'}",
        {"owner": state.owner, "requester": guest, "owners": _owners(m)},
    )
    if not is_owner:
        reason = f"{device} belongs to {state.owner or 'nobody'}, not {guest}"
        m.reply(req, "not_owner", f"refused: {reason}", reason=reason, owner=state.owner)
        return
    if queue:
        queue.popleft()
        m.reply(req, "ok", f"{guest} reads {_shown(waiting)} from {device}", input=waiting)
    else:
        m.reply(req, "ok", f"{guest} reads from {device}: no input is waiting", input=None)


def _describe(item: KeyPress | MouseMove) -> tuple[Any, str, list[Access]]:
    if isinstance(item, KeyPress):
        code = scancode(item.key)
        return item.key, f"key {item.key!r} (scan code 0x{code:02X})", i8042_key(code)
    move = [item.dx, item.dy]
    return move, f"a movement dx {item.dx}, dy {item.dy}", i8042_mouse(item.dx, item.dy)


def _poll(item: KeyRead | MouseRead, waiting: Any) -> list[Access]:
    if waiting is None:
        return [Access("in", 0x64, 0x00, "status: output buffer empty")]
    if isinstance(item, KeyRead):
        return i8042_key(scancode(waiting))
    return i8042_mouse(*waiting)


def _shown(value: Any) -> str:
    return f"key {value!r}" if isinstance(value, str) else f"movement dx {value[0]}, dy {value[1]}"


def _model(level: str, device: str, m: Machine) -> str:
    kind = m.devices[device].type
    if level == "device_driver":
        return "virtio-input device"
    return "i8042 keyboard controller" if kind == "keyboard" else "i8042 mouse port"


def _irq(m: Machine, device: str) -> int:
    return 1 if m.devices[device].type == "keyboard" else 12


def _owners(m: Machine) -> dict[str, str | None]:
    return {device: state.owner for device, state in m.dedicated.items()}
