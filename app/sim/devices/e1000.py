"""The Intel e1000 a guest's network driver programs over MMIO, for a NIC or a vswitch port.

The transmit descriptor tail (TDT, 0x3818) per frame; on the interrupt the cause register
(ICR, 0x00C0) is read, and the mask set again (IMS, 0x00D0); receive also hands the
descriptor back (RDT, 0x2818).
"""

from __future__ import annotations

from ..registers import Access, Controller

E1000 = Controller(
    "nic, vswitch port (e1000 MMIO)",
    "TDT 0x3818 per frame; on the interrupt ICR 0x00C0 and IMS 0x00D0 (receive also RDT 0x2818)",
)


def e1000_transmit(frames: int) -> list[Access]:
    return [Access("write", 0x3818, tail, "TDT: transmit tail") for tail in range(1, frames + 1)]


E1000_TX_DONE = (
    Access("read", 0x00C0, 0x01, "ICR: transmit done"),
    Access("write", 0x00D0, 0x9D, "IMS: unmask interrupts"),
)
E1000_RX_DONE = (
    Access("read", 0x00C0, 0x80, "ICR: receive timer"),
    Access("write", 0x2818, 1, "RDT: receive tail, descriptor returned"),
    Access("write", 0x00D0, 0x9D, "IMS: unmask interrupts"),
)
