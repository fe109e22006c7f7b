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
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as error:
        hops.error = f"{path}: cannot connect: {error}"
        return hops
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
            f"{extra}Connection: close\r\n\r\n".encode()
        )
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), stall_s)
        status = head.split(b"\r\n", 1)[0]
        if status.split(b" ")[1:2] != [b"200"]:
            body = await asyncio.wait_for(reader.read(300), 5)
            hops.error = f"{path}: {status.decode()} {body.decode(errors='replace')}"
            return hops
        chunked = b"transfer-encoding: chunked" in head.lower()
        dechunk = Dechunker()
        body = b""
        while len(hops.ids) < count:
            data = await asyncio.wait_for(reader.read(65536), stall_s)
            if not data:
                hops.error = f"{path}: closed after {len(hops.ids)} of {count} hops"
                break
            now = time.perf_counter()
            body += dechunk.feed(data) if chunked else data
            *blocks, body = body.split(b"\r\n\r\n")
            for block in blocks:
                kind, ident, payload = parse_event(block)
                if kind != "hop" or ident is None:
                    continue  # a ping, or the retry alone
                hops.ids.append(ident)
                hops.arrived.append(now)
                hops.sizes.append(len(payload))
                if keep:
                    hops.payloads.append(payload.decode())
    except (TimeoutError, asyncio.IncompleteReadError, OSError) as error:
        got = f"after {len(hops.ids)} of {count} hops"
        hops.error = f"{path}: {type(error).__name__} {got}"
    finally:
        writer.close()
    return hops
