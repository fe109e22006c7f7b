"""The IOMMU's view of a passed-through device's DMA: guest-physical addresses
in, host-physical addresses out, and a fault for anything the guest does not own.

The VMM fills the device's IOMMU domain once, when it assigns the device, with
the guest's memory and nothing else; from then on every DMA is translated by
hardware with no VMM involvement. Pure arithmetic over the scenario's regions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .scenario import PAGE_BYTES, MemoryRegion


@dataclass(frozen=True, slots=True)
class Stretch:
    """Part of a DMA that lies in one region of the guest's memory."""

    region: int
    gpa: int
    hpa: int
    bytes: int


@dataclass(frozen=True, slots=True)
class Translation:
    """A DMA of ``bytes`` from ``gpa``: the stretches the IOMMU let through and,
    if it stopped the DMA, the first address it found unmapped."""

    gpa: int
    bytes: int
    stretches: tuple[Stretch, ...]
    fault: int | None

    @property
    def fault_page(self) -> int | None:
        return None if self.fault is None else self.fault - self.fault % PAGE_BYTES


def translate(memory: Sequence[MemoryRegion], gpa: int, nbytes: int) -> Translation:
    """Translate a DMA of ``nbytes`` from guest-physical ``gpa``, region by region."""
    stretches: list[Stretch] = []
    address, end = gpa, gpa + nbytes
    while address < end:
        found = _region_of(memory, address)
        if found is None:
            return Translation(gpa, nbytes, tuple(stretches), address)
        index, region = found
        n = min(end, region.gpa + region.bytes) - address
        stretches.append(Stretch(index, address, region.hpa + address - region.gpa, n))
        address += n
    return Translation(gpa, nbytes, tuple(stretches), None)


def _region_of(memory: Sequence[MemoryRegion], address: int) -> tuple[int, MemoryRegion] | None:
    for index, region in enumerate(memory):
        if region.gpa <= address < region.gpa + region.bytes:
            return index, region
    return None
