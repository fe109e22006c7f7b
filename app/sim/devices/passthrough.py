"""A device assigned to one guest (VFIO, an SR-IOV virtual function of a NIC).

The modern dedicated device: the guest's own driver writes the real device's
registers, mapped into the guest, with no trap at any interception level (the
levels say where the VMM catches a device it emulates; it emulates nothing
here). The device reads each frame from the guest's memory by DMA, and the
IOMMU translates every guest-physical address to a host-physical one, refusing
any address outside the guest's memory (status ``iommu_fault``). The VMM set
the IOMMU up when it assigned the device; per request it sees only the
completion interrupt, and not even that when interrupts are posted.
"""

from __future__ import annotations

from typing import Any

from ..costs import VM_EXIT_US, CostLine
from ..interception import Waits, interrupt
from ..iommu import Translation, translate
from ..machine import Machine
from ..registers import Controller
from ..scenario import NetSend, Passthrough
from ..trace import RequestRecord
from . import Handler
from .shared import ETHERNET_FRAME, split_frames, wire_us

# The guest's driver writes the assigned device's registers through a mapping
# the VMM set up once (VFIO maps the BAR into the guest): no exit, no cost.
# An IOMMU translation that hits the IOTLB adds nothing a request could see; a
# miss walks the I/O page table in memory, well under 1 µs (Intel VT-d
# specification, ch. 3; Amit et al., "IOMMU: Strategies for Mitigating the
# IOTLB Bottleneck", WIOSCA 2010). Below this model's 1 µs resolution: 0.
IOMMU_TRANSLATION_US = 0

# An interrupt of an assigned device delivered through the VMM: the physical
# interrupt arrives while the guest runs and forces an external-interrupt exit
# (one VM exit), then the VMM injects it as a virtual interrupt. These exits
# are most of what passthrough still costs (Gordon et al., "ELI: Bare-Metal
# Performance for I/O Virtualization", ASPLOS 2012).
PASSTHROUGH_INTERRUPT_EXIT_US = VM_EXIT_US

# A posted interrupt (Intel VT-d posted interrupts with APICv, AMD AVIC) is
# written by the hardware into the guest's virtual APIC and delivered to the
# running vCPU, which also completes it (EOI) without an exit: no VMM time.
POSTED_INTERRUPT_US = 0

IOMMU = "iommu"


def passthrough_send(m: Machine, req: RequestRecord, item: NetSend) -> Waits:
    device = m.devices[item.device]
    assert isinstance(device, Passthrough)
    guest = item.guest
    frames = split_frames(item.bytes)
    buffer = device.memory[0].gpa if item.buffer is None else item.buffer
    m.hop(
        req,
        "guest_app",
        guest,
        f"{guest}'s application sends {item.bytes} bytes to {item.dst_ip}",
        {"dst_ip": item.dst_ip, "bytes": item.bytes, "frames": len(frames)},
    )
    m.hop(
        req,
        "guest_driver",
        guest,
        f"{guest}'s own driver for {device.id} ({device.function}) writes {len(frames)} "
        f"transmit descriptor(s) pointing at guest-physical {_hex(buffer)} and the tail "
        f"register itself: the register is mapped into {guest}, so nothing traps",
        {"buffer": _hex(buffer), "frames": len(frames), "register": "TDT", "traps": 0},
    )
    wire = m.wires[device.id]
    for number, size in enumerate(frames, start=1):
        dma = translate(device.memory, buffer + (number - 1) * frames[0], size)
        summary = _translation_summary(device, dma)
        m.hop(req, "physical_mapping", IOMMU, summary, _detail(device, dma))
        yield IOMMU_TRANSLATION_US
        if dma.fault is not None:
            _fault(m, req, device, dma, number, len(frames))
            return
        waited = yield wire.claim(guest)
        on_wire = wire_us(size, device.mbps)
        m.hop(
            req,
            "physical_device",
            device.id,
            f"{device.id} reads frame {number}/{len(frames)} from host-physical "
            f"{_hex(dma.stretches[0].hpa)} and puts it on the wire: {size} bytes, {on_wire} µs",
            {
                "frame": number,
                "frames": len(frames),
                "bytes": size,
                "wire_us": on_wire,
                "waited_us": waited,
            },
        )
        req.device_us += on_wire
        yield on_wire
        wire.release()
    yield from _completion(m, req, device)
    m.reply(req, "ok", f"{guest}'s driver sees {len(frames)} frame(s) sent")


def _completion(m: Machine, req: RequestRecord, device: Passthrough) -> Waits:
    guest = device.guest
    if m.native:
        return  # the device interrupts the guest's own OS
    if device.interrupts == "posted":
        m.hop(
            req,
            "interrupt",
            device.id,
            f"{device.id}'s interrupt is posted straight into {guest}'s virtual APIC: "
            f"no exit, the VMM does nothing",
            {"to": guest, "posted": True, "traps": 0, "cost_us": POSTED_INTERRUPT_US},
        )
        req.overhead_us += POSTED_INTERRUPT_US
        yield POSTED_INTERRUPT_US
        return
    m.hop(
        req,
        "vmm_trap",
        "vmm",
        f"{device.id}'s interrupt arrives while {guest} runs: an external-interrupt exit "
        f"to the VMM",
        {"exit": "external interrupt", "traps": 1, "cost_us": PASSTHROUGH_INTERRUPT_EXIT_US},
    )
    req.traps += 1
    req.overhead_us += PASSTHROUGH_INTERRUPT_EXIT_US
    yield PASSTHROUGH_INTERRUPT_EXIT_US
    yield from interrupt(
        m, req, guest, f"the VMM injects {device.id}'s transmit-done interrupt into {guest}"
    )


def _fault(
    m: Machine, req: RequestRecord, device: Passthrough, dma: Translation, frame: int, frames: int
) -> None:
    assert dma.fault is not None
    sent = f"{frame - 1} of {frames} frame(s) went out before it" if frame > 1 else "none is sent"
    m.reply(
        req,
        "iommu_fault",
        f"the IOMMU blocks {device.id}'s DMA at guest-physical {_hex(dma.fault)}, outside "
        f"{device.guest}'s memory, and reports the fault to the VMM; {sent}",
        fault_address=_hex(dma.fault),
        fault_page=_hex(dma.fault_page or 0),
        frame=frame,
        reason=f"{_hex(dma.fault)} is in no region of {device.guest}'s memory",
    )


def _translation_summary(device: Passthrough, dma: Translation) -> str:
    asked = f"{device.id}'s DMA of {dma.bytes} bytes from guest-physical {_hex(dma.gpa)}"
    if dma.fault is not None:
        return (
            f"the IOMMU translates {asked}: {_hex(dma.fault)} is outside {device.guest}'s "
            "memory, so the DMA is refused"
        )
    parts = "; ".join(
        f"region {s.region}: {_hex(s.gpa)} → host-physical {_hex(s.hpa)}" for s in dma.stretches
    )
    return f"the IOMMU translates {asked}: {parts}"


def _detail(device: Passthrough, dma: Translation) -> dict[str, Any]:
    return {
        "gpa": _hex(dma.gpa),
        "bytes": dma.bytes,
        "stretches": [
            {"region": s.region, "gpa": _hex(s.gpa), "hpa": _hex(s.hpa), "bytes": s.bytes}
            for s in dma.stretches
        ],
        "fault_address": None if dma.fault is None else _hex(dma.fault),
        "memory": [
            {"gpa": _hex(r.gpa), "hpa": _hex(r.hpa), "bytes": r.bytes} for r in device.memory
        ],
        "cost_us": IOMMU_TRANSLATION_US,
    }


def _hex(address: int) -> str:
    return f"0x{address:X}"


# What this module handles, by (operation, device type): the simulation finds it here.
HANDLERS: dict[tuple[str, str], Handler] = {("net_send", "passthrough"): passthrough_send}

PASSTHROUGH_COSTS = (
    CostLine(
        "IOMMU translation of a passthrough DMA",
        "0 µs",
        (
            "an IOTLB hit costs nothing visible; a miss walks the I/O page table, well under 1 µs"
            " (Intel VT-d specification; Amit et al., WIOSCA 2010)"
        ),
    ),
    CostLine(
        "passthrough interrupt through the VMM",
        "1 µs exit (counted as a trap) + injection as above",
        (
            'the physical interrupt forces an external-interrupt exit (Gordon et al., "ELI", '
            "ASPLOS 2012)"
        ),
    ),
    CostLine(
        "posted interrupt (VT-d posted interrupts with APICv, AMD AVIC)",
        "0 µs, no exit",
        "delivered into the running guest and completed there",
    ),
)
# Each device type's controller, and what its requests are charged: its registers are
# mapped into the guest, so none traps; its frames take the wire.
REGISTERS: dict[str, Controller | None] = {"passthrough": None}
COSTS: dict[str, tuple[CostLine, ...]] = {"passthrough": (ETHERNET_FRAME, *PASSTHROUGH_COSTS)}
