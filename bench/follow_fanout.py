"""A live room followed by many students: lateness, losses, memory, and a bare baseline.

Starts iovlab (SQLite, one worker) in its own process, presents a lesson, opens
a room, connects N followers over Server-Sent Events on loopback, and moves the
lecturer's hop R times a second for S seconds. Prints the p50/p99 lateness of
each change at the followers, the changes lost (a follower that never got a
version the lecturer made), the server's RSS per follower, and — in the same
run — the delivered events/s of a bare SSE endpoint emitting the same bytes to
the same number of clients at the same rate, with the ratio.

    python bench/follow_fanout.py [--followers 1000] [--seconds 60] [--rate 5] [--settle S]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
ID = re.compile(rb"\nid: (\d+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(app: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--backlog",
            "4096",
            "--limit-concurrency",
            "5000",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
            return process, port
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{app} did not start")


def migrate(env: dict[str, str]) -> None:
    """The app refuses a database whose schema is not migrated: migrate it as a deploy does."""
    subprocess.run(
        [sys.executable, "-m", "app.cli", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def follower(port: int, path: str, received: dict[int, float], stop: asyncio.Event) -> int:
    """Read an SSE stream with a bare socket; record when each event id first arrives."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    tail = b""
    events = 0
    while not stop.is_set():
        try:
            chunk = await asyncio.wait_for(reader.read(65536), 0.5)
        except TimeoutError:
            continue
        if not chunk:
            break
        now = time.perf_counter()
        data = tail + chunk
        end = 0
        for match in ID.finditer(data):
            received.setdefault(int(match.group(1)), now)
            events += 1
            end = match.end()
        tail = data[max(end, len(data) - 32) :]  # an id cut in two is found next time
    writer.close()
    return events


def settle_s(followers: int) -> float:
    """How long to let every follower connect, and the last changes arrive."""
    return SETTLE_S if SETTLE_S is not None else min(10.0, 2 + followers / 200)


async def run_room(port: int, followers: int, seconds: float, rate: float) -> dict[str, float]:
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=30) as lecturer:
        sid = (
            (await lecturer.post("/lessons/8-whole-machine/present"))
            .headers["location"]
            .rsplit("/", 1)[1]
        )
        await lecturer.post(f"/p/{sid}/room")
        page = (await lecturer.get(f"/p/{sid}")).text
        code = page.split('class="code">')[1].split("<")[0]
        hops = len((await lecturer.get(f"/api/sessions/{sid}/trace")).json()["hops"])
        stop = asyncio.Event()
        received = [dict() for _ in range(followers)]  # type: ignore[var-annotated]
        tasks = [
            asyncio.create_task(follower(port, f"/r/{code}/stream", r, stop)) for r in received
        ]
        await asyncio.sleep(settle_s(followers))  # let everyone connect
        made: dict[int, float] = {}
        version = (await lecturer.get(f"/api/sessions/{sid}")).json()["cursor"]
        begin = time.perf_counter()
        k = 0
        while time.perf_counter() - begin < seconds:
            k = (k + 1) % hops
            await lecturer.post(f"/p/{sid}/at/{k}")  # the lecturer steps by hand
            made[len(made) + 1] = time.perf_counter()
            await asyncio.sleep(max(0.0, begin + len(made) / rate - time.perf_counter()))
        await asyncio.sleep(min(2.0, settle_s(followers)))
        rss = rss_kib(SERVER_PID)
        stop.set()
        delivered = sum(await asyncio.gather(*tasks))
    first = min(min(r) for r in received if r) if any(received) else 0
    if os.environ.get("FANOUT_DEBUG"):
        print("versions seen by follower 0:", sorted(received[0])[:20], "first", first)
    late, lost = [], 0
    for r in received:
        for n, at in made.items():
            got = r.get(first + n)
            if got is None:
                lost += 1
            else:
                late.append(got - at)
    del version
    return {
        "p50_ms": statistics.median(late) * 1000 if late else float("nan"),
        "p99_ms": statistics.quantiles(late, n=100)[98] * 1000 if len(late) > 100 else float("nan"),
        "lost": lost,
        "changes": len(made),
        "rss_kib": rss,
        "events_per_s": delivered / seconds,
    }


async def run_bare(port: int, followers: int, seconds: float) -> float:
    stop = asyncio.Event()
    received = [dict() for _ in range(followers)]  # type: ignore[var-annotated]
    tasks = [asyncio.create_task(follower(port, "/stream", r, stop)) for r in received]
    await asyncio.sleep(settle_s(followers))
    counts_before = sum(len(r) for r in received)
    await asyncio.sleep(seconds)
    counts_after = sum(len(r) for r in received)
    stop.set()
    await asyncio.gather(*tasks)
    return (counts_after - counts_before) / seconds


SERVER_PID = 0
SETTLE_S: float | None = None


def main() -> int:
    global SERVER_PID, SETTLE_S
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=5)
    parser.add_argument(
        "--settle", type=float, help="seconds to let followers connect (default: 2 + N/200)"
    )
    args = parser.parse_args()
    SETTLE_S = args.settle
    if not 1 <= args.followers <= 5000 or not 1 <= args.seconds <= 600:
        parser.error("followers 1-5000, seconds 1-600")
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "IOVLAB_ROOM_POLL_S": "0.05",
            "IOVLAB_STREAMS_PER_CLIENT": "100000",  # every simulated student is on loopback
        }
        migrate(env)
        server, port = start("app.web.app:create_app", env)
        SERVER_PID = server.pid
        idle = rss_kib(server.pid)
        try:
            room = asyncio.run(run_room(port, args.followers, args.seconds, args.rate))
        finally:
            server.terminate()
            server.wait()
        page = 8000
        bare, bare_port = start(
            "bench.bare_sse:create_app",
            {"BARE_RATE": str(args.rate), "BARE_PAYLOAD_BYTES": str(page)},
        )
        try:
            bare_rate = asyncio.run(run_bare(bare_port, args.followers, args.seconds))
        finally:
            bare.terminate()
            bare.wait()
    per_follower = (room["rss_kib"] - idle) / args.followers
    ratio = room["events_per_s"] / bare_rate if bare_rate else float("nan")
    changes, p50, p99 = room["changes"], room["p50_ms"], room["p99_ms"]
    print(f"followers        {args.followers}, lecturer at {args.rate:g} hops/s")
    print(f"duration         {args.seconds:g} s, {changes:.0f} changes")
    print(f"lateness         p50 {p50:.1f} ms, p99 {p99:.1f} ms   (target p99 < 100 ms)")
    print(f"lost             {room['lost']:.0f} follower-changes   (target 0)")
    print(f"server RSS       {room['rss_kib'] / 1024:.1f} MiB")
    print(f"per follower     {per_follower:.1f} KiB   (target < 100 KB)")
    print(f"delivered        {room['events_per_s']:,.0f} events/s")
    print(f"bare SSE         {bare_rate:,.0f} events/s (same bytes, same clients, same rate)")
    print(f"ratio            {ratio:.2f}   (target >= 0.5)")
    met = room["p99_ms"] < 100 and room["lost"] == 0 and per_follower < 100 and ratio >= 0.5
    print("targets          " + ("met" if met else "NOT met"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
