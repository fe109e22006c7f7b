"""Every bench runs, in a tiny configuration, and prints its figures: none can rot unseen.

The two that start servers run in turn while the other two run beside them, and
each has a short timeout. The figures here are not checked against
targets: a tiny run on a shared machine says nothing about speed, only that the
bench still works from end to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bench.sse_reader import Dechunker, Hops, parse_event, read_hops
from tests.databases import POSTGRES

# one test worker runs them all, their servers in turn: each loads both cores
pytestmark = pytest.mark.xdist_group("benches")

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 120


def postgres_answers() -> bool:
    engine = create_engine(POSTGRES)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def tiny_runs() -> dict[str, list[str]]:
    # a class of 5 playing 10 hops each at the real 5 hops/s, then the bare endpoint alike
    load = ["--students", "5", "--commands", "2", "--hops", "10", "--scrubs", "1"]
    load += ["--ramp", "0.5", "--workers", "1", "--deadline", "60", "--distinct"]
    load += ["--think", "0.01-0.03"]
    costs = ["--students", "2", "--commands", "10", "--hops", "5", "--distinct"]
    return {
        "call_cost": costs if postgres_answers() else [*costs, "--sqlite"],
        "sim_throughput": ["--requests", "300", "--repeat", "1"],
        "follow_fanout": ["--followers", "3", "--seconds", "1", "--settle", "0.5"],
        "load": load if postgres_answers() else [*load, "--sqlite"],
        "worst_session": ["--budget", "3000", "--kinds", "print_io", "nic_dd"],
    }


# Benches that start servers pick a free port and bind it a few seconds later: two
# at once could take the same one. They run one after the other, beside the rest.
SERVERS_IN_TURN = ("follow_fanout", "load", "call_cost")


def start(name: str, args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, f"bench/{name}.py", *args],
        cwd=ROOT,
        env={**os.environ, "IOVLAB_BENCH_POSTGRES": POSTGRES},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def outputs() -> dict[str, subprocess.CompletedProcess[str]]:
    runs = tiny_runs()
    beside = {n: start(n, a) for n, a in runs.items() if n not in SERVERS_IN_TURN}
    done = {}
    try:
        for name in SERVERS_IN_TURN:
            done[name] = finish(start(name, runs[name]))
        done |= {name: finish(process) for name, process in beside.items()}
    finally:
        for process in beside.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return done


def figures(result: subprocess.CompletedProcess[str], *labels: str) -> dict[str, str]:
    assert "Traceback" not in result.stderr, result.stderr
    lines = {line.split("  ")[0].strip(): line for line in result.stdout.splitlines()}
    missing = [label for label in labels if label not in lines]
    assert not missing, f"missing {missing} in:\n{result.stdout}\n{result.stderr}"
    return lines


def test_sim_throughput_prints_its_rates_and_ratio(outputs):
    result = outputs["sim_throughput"]
    assert result.returncode in (0, 1)  # 1: targets not met, which a tiny run may be
    lines = figures(result, "workload", "simulate", "hops/s", "bare heap loop", "ratio")
    assert "300 requests" in lines["workload"]


def test_follow_fanout_migrates_its_database_and_prints_its_figures(outputs):
    result = outputs["follow_fanout"]
    assert result.returncode in (0, 1)
    lines = figures(
        result, "followers", "lateness", "lost", "server RSS", "delivered", "bare SSE", "ratio"
    )
    assert lines["followers"].startswith("followers        3,")


def test_call_cost_prints_the_cpu_each_kind_of_call_takes(outputs):
    result = outputs["call_cost"]
    lines = figures(result, "call", "create", "page", "command", "read", "scrub", "hop event")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "each student's own" in lines["commands"], result.stdout
    assert lines["command"].split()[1] == "20", result.stdout  # 2 students × 10 commands
    assert lines["hop event"].split()[2] == "10", result.stdout  # 2 streams × 5 hops
    server_ms = float(lines["command"].split()[3])
    assert server_ms > 0, result.stdout  # 20 commands cost the server some CPU ticks


def test_load_plays_a_tiny_class_on_the_drawn_player_beside_a_bare_endpoint(outputs):
    result = outputs["load"]
    lines = figures(
        result,
        "students",
        "load average",
        "duration",
        "API latency",
        "API p99 by time",
        "first hop",
        "hops a stream",
        "hops streamed",
        "hops lost",
        "bytes per hop",
        "errors",
        "client's pauses",
        "bare SSE",
        "ratio",
        "targets",
    )
    assert "the drawn player's events" in lines["each"], lines["each"]
    # the client collects its garbage by the clock, as a worker does, and says how long
    # it paused: several walks a second of the run, none long on a class of five
    walks = re.match(r"client's pauses +([\d,]+), longest ([\d.]+) ms", lines["client's pauses"])
    assert walks and int(walks[1].replace(",", "")) >= 5, lines["client's pauses"]
    assert "each their own, 0.01–0.03 s before each and each scrub" in lines["each"], lines["each"]
    assert "5 of 5 finished" in lines["duration"], result.stdout
    # every call is in one window of the run, and the windows run from its start
    requests = int(lines["requests"].split()[1].replace(",", "")) - 5  # the 5 streams aside
    counts = re.findall(r"\(([\d,]+)\)", lines["API p99 by time"])
    assert sum(int(c.replace(",", "")) for c in counts) == requests, result.stdout
    assert lines["API p99 by time"].split()[4].startswith("0–20"), result.stdout
    assert lines["hops streamed"].split()[2:5] == ["50", "of", "50"], result.stdout
    assert lines["hops lost"].split()[2:6] == ["0", "lost,", "0", "repeated"], result.stdout
    assert lines["errors"].split()[1] == "0", result.stdout
    assert "50 of 50 hops, 0 lost, 0 repeated, 0 errors" in lines["bare SSE"], result.stdout
    assert float(lines["ratio"].split()[1]) > 0, result.stdout
    assert result.returncode == 0, result.stdout


def test_a_think_range_gives_each_student_pauses_of_its_own_the_same_in_every_run():
    import argparse

    from bench.load import Plan, think_range

    assert think_range("3") == (3.0, None)
    assert think_range("1-5") == (1.0, 5.0)
    for wrong in ("5-1", "x", "1-", "61", "-2"):
        with pytest.raises(argparse.ArgumentTypeError):
            think_range(wrong)

    def plan(low: float, high: float | None) -> Plan:
        return Plan(500, 20, 10, 5, 4, None, 2, True, low, 600, "", 0, high)

    assert {plan(3, None).pause(i, j) for i in range(50) for j in range(20)} == {3.0}
    drawn = [plan(1, 5).pause(i, j) for i in range(50) for j in range(20)]
    assert all(1 <= p <= 5 for p in drawn)
    assert len(set(drawn)) == len(drawn)  # no two alike: the class does not think in step
    assert drawn == [plan(1, 5).pause(i, j) for i in range(50) for j in range(20)]


def test_the_load_bench_plays_a_class_that_thinks_unless_told_to_ask_back_to_back():
    """A class composes its requests: by default each pause is drawn from 1-5 s, each
    student's own; ``--think 0`` is the closed loop, each request sent on the last answer."""
    from bench.load import arguments

    class_ = arguments([])
    assert (class_.students, class_.think) == (500, (1.0, 5.0))
    assert arguments(["--think", "0"]).think == (0.0, None)
    assert arguments(["--think", "3"]).think == (3.0, None)


def test_a_stream_that_loses_or_repeats_a_hop_is_counted():
    """The check the load bench's 0 rests on: it finds a missing id and a repeated one."""
    hops = Hops(ids=[0, 1, 1, 3])
    assert hops.lost_and_repeated(0, 4) == (1, 1)
    assert Hops(ids=[0, 1, 2, 3]).lost_and_repeated(0, 4) == (0, 0)


def test_the_load_bench_reads_events_split_anywhere_across_chunks():
    """A hop event cut across HTTP chunks and socket reads is read whole, with its id."""
    event = b"id: 7\r\nevent: hop\r\ndata: <p>a</p>\r\ndata: <p>b</p>\r\nretry: 1000\r\n\r\n"
    wire = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (event[:9], event[9:]))
    for cut in range(1, len(wire)):
        dechunk = Dechunker()
        body = dechunk.feed(wire[:cut]) + dechunk.feed(wire[cut:] + b"0\r\n\r\n")
        assert body == event and dechunk.ended
    assert parse_event(event.rstrip(b"\r\n")) == ("hop", 7, b"<p>a</p>\n<p>b</p>")


def test_worst_session_prints_time_memory_and_a_command(outputs):
    result = outputs["worst_session"]
    assert result.returncode == 0, result.stderr
    lines = figures(result, "hop budget", "worst time", "worst memory", "a command", "refused")
    assert "3,000 hops" in lines["hop budget"]


def _read(writes, count, *, hold_s=0.0, stall_s=5.0):
    """What the load bench's reader makes of a server that answers with ``writes`` (a pause
    between each), holds the connection ``hold_s`` (unless the reader hangs up), and closes."""
    answered = []

    async def answer(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        for data in writes:
            writer.write(data)
            await writer.drain()
            await asyncio.sleep(0.01)
        with contextlib.suppress(TimeoutError):  # b"" once the reader hangs up
            await asyncio.wait_for(reader.read(), hold_s)
        writer.close()
        answered.append(1)

    async def run():
        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            hops = await read_hops("127.0.0.1", port, "/s", count, keep=True, stall_s=stall_s)
            while not answered:
                await asyncio.sleep(0.01)
        return hops

    return asyncio.run(run())


HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def test_the_load_bench_reads_a_stream_its_server_breaks_up_and_notes_how_it_ended():
    events = [b"id: %d\r\nevent: hop\r\ndata: <p>%d</p>\r\n\r\n" % (k, k) for k in range(3)]
    wire = HEAD + _chunk(b": ping\r\n\r\n") + b"".join(_chunk(e) for e in events)
    whole = _read([wire[:5], wire[5:70], wire[70:]], 3)
    assert whole.ids == [0, 1, 2] and whole.payloads == ["<p>0</p>", "<p>1</p>", "<p>2</p>"]
    assert whole.error == "" and whole.first_hop_s() is not None

    cut = _read([HEAD + _chunk(events[0]) + _chunk(events[1])], 3)
    assert cut.ids == [0, 1] and cut.error == "/s: closed after 2 of 3 hops"

    stalled = _read([HEAD + _chunk(events[0])], 3, hold_s=2, stall_s=0.3)
    assert stalled.ids == [0] and stalled.error == "/s: TimeoutError after 1 of 3 hops"

    refused = _read(
        [b"HTTP/1.1 429 Too Many Requests\r\ncontent-length: 9\r\n\r\n", b"slow down"], 3
    )
    assert refused.ids == [] and refused.error == "/s: HTTP/1.1 429 Too Many Requests slow down"
