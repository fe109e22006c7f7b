"""The trace: hops (the unit that is streamed and animated) and per-request totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, get_args

Stage = Literal[
    "guest_app",
    "guest_driver",
    "vmm_trap",
    "device_model",
    "physical_mapping",
    "physical_device",
    "interrupt",
    "status_reply",
]
STAGES: tuple[Stage, ...] = get_args(Stage)  # in the order of a request's path

# Every status a request can end with; the README explains each.
STATUSES = (
    "ok",
    "out_of_range",
    "no_partition",
    "dropped",
    "no_such_host",
    "not_connected",
    "unknown_guest_os",
    "iommu_fault",
)


class Hop(NamedTuple):
    """One step of one request's path, at one simulated time.

    ``actor`` is where the step happens (a guest, ``vmm`` or a physical device);
    ``guest`` is the guest the request belongs to (None for an outside event no
    guest owns); ``detail`` holds the numbers behind the step.

    A tuple rather than a class with attributes: a trace holds tens of
    thousands of hops, and the garbage collector stops tracking tuples of plain
    values, so long traces do not slow every later collection.
    """

    seq: int
    request: str
    t_us: int
    stage: Stage
    actor: str
    guest: str | None
    device: str
    category: str
    level: str
    summary: str
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


@dataclass(slots=True)
class RequestRecord:
    """A request's identity and, once it has ended, its status and costs.

    ``overhead_us`` is what virtualization added (exits, emulation, interrupt
    injection), ``device_us`` what the device took; queueing shows in
    ``latency_us`` only.
    """

    id: str
    guest: str | None
    device: str
    op: str
    category: str
    level: str
    start_us: int  # ``origin`` says where it came from: "workload[3]" or "command[0]"
    origin: str = ""
    status: str = "pending"
    traps: int = 0
    overhead_us: int = 0
    device_us: int = 0
    end_us: int | None = None

    @property
    def latency_us(self) -> int | None:
        return None if self.end_us is None else self.end_us - self.start_us

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "guest": self.guest,
            "device": self.device,
            "op": self.op,
            "category": self.category,
            "level": self.level,
            "status": self.status,
            "traps": self.traps,
            "overhead_us": self.overhead_us,
            "device_us": self.device_us,
            "latency_us": self.latency_us,
            "start_us": self.start_us,
            "origin": self.origin,
        }


@dataclass(slots=True)
class Trace:
    scenario: str
    level: str
    hops: list[Hop] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "level": self.level,
            "hops": [hop.to_dict() for hop in self.hops],
            "requests": [request.to_dict() for request in self.requests],
        }

    def hops_of(self, request_id: str) -> list[Hop]:
        return [hop for hop in self.hops if hop.request == request_id]
