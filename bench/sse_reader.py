"""Read a stream of hop events over a bare socket, as cheaply as a client on the server's cores can.

HTTP/1.1 with the body's chunks undone and the Server-Sent Events taken apart: each hop
event's id, when it arrived, and how many bytes its data holds. Both streams a load bench
reads — iovlab's and the bare endpoint's — come through here, so they are measured alike.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Hops:
    """What one stream delivered."""

    opened: float = 0.0  # perf_counter when the connection was asked for
    ids: list[int] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)  # bytes of each event's data
    payloads: list[str] = field(default_factory=list)  # only when kept
    error: str = ""

    def first_hop_s(self) -> float | None:
        return self.arrived[0] - self.opened if self.arrived else None

    def rate(self) -> float | None:
        """Hops a second this stream delivered, from its first hop to its last."""
        if len(self.arrived) < 2 or self.arrived[-1] <= self.arrived[0]:
            return None
        return (len(self.arrived) - 1) / (self.arrived[-1] - self.arrived[0])

    def lost_and_repeated(self, first: int, count: int) -> tuple[int, int]:
        """Ids due (first … first+count-1) that never came, and ids that came twice."""
        seen = set(self.ids)
        lost = len(set(range(first, first + count)) - seen)
        return lost, len(self.ids) - len(seen)


class Dechunker:
    """Undoes HTTP/1.1 chunked transfer coding as bytes come in."""

    def __init__(self) -> None:
        self.raw = b""
        self.ended = False

    def feed(self, data: bytes) -> bytes:
        self.raw += data
        out = []
        while not self.ended:
            line_end = self.raw.find(b"\r\n")
            if line_end < 0:
                break
            size = int(self.raw[:line_end].split(b";")[0], 16)
            if size == 0:
                self.ended = True
                break
            start = line_end + 2
            if len(self.raw) < start + size + 2:
                break
            out.append(self.raw[start : start + size])
            self.raw = self.raw[start + size + 2 :]
        return b"".join(out)


def parse_event(block: bytes) -> tuple[str, int | None, bytes]:
    """An event's type, id and data (its data lines joined by newlines, as a browser does)."""
    kind, ident, data = "message", None, []
    for line in block.split(b"\r\n"):
        name, _, value = line.partition(b":")
        value = value[1:] if value.startswith(b" ") else value
        if name == b"data":
            data.append(value)
        elif name == b"event":
            kind = value.decode()
        elif name == b"id" and value.isdigit():
            ident = int(value)
    return kind, ident, b"\n".join(data)


async def read_hops(
    host: str,
    port: int,
    path: str,
    count: int,
    *,
    headers: dict[str, str] | None = None,
    keep: bool = False,
    stall_s: float = 60.0,
) -> Hops:
    """Read ``count`` hop events from ``path``, then hang up; an error ends it early, noted."""
    hops = Hops(opened=time.perf_counter())
    loop = asyncio.get_running_loop()
    reading = _HopReader(path, count, hops, keep, loop.create_future())
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    try:
        transport, _ = await loop.create_connection(lambda: reading, host, port)
    except OSError as error:
        hops.error = f"{path}: cannot connect: {error}"
        return hops
    transport.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
        f"{extra}Connection: close\r\n\r\n".encode()
    )
    try:
        while not reading.done.done():  # one wake-up a stall period, not a timer a read
            quiet = time.perf_counter() - reading.last
            if quiet >= stall_s:
                got = f"after {len(hops.ids)} of {count} hops"
                hops.error = f"{path}: TimeoutError {got}"
                reading.done.set_result(None)  # what closing the connection then says is moot
                break
            await asyncio.wait([reading.done], timeout=stall_s - quiet)
    finally:
        transport.close()
    return hops


class _HopReader(asyncio.Protocol):
    """A stream's bytes as they come, taken apart in the event loop's callback: no reader
    task, no timer a read (500 streams read this way cost the cores the server shares)."""

    def __init__(
        self, path: str, count: int, hops: Hops, keep: bool, done: asyncio.Future[None]
    ) -> None:
        self.path, self.count, self.hops, self.keep, self.done = path, count, hops, keep, done
        self.last = time.perf_counter()
        self.head: bytes | None = None  # the response's head, once it has come whole
        self.raw = b""
        self.chunked = False
        self.dechunk = Dechunker()
        self.refused = False

    def data_received(self, data: bytes) -> None:
        if self.done.done():
            return
        now = self.last = time.perf_counter()
        if self.head is None:
            self.raw += data
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            self.head, data, self.raw = self.raw[:end], self.raw[end + 4 :], b""
            status = self.head.split(b"\r\n", 1)[0]
            self.refused = status.split(b" ")[1:2] != [b"200"]
            self.chunked = b"transfer-encoding: chunked" in self.head.lower()
        if self.refused:  # what the server said, as far as 300 bytes of it
            self.raw += data
            if len(self.raw) >= 300:
                self._refused()
            return
        hops = self.hops
        self.raw += self.dechunk.feed(data) if self.chunked else data
        *blocks, self.raw = self.raw.split(b"\r\n\r\n")
        for block in blocks:
            kind, ident, payload = parse_event(block)
            if kind != "hop" or ident is None:
                continue  # a ping, or the retry alone
            hops.ids.append(ident)
            hops.arrived.append(now)
            hops.sizes.append(len(payload))
            if self.keep:
                hops.payloads.append(payload.decode())
            if len(hops.ids) >= self.count:
                self.done.set_result(None)
                return

    def _refused(self) -> None:
        status = (self.head or b"").split(b"\r\n", 1)[0]
        body = self.raw[:300].decode(errors="replace")
        self.hops.error = f"{self.path}: {status.decode()} {body}"
        self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.done.done():
            return
        if self.refused:
            self._refused()
            return
        got = f"after {len(self.hops.ids)} of {self.count} hops"
        reason = f"{type(exc).__name__} {got}" if exc else f"closed {got}"
        self.hops.error = f"{self.path}: {reason}"
        self.done.set_result(None)
