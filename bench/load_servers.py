"""The servers the load bench starts: iovlab on a database of its own, and the bare endpoint.

iovlab is deployed as ``make run`` does it — ``iovlab db upgrade``, then ``iovlab serve``
— on a fresh PostgreSQL schema (dropped afterwards) or a SQLite file. The bare endpoint
runs under uvicorn with as many workers. Both are watched for their RSS (the supervisor
and every worker below it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("IOVLAB_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1/test")


@contextmanager
def fresh_database(folder: Path, sqlite: bool) -> Iterator[str]:
    """A database URL nobody else uses: a new schema in PostgreSQL, or a SQLite file."""
    if sqlite:
        yield f"sqlite:///{folder}/load.db"
        return
    schema = f"iovlab_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(process: subprocess.Popen[bytes], port: int, name: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not start")


@contextmanager
def _running(command: list[str], env: dict[str, str], name: str) -> Iterator[tuple[int, int]]:
    port = free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(process, port, name)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def iovlab(database_url: str, workers: int, hop_interval: float) -> Iterator[tuple[int, int]]:
    """iovlab migrated and serving: (port, pid of its supervisor)."""
    env = {
        "DATABASE_URL": database_url,
        "IOVLAB_HOP_INTERVAL_S": str(hop_interval),
        # every simulated student is on loopback: one address for the whole class
        "IOVLAB_SESSIONS_PER_MINUTE": "10000",
        "IOVLAB_STREAMS_PER_CLIENT": "100000",
    }
    cli = [sys.executable, "-m", "app.cli"]
    migrated = subprocess.run(
        [*cli, "db", "upgrade"], cwd=ROOT, env={**os.environ, **env}, capture_output=True
    )
    if migrated.returncode != 0:
        raise RuntimeError(f"iovlab db upgrade failed: {migrated.stderr.decode()}")
    with _running([*cli, "serve", "--workers", str(workers)], env, "iovlab") as served:
        yield served


@contextmanager
def bare(payloads: Path, rate: float, workers: int) -> Iterator[tuple[int, int]]:
    """bench/bare_hops.py under uvicorn: (port, pid of its supervisor)."""
    command = [sys.executable, "-m", "uvicorn", "bench.bare_hops:create_app", "--factory"]
    command += ["--workers", str(workers), "--log-level", "warning"]
    env = {"BARE_HOPS_FILE": str(payloads), "BARE_HOPS_RATE": str(rate)}
    with _running(command, env, "the bare SSE endpoint") as served:
        yield served


def process_tree(root: int) -> set[int]:
    """``root`` and every process below it (uvicorn's supervisor and workers)."""
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
    return tree


def tree_rss_kib(root: int) -> int:
    """VmRSS of ``root`` and every process below it."""
    total = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


class RssWatch:
    """The RSS of a server's process tree, idle (when asked) and at its peak while watched."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.idle = self.peak = 0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        if self.pid is None:
            return
        self.idle = tree_rss_kib(self.pid)
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_kib(self.pid))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 0.5)

    def stop(self) -> None:
        self._stop.set()
