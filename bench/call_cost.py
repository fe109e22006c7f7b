"""What each call a student makes costs the machine: CPU of the server and of PostgreSQL.

One student at a time, so no call waits for another: the figures are the work itself,
the floor under every latency ``bench/load.py`` sees when a class shares two cores. For
each kind of call (open a session, load its page, issue a command, read it, fetch a hop's
whole diagram) and for a hop event of a stream, it prints the wall time and the CPU the
server's processes and the database's processes spent, per call. PostgreSQL's share is
read from /proc for every process named ``postgres`` (this machine's server; pass
``--sqlite`` to leave it out).

    python bench/call_cost.py [--students 20] [--commands 20] [--hops 100] [--distinct] [--sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load_servers as servers  # noqa: E402
from bench.load import command  # noqa: E402
from bench.sse_reader import read_hops  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pids: Iterable[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICK


def _postgres() -> list[int]:
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                pids.append(int(comm.parent.name))
        except OSError:
            continue
    return pids


class Meter:
    """Wall time and CPU (server, database) spent by the calls of each kind."""

    def __init__(self, server: int, sqlite: bool) -> None:
        self.server = server
        self.sqlite = sqlite
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
        self.count: dict[str, int] = defaultdict(int)

    def _now(self) -> tuple[float, float]:
        database = 0.0 if self.sqlite else _cpu_s(_postgres())
        return _cpu_s(servers.process_tree(self.server)), database

    @contextmanager
    def measure(self, kind: str, calls: int = 1) -> Iterator[None]:
        before, began = self._now(), time.perf_counter()
        yield
        self.wall[kind] += time.perf_counter() - began
        after = self._now()
        server, database = self.cpu[kind]
        self.cpu[kind] = (server + after[0] - before[0], database + after[1] - before[1])
        self.count[kind] += calls

    def report(self) -> None:
        columns = ("calls", 7), ("wall ms", 10), ("server CPU ms", 15), ("database CPU ms", 17)
        print(f"{'call':<14}" + "".join(f"{name:>{width}}" for name, width in columns))
        for kind, n in self.count.items():
            server, database = self.cpu[kind]
            print(
                f"{kind:<14}{n:>7}{self.wall[kind] / n * 1000:>10.1f}"
                f"{server / n * 1000:>15.2f}{database / n * 1000:>17.2f}"
            )


def _checked(answer: httpx.Response) -> httpx.Response:
    if answer.status_code not in (200, 201):
        raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text[:200]}")
    return answer


async def students(port: int, meter: Meter, args: argparse.Namespace) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        sids: list[tuple[str, dict[str, str]]] = []
        with meter.measure("create", args.students):
            for _ in range(args.students):
                new = {"scenario": "all-devices"}
                made = _checked(await client.post("/api/sessions", json=new)).json()
                sids.append((made["id"], {"Authorization": f"Bearer {made['token']}"}))
        with meter.measure("page", args.students):
            for sid, owner in sids:
                _checked(await client.get(f"/s/{sid}", headers=owner))
        with meter.measure("command", args.students * args.commands):
            for i, (sid, owner) in enumerate(sids):
                for j in range(args.commands):
                    url = f"/api/sessions/{sid}/commands"
                    chosen = command(j, i if args.distinct else 0)
                    _checked(await client.post(url, json=chosen, headers=owner))
        with meter.measure("read", args.students):
            for sid, owner in sids:
                _checked(await client.get(f"/api/sessions/{sid}", headers=owner))
        with meter.measure("scrub", args.students):
            for sid, owner in sids:
                url = f"/s/{sid}/hops/{args.hops // 2}?full=1&profile=laptop"
                htmx = {"HX-Request": "true", **owner}
                _checked(await client.get(url, headers=htmx))
        # the streams at once, as fast as the player's fastest speed sends them
        with meter.measure("hop event", args.students * args.hops):
            query = f"format=hops&profile=laptop&from=0&until={args.hops - 1}&speed=4"
            streams = [
                read_hops("127.0.0.1", port, f"/s/{sid}/stream?{query}", args.hops, headers=owner)
                for sid, owner in sids
            ]
            for hops in await asyncio.gather(*streams):
                if hops.error or len(hops.ids) != args.hops:
                    raise RuntimeError(f"a stream: {hops.error or len(hops.ids)} hops")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--commands", type=int, default=20)
    parser.add_argument("--hops", type=int, default=100, help="hops each stream carries")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="each student's commands its own: no trace, film or hop event is shared",
    )
    args = parser.parse_args()
    if not 1 <= args.students <= 500 or not 1 <= args.commands <= 100 or args.hops < 1:
        parser.error("students 1-500, commands 1-100, hops at least 1")
    with (
        tempfile.TemporaryDirectory() as tmp,
        servers.fresh_database(Path(tmp), args.sqlite) as database,
        servers.iovlab(database, 1, 0.8) as (port, pid),
    ):
        meter = Meter(pid, args.sqlite)
        asyncio.run(students(port, meter, args))
    where = "SQLite" if args.sqlite else "PostgreSQL"
    whose = "each student's own" if args.distinct else "the same for every student"
    print(f"iovlab serve --workers 1 on {where}, one call at a time (streams at once)")
    print(f"commands         {args.commands} a student, {whose}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    meter.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
