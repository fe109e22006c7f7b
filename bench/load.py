"""A class of students at once: iovlab on PostgreSQL with 2 workers, under N concurrent sessions.

Makes a fresh schema in the local PostgreSQL, migrates it with `iovlab db upgrade`,
starts `iovlab serve --workers 2` in its own process, and runs N simulated
students on loopback, arriving over a few seconds. Each student opens a session,
issues C commands through the JSON API, reads how many hops the session has, and
streams every hop over Server-Sent Events at 4× speed. Prints requests/s, the
p50/p99 latency of the API requests and of the first streamed hop, errors,
hops lost (an id missing or repeated in a student's stream), and the server's
RSS (the supervisor and its workers). Bounded in count and time: it gives up
after --deadline seconds.

    python bench/load.py [--students 500] [--commands 20] [--ramp 10] [--deadline 600] [--sqlite]

``--sqlite`` runs on a SQLite file of its own instead (for a quick look anywhere).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live_server import free_port  # noqa: E402

POSTGRES = os.environ.get("IOVLAB_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1/test")
EVENT_ID = re.compile(rb"(?:^|\n)id: (\d+)\r?\n")
COMMANDS = [
    {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 7},
    {"op": "net_send", "guest": "vm2", "device": "nic0", "dst_ip": "192.0.2.9", "bytes": 3000},
    {"op": "key_press", "device": "kbd0", "key": "k"},
    {"op": "frame_arrives", "device": "nic0", "dst_mac": "52:54:00:00:00:01", "bytes": 600},
    {"op": "disk_read", "guest": "vm2", "device": "disk0", "block": 12, "count": 2},
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # API requests, seconds
    first_hop: list[float] = field(default_factory=list)  # stream opened → first hop
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    hops_expected: int = 0
    hops_received: int = 0
    hops_lost: int = 0
    students_done: int = 0


async def timed(tally: Tally, call, *args, expect: int, **kwargs) -> httpx.Response:
    began = time.perf_counter()
    response = await call(*args, **kwargs)
    tally.latencies.append(time.perf_counter() - began)
    tally.requests += 1
    if response.status_code != expect:
        raise RuntimeError(f"{response.request.url.path}: {response.status_code} {response.text}")
    return response


async def stream_hops(port: int, sid: str, total: int, tally: Tally) -> None:
    """Read every hop event with a bare socket (the client shares the server's cores)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /s/{sid}/stream?from=0&speed=4 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Accept: text/event-stream\r\nConnection: close\r\n\r\n".encode()
    )
    await writer.drain()
    began = time.perf_counter()
    tally.requests += 1
    seen: list[int] = []
    tail = b""
    try:
        while not seen or seen[-1] < total - 1:
            chunk = await reader.read(65536)
            if not chunk:
                break
            data = tail + chunk
            end = 0
            for match in EVENT_ID.finditer(data):
                if not seen:
                    tally.first_hop.append(time.perf_counter() - began)
                seen.append(int(match.group(1)))
                end = match.end()
            tail = data[max(end, len(data) - 32) :]
    finally:
        writer.close()
    tally.hops_expected += total
    tally.hops_received += len(seen)
    tally.hops_lost += len(set(range(total)) - set(seen)) + (len(seen) - len(set(seen)))
    if seen != list(range(total)):
        tally.errors.append(f"{sid}: stream ids out of order or missing ({len(seen)}/{total})")


async def student(
    client: httpx.AsyncClient, port: int, commands: int, delay: float, tally: Tally
) -> None:
    await asyncio.sleep(delay)
    try:
        created = await timed(
            tally, client.post, "/api/sessions", json={"scenario": "all-devices"}, expect=201
        )
        sid = created.json()["id"]
        for i in range(commands):
            command = dict(COMMANDS[i % len(COMMANDS)])
            if "block" in command:
                command["block"] = (command["block"] + i) % 4000
            await timed(
                tally, client.post, f"/api/sessions/{sid}/commands", json=command, expect=201
            )
        total = (await timed(tally, client.get, f"/api/sessions/{sid}", expect=200)).json()["hops"]
        await stream_hops(port, sid, total, tally)
        tally.students_done += 1
    except Exception as error:  # every failure is counted and shown
        tally.errors.append(f"{type(error).__name__}: {error}"[:300])


async def run_class(port: int, students: int, commands: int, ramp: float, deadline: float) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=students, max_keepalive_connections=students)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits
    ) as client:
        tasks = [
            asyncio.create_task(student(client, port, commands, ramp * i / students, tally))
            for i in range(students)
        ]
        _, pending = await asyncio.wait(tasks, timeout=deadline)
        for task in pending:
            task.cancel()
        if pending:
            tally.errors.append(f"{len(pending)} students unfinished after {deadline:g} s")
    return tally


def process_tree_rss_kib(root: int) -> int:
    """VmRSS of ``root`` and every process below it (uvicorn's supervisor and workers)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


async def sample_rss(root: int, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], process_tree_rss_kib(root))
        await asyncio.sleep(0.5)


def fresh_schema() -> tuple[str, str]:
    schema = f"iovlab_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return schema, f"{POSTGRES}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def serve(database_url: str, workers: int, hop_interval: float) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "IOVLAB_HOP_INTERVAL_S": str(hop_interval),
        # every simulated student is on loopback: one address for the whole class
        "IOVLAB_SESSIONS_PER_MINUTE": "10000",
        "IOVLAB_STREAMS_PER_CLIENT": "100000",
    }
    cli = [sys.executable, "-m", "app.cli"]
    migrated = subprocess.run([*cli, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True)
    if migrated.returncode != 0:
        raise RuntimeError(f"iovlab db upgrade failed: {migrated.stderr.decode()}")
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process, port
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("iovlab did not start")


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[p - 1]


async def measure(args: argparse.Namespace, port: int, pid: int) -> tuple[Tally, float, int, int]:
    peak = [0]
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(pid, peak, stop))
    await asyncio.sleep(0.6)
    idle = peak[0]
    began = time.perf_counter()
    tally = await run_class(port, args.students, args.commands, args.ramp, args.deadline)
    elapsed = time.perf_counter() - began
    stop.set()
    await sampler
    return tally, elapsed, idle, peak[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--commands", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which they arrive")
    parser.add_argument("--hop-interval", type=float, default=0.8, help="s per hop at 1×")
    parser.add_argument("--deadline", type=float, default=600, help="give up after (s)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    args = parser.parse_args()
    if not 1 <= args.students <= 2000 or not 0 <= args.commands <= 100:
        parser.error("students 1-2000, commands 0-100")
    with tempfile.TemporaryDirectory() as tmp:
        schema, url = ("", f"sqlite:///{tmp}/load.db") if args.sqlite else fresh_schema()
        try:
            server, port = serve(url, args.workers, args.hop_interval)
            try:
                tally, elapsed, idle, peak = asyncio.run(measure(args, port, server.pid))
            finally:
                server.terminate()
                server.wait(timeout=30)
        finally:
            if schema:
                drop_schema(schema)
    lat = tally.latencies
    database = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"students         {args.students} concurrent, arriving over {args.ramp:g} s")
    print(f"server           iovlab serve --workers {args.workers}, {database}, loopback")
    print(f"each             create, {args.commands} commands, read, stream every hop at 4×")
    print(f"duration         {elapsed:.1f} s, {tally.students_done} students finished")
    print(f"requests         {tally.requests:,} ({tally.requests / elapsed:,.1f} requests/s)")
    print(
        f"API latency      p50 {percentile(lat, 50) * 1000:.1f} ms, "
        f"p99 {percentile(lat, 99) * 1000:.1f} ms"
    )
    print(
        f"first hop        p50 {percentile(tally.first_hop, 50) * 1000:.1f} ms, "
        f"p99 {percentile(tally.first_hop, 99) * 1000:.1f} ms"
    )
    print(
        f"hops streamed    {tally.hops_received:,} of {tally.hops_expected:,} "
        f"({tally.hops_received / elapsed:,.0f} hops/s)"
    )
    print(f"hops lost        {tally.hops_lost}   (target 0)")
    print(f"errors           {len(tally.errors)}   (target 0)")
    for error in tally.errors[:5]:
        print(f"                 {error}")
    print(
        f"server RSS       {peak / 1024:.0f} MiB at peak ({idle / 1024:.0f} MiB idle), "
        f"{(peak - idle) / max(args.students, 1):.0f} KiB per student"
    )
    met = not tally.errors and tally.hops_lost == 0 and tally.students_done == args.students
    print("targets          " + ("met" if met else "NOT met"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
