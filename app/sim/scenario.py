"""The typed shape of a scenario file: guests, devices, and a timed workload.

These models check each field on its own (types, ranges, unknown keys); the
checks that relate fields to each other (references, overlaps, duplicates) are
in :mod:`app.sim.checks`, which gathers a device type's own from its device module.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, ClassVar, Literal, TypeAlias, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

Level = Literal["io_operation", "device_driver", "system_call"]
LEVELS: tuple[Level, ...] = get_args(Level)  # the one list of levels: the type itself

MAX_GUESTS = 16
MAX_DEVICES = 64
MAX_WORKLOAD = 10_000
MAX_TIME_US = 3_600_000_000  # one simulated hour: anything later is a typo
LBA28_LIMIT = 1 << 28  # the largest disk an ATA LBA28 driver can address
BLOCK_BYTES = 512  # a disk's or an image's block: one ATA sector
BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"
MAX_ADDRESS = 1 << 48  # a physical address of 48 bits: 256 TiB, more than any scenario needs
PAGE_BYTES = 4096  # the IOMMU maps memory in 4 KiB pages


def _ipv4(value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise ValueError(f"not an IPv4 address: {value!r}") from None


Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"),
    Field(description="letters, digits, '_' or '-', starting with a letter, at most 32"),
]
OsName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
Mac = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$", to_lower=True),
]
IPv4 = Annotated[str, AfterValidator(_ipv4)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Guest(Strict):
    id: Id
    os: OsName
    mac: Mac
    ip: IPv4


class Vmm(Strict):
    knows_os: list[OsName] = Field(default_factory=list, max_length=32)
    # virtio under load (device-driver level): no notification while the backend
    # polls the ring, one interrupt for the completions of a busy period
    batching: bool = True


# --- devices -------------------------------------------------------------


class Keyboard(Strict):
    id: Id
    type: Literal["keyboard"]
    owner: Id | None = None


class Mouse(Strict):
    id: Id
    type: Literal["mouse"]
    owner: Id | None = None


class Geometry(Strict):
    heads: int = Field(16, ge=1, le=255)
    sectors_per_track: int = Field(63, ge=1, le=63)


class Partition(Strict):
    guest: Id
    start: int = Field(ge=0, lt=LBA28_LIMIT)
    blocks: int = Field(ge=1, le=LBA28_LIMIT)


class Disk(Strict):
    id: Id
    type: Literal["disk"]
    blocks: int = Field(ge=1, le=LBA28_LIMIT)
    geometry: Geometry = Field(default_factory=Geometry)
    partitions: list[Partition] = Field(default_factory=list, max_length=MAX_GUESTS)


class Nic(Strict):
    id: Id
    type: Literal["nic"]
    mbps: int = Field(1000, ge=10, le=100_000)


class Printer(Strict):
    id: Id
    type: Literal["printer"]
    pages_per_minute: int = Field(30, ge=1, le=200)


class VSwitch(Strict):
    id: Id
    type: Literal["vswitch"]
    guests: list[Id] = Field(default_factory=list, max_length=MAX_GUESTS)


class ConsoleSwitch(Strict):
    id: Id
    type: Literal["console_switch"]


class Extent(Strict):
    """A run of an image file's blocks on the physical disk, as the host's file
    system records it: the file's next ``blocks`` blocks start at disk block ``start``."""

    start: int = Field(ge=0, lt=LBA28_LIMIT)
    blocks: int = Field(ge=1, le=LBA28_LIMIT)


class Image(Strict):
    """A guest's virtual disk that is a file on the host's file system on ``disk``.

    ``raw``: file block = virtual block. ``qcow2``: a header cluster, an L1
    table cluster, then L2 tables and data clusters allocated on first write at
    the end of the file. ``extents`` lists where the file's blocks lie on the
    disk, in file order.
    """

    id: Id
    type: Literal["image"]
    guest: Id
    disk: Id
    format: Literal["raw", "qcow2"] = "raw"
    blocks: int = Field(ge=1, le=LBA28_LIMIT)
    cluster_blocks: int = Field(128, ge=1, le=4096)
    extents: list[Extent] = Field(min_length=1, max_length=64)


class MemoryRegion(Strict):
    """A run of a guest's memory: guest-physical ``gpa`` is host-physical ``hpa``."""

    gpa: int = Field(ge=0, lt=MAX_ADDRESS)
    hpa: int = Field(ge=0, lt=MAX_ADDRESS)
    bytes: int = Field(ge=4096, le=MAX_ADDRESS)


class Passthrough(Strict):
    """A device assigned to one guest (VFIO; an SR-IOV virtual function of a NIC).

    The guest's own driver reaches its registers with no trap; its DMA goes
    through the IOMMU, which maps exactly ``memory`` (the guest's RAM). Its
    interrupts reach the guest through the VMM (``vmm``) or are ``posted``.
    """

    id: Id
    type: Literal["passthrough"]
    guest: Id
    function: str = Field("SR-IOV virtual function of a NIC", min_length=1, max_length=80)
    mbps: int = Field(1000, ge=10, le=100_000)
    interrupts: Literal["vmm", "posted"] = "vmm"
    memory: list[MemoryRegion] = Field(min_length=1, max_length=16)


Device = Annotated[
    Keyboard | Mouse | Disk | Nic | Printer | VSwitch | ConsoleSwitch | Image | Passthrough,
    Field(discriminator="type"),
]

CATEGORIES = ("dedicated", "partitioned", "shared", "spooled", "virtual")
CATEGORY_OF_TYPE = {
    "keyboard": "dedicated",
    "mouse": "dedicated",
    "disk": "partitioned",
    "nic": "shared",
    "printer": "spooled",
    "vswitch": "virtual",
    "console_switch": "virtual",
    "image": "partitioned",
    "passthrough": "dedicated",
}

# --- workload items ------------------------------------------------------


class Item(Strict):
    # fields of the model a person does not fill in when sending a request by hand
    not_composed: ClassVar[frozenset[str]] = frozenset()

    at_us: int = Field(0, ge=0, le=MAX_TIME_US)
    device: Id
    level: Level | None = None


class GuestItem(Item):
    guest: Id


class DiskRead(GuestItem):
    op: Literal["disk_read"]
    block: int = Field(ge=0, lt=LBA28_LIMIT)
    count: int = Field(1, ge=1, le=256)


class DiskWrite(GuestItem):
    op: Literal["disk_write"]
    block: int = Field(ge=0, lt=LBA28_LIMIT)
    count: int = Field(1, ge=1, le=256)


class NetSend(GuestItem):
    op: Literal["net_send"]
    dst_ip: IPv4
    bytes: int = Field(ge=1, le=65_536)
    # Where the frames lie in the guest's memory (guest-physical), for a
    # passthrough device's DMA; default the start of the guest's first region.
    buffer: int | None = Field(None, ge=0, lt=MAX_ADDRESS)
    # a file may place the buffer; a person sending by hand leaves it to its default
    not_composed: ClassVar[frozenset[str]] = frozenset({"buffer"})


class FrameArrives(Item):
    op: Literal["frame_arrives"]
    dst_mac: Mac | None = None
    dst_ip: IPv4 | None = None
    bytes: int = Field(ge=1, le=1500)


class Print(GuestItem):
    op: Literal["print"]
    pages: int = Field(ge=1, le=500)


class KeyPress(Item):
    op: Literal["key_press"]
    key: str = Field(min_length=1, max_length=16)


class MouseMove(Item):
    op: Literal["mouse_move"]
    dx: int = Field(ge=-4096, le=4096)
    dy: int = Field(ge=-4096, le=4096)


class KeyRead(GuestItem):
    op: Literal["key_read"]


class MouseRead(GuestItem):
    op: Literal["mouse_read"]


class SwitchOwner(Item):
    op: Literal["switch_owner"]
    target: Id
    to: Id


WorkloadItem: TypeAlias = Annotated[
    DiskRead
    | DiskWrite
    | NetSend
    | FrameArrives
    | Print
    | KeyPress
    | MouseMove
    | KeyRead
    | MouseRead
    | SwitchOwner,
    Field(discriminator="op"),
]

# Which device types each operation may address.
OP_DEVICE_TYPES: dict[str, tuple[str, ...]] = {
    "disk_read": ("disk", "image"),
    "disk_write": ("disk", "image"),
    "net_send": ("nic", "vswitch", "passthrough"),
    "frame_arrives": ("nic",),
    "print": ("printer",),
    "key_press": ("keyboard",),
    "mouse_move": ("mouse",),
    "key_read": ("keyboard",),
    "mouse_read": ("mouse",),
    "switch_owner": ("console_switch",),
}


# What a person gives to send each operation by hand, in the model's order: its own
# fields but when, where and at which level it runs (the composer asks those apart).
_PLACED = frozenset({"at_us", "device", "level", "op"})
OP_FIELDS: dict[str, tuple[str, ...]] = {
    get_args(model.model_fields["op"].annotation)[0]: tuple(
        name for name in model.model_fields if name not in _PLACED | model.not_composed
    )
    for model in get_args(get_args(WorkloadItem)[0])
}


class Scenario(Strict):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    level: Level = "device_driver"
    vmm: Vmm = Field(default_factory=Vmm)
    guests: list[Guest] = Field(min_length=1, max_length=MAX_GUESTS)
    devices: list[Device] = Field(default_factory=list, max_length=MAX_DEVICES)
    workload: list[WorkloadItem] = Field(default_factory=list, max_length=MAX_WORKLOAD)

    def guest(self, guest_id: str) -> Guest | None:
        return next((g for g in self.guests if g.id == guest_id), None)

    def device(self, device_id: str) -> Device | None:
        return next((d for d in self.devices if d.id == device_id), None)
