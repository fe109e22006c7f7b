"""The devices the classify question draws from, each with the category the course
puts it in and why.

A device that could go two ways comes with the assumption that decides it (a GPU
time-sliced among guests is shared; the same GPU given whole to one guest through
VFIO is passed through): the question states the assumption, so every answer is
defensible. "passthrough" is the course's modern part: a device assigned to one
guest with the VMM out of its requests' path (VFIO, an SR-IOV virtual function).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from app.sim import Scenario
from app.sim.scenario import CATEGORIES

from . import showcases as show
from .showcases import Shown

KINDS: tuple[str, ...] = (*CATEGORIES, "passthrough")


@dataclass(frozen=True, slots=True)
class Setup:
    """One way a device can be offered to guests: the assumption stated, the category it
    makes, and the reason."""

    assume: str
    category: str
    reason: str


@dataclass(frozen=True, slots=True)
class DeviceKind:
    name: str  # the field's name too: letters and underscores
    label: str
    setups: tuple[Setup, ...]


def _one(label: str, assume: str, category: str, reason: str) -> DeviceKind:
    return DeviceKind(
        label.replace(" ", "_").replace("-", "_"), label, (Setup(assume, category, reason),)
    )


OWNED_INPUT = (
    "one guest at a time owns it; its input still passes through the VMM, which looks up the "
    "owner and interrupts only that guest, and a host key moves it to another guest"
)
SPOOL = (
    "guests' jobs wait whole in the VMM's spool table and come out one job at a time, never "
    "interleaved: shared by jobs, not by milliseconds"
)
VF = (
    "the function is the guest's alone and its own driver reaches the registers with no trap; "
    "the IOMMU keeps its DMA inside the guest's memory: the VMM is out of the requests' path"
)

DEVICES: tuple[DeviceKind, ...] = (
    _one("keyboard", "input goes to the guest that has the focus", "dedicated", OWNED_INPUT),
    _one("mouse", "input goes to the guest that has the focus", "dedicated", OWNED_INPUT),
    DeviceKind(
        "hard_disk",
        "hard disk",
        (
            Setup(
                "each guest has its own range of the disk's blocks",
                "partitioned",
                "each guest gets a region; the VMM maps its virtual block 0 to the region's "
                "start and refuses a block past its end",
            ),
            Setup(
                "each guest's disk is an image file on the host's file system",
                "partitioned",
                "each guest's virtual disk is a file, a share of the disk's space; the VMM maps "
                "virtual blocks to file offsets, the host file system to disk blocks",
            ),
        ),
    ),
    DeviceKind(
        "nic",
        "network card",
        (
            Setup(
                "every guest has a virtual NIC with its own MAC, emulated by the VMM",
                "shared",
                "every guest's frames go out on the one card, interleaved frame by frame, and "
                "the VMM hands an arriving frame to the guest with its MAC",
            ),
            Setup(
                "an SR-IOV virtual function of it is assigned to one guest through VFIO",
                "passthrough",
                VF,
            ),
        ),
    ),
    _one("printer", "several guests print", "spooled", SPOOL),
    _one("plotter", "several guests send it drawings", "spooled", SPOOL),
    _one(
        "card punch",
        "IBM VM/370: every virtual machine has its own virtual punch",
        "spooled",
        "CP copies each guest's punched records into a spool file and punches it on the real "
        "device only once the guest closes it, one file at a time",
    ),
    _one(
        "virtual switch",
        "it connects guests on the same host",
        "virtual",
        "frames between guests are copied in memory from one vNIC to another: there is no "
        "hardware behind it",
    ),
    _one(
        "console switch",
        "the host key that moves the keyboard and mouse between guests",
        "virtual",
        "the VMM invents it: it changes the owner table, and no hardware stands behind it",
    ),
    DeviceKind(
        "gpu",
        "GPU",
        (
            Setup(
                "its time is sliced among several guests, each with a virtual GPU (a mediated "
                "vGPU)",
                "shared",
                "several guests' work runs on the one GPU in turn, finely interleaved, through "
                "the VMM's mediation",
            ),
            Setup(
                "the whole card is assigned to one guest through VFIO and the IOMMU",
                "passthrough",
                VF,
            ),
            Setup(
                "the VMM emulates a simple display adapter drawn into a window on the host",
                "virtual",
                "the guest's display adapter exists only in the VMM, which draws its frame "
                "buffer into a host window: no GPU stands behind it",
            ),
        ),
    ),
    DeviceKind(
        "nvme_ssd",
        "NVMe SSD with SR-IOV",
        (
            Setup(
                "a virtual function with its own namespace is assigned to each guest through VFIO",
                "passthrough",
                "the device itself divides its capacity among functions; each guest's NVMe "
                "driver rings its own queues' doorbells with no trap, its DMA checked by the "
                "IOMMU: the VMM is out of the path",
            ),
        ),
    ),
    DeviceKind(
        "usb_stick",
        "USB stick",
        (
            Setup(
                "the VMM redirects it whole to one guest while it is plugged in",
                "dedicated",
                "one guest at a time has it, and its USB traffic still goes through the VMM's "
                "emulated USB controller",
            ),
        ),
    ),
    DeviceKind(
        "sound_card",
        "sound card",
        (
            Setup(
                "every guest has an emulated sound card and the VMM mixes their audio into the "
                "one real card",
                "shared",
                "several guests play at once: the VMM mixes their samples, finely interleaved, "
                "onto one device",
            ),
            Setup(
                "it plays the sound of the guest whose window has the focus, and no other",
                "dedicated",
                "one guest at a time has it, through the VMM, and the focus moves it",
            ),
        ),
    ),
    DeviceKind(
        "serial_console",
        "serial console",
        (
            Setup(
                "each guest's serial port is a console the VMM writes to a log file on the host",
                "virtual",
                "the port exists only in the VMM, which turns each byte into a line of a file: "
                "no UART stands behind it",
            ),
            Setup(
                "the host's one real serial port is attached to one guest at a time",
                "dedicated",
                "one guest owns the real port at a time, and its bytes pass through the VMM's "
                "emulated UART",
            ),
        ),
    ),
    _one(
        "tape drive",
        "it is attached to one guest at a time for a backup",
        "dedicated",
        "a tape is read and written in order by one user: one guest has it, through the VMM, "
        "until it is detached",
    ),
)

# A request on the machine that shows each category at work, and what it shows: the
# classify question's trace, where the machine has such a device.
CATEGORY_SHOWN: dict[str, tuple[Callable[[Scenario], Shown | None], str]] = {
    "dedicated": (show.key_press, "a key press, whose owner the VMM looks up"),
    "partitioned": (show.disk_mapping, "a read the VMM maps into the guest's region"),
    "shared": (partial(show.frame_for, mac=None), "a frame the VMM hands to one guest by MAC"),
    "spooled": (show.two_prints, "two guests' jobs, printed one whole job after the other"),
    "virtual": (show.between_guests, "a frame copied between guests with no hardware"),
    "passthrough": (show.passthrough_send, "a frame whose DMA the IOMMU, not the VMM, checks"),
}
# What choosing a category reveals about a device of another.
BELIEF = {
    "dedicated": "taken as owned by one guest at a time, through the VMM",
    "partitioned": "taken as divided into a fixed region per guest",
    "shared": "taken as shared request by request among guests",
    "spooled": "taken as serving guests whole jobs at a time",
    "virtual": "taken as having no hardware behind it",
    "passthrough": "taken as assigned to one guest with the VMM out of its path",
}
# Sharper labels for the confusions a lecturer meets most.
CONFUSIONS = {
    ("spooled", "shared"): "jobs taken as interleaved page by page (spooling shares whole jobs)",
    ("passthrough", "dedicated"): (
        "a passed-through device taken as a classic dedicated one: its requests do not go "
        "through the VMM"
    ),
    ("dedicated", "passthrough"): (
        "a dedicated device taken as passed through: its requests still go through the VMM"
    ),
    ("virtual", "shared"): "a device with no hardware taken as sharing a real one",
}


def misconception(label: str, right: str, wrong: str) -> str:
    """What answering ``wrong`` for a device whose category is ``right`` reveals."""
    sharp = CONFUSIONS.get((right, wrong))
    return f"{label}: {sharp}" if sharp else f"{label} {BELIEF[wrong]}"
