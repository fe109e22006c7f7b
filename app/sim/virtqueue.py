"""virtio as it runs under load: one guest's queue on one device, at the
device-driver level.

The guest's driver puts requests in a ring in shared memory. The backend
(vhost, QEMU's iothread) keeps polling the ring for a while after its last
work before it turns notifications back on and sleeps; a request the driver
adds while it polls needs no notification, hence no exit. Only a request that
finds the backend asleep notifies (one exit). On the other side the guest's
driver keeps taking completions from the used ring for a while after its last
one before it asks for interrupts again; a completion that arrives meanwhile
needs no interrupt. Under light load (a disk: milliseconds between events)
every request costs an exit and an interrupt; as requests come closer together
(frames of a burst) both fall below one per request — never above.

With ``vmm.batching: false`` every request notifies and every completion
interrupts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .costs import BACKEND_POLL_US, DRIVER_POLL_US


@dataclass(slots=True)
class VirtQueue:
    """When the backend and the guest's driver last worked on the queue (µs), and
    the requests that went through it (a frame arriving uses another queue)."""

    batching: bool
    backend_at: int | None = None
    driver_at: int | None = None
    taken: set[str] = field(default_factory=set)

    def add(self, request: str, now: int) -> int | None:
        """``request`` is added to the ring at ``now``; None if the driver must notify
        the backend (an exit), else how long ago its last work ended (it was polling:
        negative while it is still at work)."""
        self.taken.add(request)
        since = None if self.backend_at is None else now - self.backend_at
        if not self.batching or since is None or since > BACKEND_POLL_US:
            return None
        return since

    def took(self, until: int) -> None:
        """The backend has read a request from the ring by ``until``."""
        self.backend_at = until

    def complete(self, request: str, now: int) -> int | None:
        """``request``'s completion goes in the used ring at ``now``; None if it needs
        an interrupt, else how long ago the driver took its last one (it was polling)."""
        self.taken.discard(request)
        since = None if self.driver_at is None else now - self.driver_at
        self.driver_at = now
        # writing this completion is work, but a read the backend has already begun
        # may end later: its last work ends at whichever is later
        self.backend_at = now if self.backend_at is None else max(self.backend_at, now)
        if not self.batching or since is None or since > DRIVER_POLL_US:
            return None
        return since
