"""Every bench runs, in a tiny configuration, and prints its figures: none can rot unseen.

The two that start servers run in turn while the other two run beside them, and
each has a short timeout. The figures here are not checked against
targets: a tiny run on a shared machine says nothing about speed, only that the
bench still works from end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bench.sse_reader import Dechunker, Hops, parse_event
from tests.databases import POSTGRES

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
    load += ["--think", "0.01"]
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
        "first hop",
        "hops a stream",
        "hops streamed",
        "hops lost",
        "bytes per hop",
        "errors",
        "bare SSE",
        "ratio",
        "targets",
    )
    assert "the drawn player's events" in lines["each"], lines["each"]
    assert "each their own, 0.01 s before each" in lines["each"], lines["each"]
    assert "5 of 5 finished" in lines["duration"], result.stdout
    assert lines["hops streamed"].split()[2:5] == ["50", "of", "50"], result.stdout
    assert lines["hops lost"].split()[2:6] == ["0", "lost,", "0", "repeated"], result.stdout
    assert lines["errors"].split()[1] == "0", result.stdout
    assert "50 of 50 hops, 0 lost, 0 repeated, 0 errors" in lines["bare SSE"], result.stdout
    assert float(lines["ratio"].split()[1]) > 0, result.stdout
    assert result.returncode == 0, result.stdout


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
