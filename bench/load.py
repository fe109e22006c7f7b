"""A class at once: N students on the drawn player, and a bare SSE endpoint in the same run.

Deploys iovlab as ``make run`` does — a fresh PostgreSQL schema (or, with ``--sqlite``,
a SQLite file), ``iovlab db upgrade``, ``iovlab serve --workers 2`` — or takes a running
one (``--url``). N students arrive over ``--ramp`` seconds on loopback, each on a connection
of their own (kept alive, as a browser keeps one); each does what a student does:

- opens a session of ``all-devices`` through the API, and loads its page;
- issues C requests through the API (as its owner, with the token it was given), each after
  ``--think`` seconds (or a time drawn from a range, its own: a class does not think in step;
  by default 1-5, and ``0`` a closed loop), and reads the session;
- plays it: streams its hops as the drawn player does (``format=hops&profile=laptop``),
  at the speed that makes the server send ``--rate`` hops a second, every id checked;
- scrubs to S hops (each the whole diagram at that hop, as the page asks for it).

Then a bare SSE endpoint (``bench/bare_hops.py``, as many workers) sends the very hop
events a student's stream carried, at the same rate, to as many clients arriving alike.
Prints the machine's load average before and after, API p50/p99 (per call, and p99 by
20 s of the run), the first hop's p50/p99, hops a second per stream (median, p5) for
both, hops lost or repeated, bytes per hop event, errors, the server's RSS, and the ratio
of iovlab's median hops/s per stream to the bare endpoint's. Exits 1 on an error or a hop
lost or repeated (with ``--strict``, on a target missed too); gives up after
``--deadline`` s.

    python bench/load.py [--students 500] [--commands 20] [--rate 5] [--hops N] [--scrubs 2]
                         [--distinct] [--think 1-5 | --think 3 | --think 0] [--ramp 10]
                         [--workers 2] [--sqlite | --url http://host:port]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import ssl
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.web.platform import collector  # noqa: E402
from bench import load_servers as servers  # noqa: E402
from bench import pauses  # noqa: E402
from bench.load_report import CALLS, loads, report  # noqa: E402
from bench.sse_reader import Hops, read_hops  # noqa: E402

COMMANDS: list[dict[str, str | int]] = [
    {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 7},
    {"op": "net_send", "guest": "vm2", "device": "nic0", "dst_ip": "192.0.2.9", "bytes": 3000},
    {"op": "key_press", "device": "kbd0", "key": "k"},
    {"op": "frame_arrives", "device": "nic0", "dst_mac": "52:54:00:00:00:01", "bytes": 600},
    {"op": "disk_read", "guest": "vm2", "device": "disk0", "block": 12, "count": 2},
]
# the player's speeds (app/web/render.py), not imported: the client stays light beside the server
SPEEDS = (0.25, 4.0)


@dataclass(frozen=True)
class Plan:
    students: int
    commands: int
    ramp: float
    rate: float  # hops a second the server is to send each stream
    speed: float  # the player's speed that makes it so
    hops: int | None  # at most this many hops a stream (None: every hop)
    scrubs: int
    distinct: bool  # each student's commands their own (else the whole class issues the same)
    think: float  # seconds a student takes to compose each command (at least)
    deadline: float
    host: str
    port: int
    think_to: float | None  # with a range, at most: each pause of each student drawn from it

    def arrival(self, i: int) -> float:
        return self.ramp * i / self.students

    def pause(self, i: int, j: int) -> float:
        """How long student ``i`` thinks before its ``j``-th step: ``think``, or with a range
        a draw from it, the same in every run (seeded by the student and the step)."""
        if self.think_to is None:
            return self.think
        return random.Random(f"{i}:{j}").uniform(self.think, self.think_to)


def think_range(text: str) -> tuple[float, float | None]:
    """``--think``: ``3`` (seconds, every time) or ``1-5`` (each pause drawn from between)."""
    low, dash, high = text.partition("-")
    try:
        bounds = (float(low), float(high) if dash else None)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: seconds, or a range such as 1-5") from None
    if not 0 <= bounds[0] <= (bounds[1] if bounds[1] is not None else bounds[0]) <= 60:
        raise argparse.ArgumentTypeError(f"{text!r}: 0 to 60 s, the lower bound first")
    return bounds


@dataclass
class Tally:
    calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    streams: list[Hops] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lost: int = 0
    repeated: int = 0
    expected: int = 0
    finished: int = 0
    per_stream: int = 0  # hops each stream is to carry (every student's session is alike)
    sessions: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # one stream's hop events, for the bare one
    elapsed: float = 0.0
    began: float = 0.0  # perf_counter when the first student was let in
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (sent at, took) a call
    rss_idle: int = 0
    rss_peak: int = 0
    pauses_ms: list[float] = field(default_factory=list)  # the client's own collections

    def streamed(self, hops: Hops, count: int) -> bool:
        self.streams.append(hops)
        self.expected += count
        lost, repeated = hops.lost_and_repeated(0, count)
        self.lost += lost
        self.repeated += repeated
        if hops.error:
            self.errors.append(hops.error)
        elif hops.ids != list(range(count)):
            self.errors.append(f"hop ids out of order: {hops.ids[:12]}…")
        return not hops.error

    def latencies(self) -> list[float]:
        return [s for kind in CALLS for s in self.calls.get(kind, [])]

    def rates(self) -> list[float]:
        return [r for r in (h.rate() for h in self.streams) if r is not None]

    def first_hops(self) -> list[float]:
        return [f for f in (h.first_hop_s() for h in self.streams) if f is not None]

    def received(self) -> int:
        return sum(len(h.ids) for h in self.streams)


class NoCookies(DefaultCookiePolicy):
    """Each student proves it owns its session with its token: no cookie shared by them all."""

    def set_ok(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return False


def command(j: int, student: int = 0) -> dict[str, str | int]:
    """The j-th request a student issues: the five kinds in turn, each block a new one.
    ``student`` moves the blocks, so students given different numbers make different
    sessions (and nothing of one student's trace is another's)."""
    chosen = dict(COMMANDS[j % len(COMMANDS)])
    if "block" in chosen:
        chosen["block"] = (int(chosen["block"]) + j + 97 * student) % 4000
    return chosen


async def call(
    tally: Tally, kind: str, send: Callable[..., Awaitable[httpx.Response]], url: str, **kw: Any
) -> httpx.Response:
    began = time.perf_counter()
    response = await send(url, **kw)
    took = time.perf_counter() - began
    tally.calls[kind].append(took)
    tally.timeline.append((began - tally.began, took))
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{kind} {url}: {response.status_code} {response.text[:200]}")
    return response


async def student(
    i: int, browser: Callable[[], httpx.AsyncClient], plan: Plan, tally: Tally
) -> None:
    await asyncio.sleep(plan.arrival(i))
    async with browser() as client:
        await _study(i, client, plan, tally)


async def _study(i: int, client: httpx.AsyncClient, plan: Plan, tally: Tally) -> None:
    try:
        new = {"json": {"scenario": "all-devices"}}
        created = (await call(tally, "create", client.post, "/api/sessions", **new)).json()
        sid = created["id"]
        tally.sessions.append(sid)
        owner = {"Authorization": f"Bearer {created['token']}"}
        await call(tally, "page", client.get, created["url"], headers=owner)
        for j in range(plan.commands):
            await asyncio.sleep(plan.pause(i, j))
            url = f"/api/sessions/{sid}/commands"
            chosen = command(j, i if plan.distinct else 0)
            await call(tally, "command", client.post, url, json=chosen, headers=owner)
        read = await call(tally, "read", client.get, f"/api/sessions/{sid}", headers=owner)
        total = read.json()["hops"]
        count = total if plan.hops is None else min(plan.hops, total)
        tally.per_stream = count
        query = f"format=hops&profile=laptop&from=0&until={count - 1}&speed={plan.speed:g}"
        path = f"/s/{sid}/stream?{query}"
        hops = await read_hops(plan.host, plan.port, path, count, headers=owner, keep=i == 0)
        if i == 0:
            tally.kept = hops.payloads
        complete = tally.streamed(hops, count)
        for s in range(plan.scrubs):
            if plan.think_to is not None:  # a student looks before scrubbing, as long as they do
                await asyncio.sleep(plan.pause(i, plan.commands + s))
            url = f"/s/{sid}/hops/{(s + 1) * total // (plan.scrubs + 1)}?full=1&profile=laptop"
            await call(tally, "scrub", client.get, url, headers={"HX-Request": "true", **owner})
        tally.finished += complete
    except Exception as error:  # every failure is counted and shown
        tally.errors.append(f"{type(error).__name__}: {error}"[:300])


async def bare_student(i: int, plan: Plan, tally: Tally) -> None:
    await asyncio.sleep(plan.arrival(i))
    count = tally.per_stream
    hops = await read_hops(plan.host, plan.port, f"/stream?hops={count}", count)
    tally.finished += tally.streamed(hops, count)


async def run_class(
    plan: Plan, tally: Tally, pid: int | None, one: Callable[[int], Coroutine[Any, Any, None]]
) -> None:
    watch = servers.RssWatch(pid)
    sampler = asyncio.create_task(watch.run())
    began = tally.began = time.perf_counter()
    tasks = [asyncio.create_task(one(i)) for i in range(plan.students)]
    # the clients collect their garbage as a serving worker does: by the clock, and never
    # all they hold during a run. A pause of theirs would be counted as the server's
    # latency: collected as Python does, the young walks of 500 readers took ~150 ms
    with pauses.watching(tally):
        async with collector.scheduled(full_collect_s=24 * 3600):
            _, pending = await asyncio.wait(tasks, timeout=plan.deadline)
    for task in pending:
        task.cancel()
    if pending:
        tally.errors.append(f"{len(pending)} students unfinished after {plan.deadline:g} s")
    tally.elapsed = time.perf_counter() - began
    watch.stop()
    await sampler
    tally.rss_idle, tally.rss_peak = watch.idle, watch.peak


async def iovlab_class(plan: Plan, pid: int | None) -> Tally:
    tally = Tally()
    base = f"http://{plan.host}:{plan.port}"
    # each student's calls on a connection of their own, kept alive, as a browser does: a
    # pool shared by the class would send one student's calls to every worker by turns
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    tls = ssl.create_default_context()  # made once: a client making its own takes 40 ms

    def browser() -> httpx.AsyncClient:
        cookies = CookieJar(policy=NoCookies())
        return httpx.AsyncClient(
            base_url=base, timeout=120, limits=one, cookies=cookies, verify=tls
        )

    await run_class(plan, tally, pid, lambda i: student(i, browser, plan, tally))
    async with browser() as client:
        if tally.sessions and len(tally.kept) < tally.per_stream:
            # the first student's stream broke off: the same events, asked for one by one
            sid = tally.sessions[0]
            tally.kept = [
                (await client.get(f"/s/{sid}/hops/{k}?profile=laptop")).text
                for k in range(tally.per_stream)
            ]
    return tally


async def bare_class(plan: Plan, pid: int, count: int) -> Tally:
    tally = Tally(per_stream=count)
    await run_class(plan, tally, pid, lambda i: bare_student(i, plan, tally))
    return tally


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--commands", type=int, default=20, help="API requests each issues")
    parser.add_argument("--rate", type=float, default=5, help="hops/s the server sends a stream")
    parser.add_argument("--hops", type=int, help="stream at most this many hops (default: all)")
    parser.add_argument("--scrubs", type=int, default=2, help="hops each scrubs to after playing")
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="each student issues commands of its own (default: the class issues the same)",
    )
    parser.add_argument(
        "--think",
        type=think_range,
        default=(1.0, 5.0),
        help="seconds a student takes before each command: 3, or 1-5 (the default) for each "
        "pause drawn from between (students differ, as a class does; then before each scrub "
        "too); 0 sends each request the moment the last is answered, a test of the server's "
        "throughput rather than a class",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which they arrive")
    parser.add_argument(
        "--hop-interval", type=float, default=0.8, help="the server's s per hop at 1× speed"
    )
    parser.add_argument("--deadline", type=float, default=600, help="give up after (s)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument("--url", help="a running iovlab (its rate limits must allow the class)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    speed = args.rate * args.hop_interval
    if not 1 <= args.students <= 2000 or not 0 <= args.commands <= 100:
        parser.error("students 1-2000, commands 0-100")
    if not min(SPEEDS) <= speed <= max(SPEEDS):
        parser.error(f"rate × hop interval is the player's speed: {min(SPEEDS)} to {max(SPEEDS)}")
    if (args.hops is not None and args.hops < 1) or args.scrubs < 0:
        parser.error("hops at least 1, scrubs at least 0")
    if args.url and args.sqlite:
        parser.error("--url and --sqlite: the server at --url has its own database")
    args.speed = speed
    return args


def main() -> int:
    args = arguments()
    speed = args.speed

    def plan_at(host: str, port: int) -> Plan:
        return Plan(
            args.students, args.commands, args.ramp, args.rate, speed, args.hops, args.scrubs,
            args.distinct, args.think[0], args.deadline, host, port, args.think[1],
        )  # fmt: skip

    before = loads()
    with tempfile.TemporaryDirectory() as tmp:
        if args.url:
            target = urlsplit(args.url)
            host, port = target.hostname or "127.0.0.1", target.port or 80
            ours = asyncio.run(iovlab_class(plan_at(host, port), None))
        else:
            with (
                servers.fresh_database(Path(tmp), args.sqlite) as database,
                servers.iovlab(database, args.workers, args.hop_interval) as (port, pid),
            ):
                ours = asyncio.run(iovlab_class(plan_at("127.0.0.1", port), pid))
        if ours.kept:
            events = Path(tmp, "hops.json")
            events.write_text(json.dumps(ours.kept))
            with servers.bare(events, args.rate, args.workers) as (port, pid):
                bare = asyncio.run(bare_class(plan_at("127.0.0.1", port), pid, ours.per_stream))
        else:
            bare = Tally(errors=["no student's stream to replay"])
    met = report(args, plan_at("", 0), ours, bare, f"before {before}; after {loads()}")
    sound = not ours.errors and not bare.errors and not ours.lost and not ours.repeated
    sound = sound and ours.finished == args.students
    return 0 if sound and (met or not args.strict) else 1


if __name__ == "__main__":
    sys.exit(main())
