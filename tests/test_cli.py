import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.sim import LEVELS as CORE_LEVELS

ROOT = Path(__file__).resolve().parents[1]
ALL = str(ROOT / "scenarios" / "all-devices.yaml")
LEVELS = str(ROOT / "scenarios" / "levels.yaml")
runner = CliRunner()


def test_validate_accepts_a_shipped_scenario():
    result = runner.invoke(app, ["validate", ALL])
    assert result.exit_code == 0
    assert "ok" in result.output


def test_validate_exits_2_with_one_line_per_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\n"
        "guests:\n"
        "  - {id: vm1, os: linux, mac: '52:54:00:00:00:01', ip: 10.0.0.1}\n"
        "devices:\n"
        "  - {id: kbd0, type: keyboard, owner: vm9}\n"
        "  - {id: disk0, type: disk, blocks: 128, geometry: {heads: 2, sectors_per_track: 32},\n"
        "     partitions: [{guest: vm1, start: 0, blocks: 200}]}\n"
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"{bad}: devices[0].owner: unknown guest 'vm9' (known: vm1)",
        f"{bad}: devices[1].partitions[0]: blocks 0-199 reach past the end of disk0 (blocks 0-127)",
    ]


def test_validate_a_missing_file_exits_2():
    result = runner.invoke(app, ["validate", "no/such/file.yaml"])
    assert result.exit_code == 2
    assert "cannot read the file" in result.stderr


def test_trace_text_prints_one_line_per_hop():
    result = runner.invoke(app, ["trace", ALL])
    assert result.exit_code == 0
    as_json = json.loads(runner.invoke(app, ["trace", ALL, "--format", "json"]).output)
    hop_lines = [line for line in result.output.splitlines() if line[:5].strip().isdigit()]
    assert len(hop_lines) == len(as_json["hops"])


def test_trace_json_has_the_documented_shape():
    result = runner.invoke(app, ["trace", ALL, "--format", "json", "--level", "io_operation"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert set(doc) == {"scenario", "level", "hops", "requests"}
    assert doc["level"] == "io_operation"
    assert set(doc["hops"][0]) == {
        "seq",
        "request",
        "t_us",
        "stage",
        "actor",
        "guest",
        "device",
        "category",
        "level",
        "summary",
        "detail",
    }
    assert set(doc["requests"][0]) == {
        "id",
        "guest",
        "device",
        "op",
        "status",
        "traps",
        "overhead_us",
        "device_us",
        "latency_us",
    }
    assert {r["op"] for r in doc["requests"]} >= {"print", "print_out", "key_read"}


def test_trace_rejects_an_unknown_level():
    result = runner.invoke(app, ["trace", ALL, "--level", "hypercall"])
    assert result.exit_code == 2


def test_trace_level_choices_are_exactly_the_levels_of_the_core():
    for level in CORE_LEVELS:
        result = runner.invoke(app, ["trace", ALL, "--level", level, "--format", "json"])
        assert result.exit_code == 0, level
        doc = json.loads(result.output)
        assert doc["level"] == level and {h["level"] for h in doc["hops"]} == {level}
    refused = runner.invoke(app, ["trace", ALL, "--level", "hypercall"])
    offered = [name for name in re.findall(r"'(\w+)'", refused.output) if name != "hypercall"]
    assert offered == list(CORE_LEVELS)


def test_compare_shows_every_level_for_every_kind_of_request():
    result = runner.invoke(app, ["compare", ALL])
    assert result.exit_code == 0
    header = result.output.splitlines()[1]
    assert all(level in header for level in ("io_operation", "device_driver", "system_call"))
    disk_write = next(line for line in result.output.splitlines() if line.startswith("disk_write"))
    # op on device, n, then per level: refused, traps, overhead, device time, latency
    cells = disk_write.split()
    traps = [float(cells[i]) for i in (5, 10, 15)]
    assert traps == [9.0, 1.0, 1.0]
    # the disk's own time: at least a seek-free transfer of one sector (260 µs), and it
    # differs by level because the platter has turned on by the time the command arrives
    assert all(float(cells[i]) >= 260 for i in (7, 12, 17))


def test_compare_json_has_the_documented_shape_with_means_over_ok_requests():
    result = runner.invoke(app, ["compare", LEVELS, "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["scenario"] == "Where the VMM catches a request"
    assert list(doc["levels"]) == ["io_operation", "device_driver", "system_call", "native"]
    keys = ["op", "device", "requests", "ok", "refused"]
    keys += ["traps", "overhead_us", "device_us", "latency_us"]
    for level, entries in doc["levels"].items():
        fraction = [] if level == "native" else ["overhead_fraction"]
        assert all(list(entry) == keys + fraction for entry in entries)
    assert all(entry["traps"] in (0, None) for entry in doc["levels"]["native"])
    # 1,500 bytes natively: 13 µs on the wire; the device-driver level adds 3 µs
    (send,) = [e for e in doc["levels"]["device_driver"] if e["op"] == "net_send"]
    assert send["overhead_fraction"] == 3 / 13
    assert doc["overhead_fraction"]["shared"]["device_driver"] == 3 / 13
    (write,) = [e for e in doc["levels"]["system_call"] if e["op"] == "disk_write"]
    assert (write["requests"], write["ok"], write["refused"]) == (2, 1, 1)
    assert (write["traps"], write["overhead_us"]) == (1.0, 5.0)


@pytest.mark.parametrize("command", ["validate", "trace", "compare"])
def test_a_scenario_past_the_hop_budget_is_one_line_and_exit_2(command, monkeypatch):
    monkeypatch.setenv("IOVLAB_MAX_HOPS", "50")
    result = runner.invoke(app, [command, ALL])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{ALL}: workload[")
    assert "would make more than 50 hops (the budget)" in line
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("deep.yaml", "[" * 2000, "line 1, column 33: not valid YAML (nested more than 32 levels"),
        ("deep.json", "[" * 2000, "line 1, column 33: nested more than 32 levels deep"),
        ("long.yaml", "name: x\nseed: " + "7" * 5000, "seed: a number of 5,000 digits"),
        ("nul.yaml", "name: x\x00\n", "line 1, column 8: not valid YAML (character U+0000"),
        ("nul.json", '{"name": "x\\u0000"}', "name: contains a NUL character"),
        ("inf.json", '{"name": "x", "seed": Infinity}', "seed: inf is not a finite number"),
        ("nan.yaml", "name: x\nseed: .nan\n", "seed: nan is not a finite number"),
    ],
)
def test_validate_prints_one_line_and_exits_2_on_hostile_text(tmp_path, name, text, problem):
    path = tmp_path / name
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{path}: {problem}")


def test_iovlab_serve_keeps_a_students_idle_connection_open_past_five_seconds(tmp_path):
    """A student's next request comes seconds after the last; a connection the server closes
    as the request is sent fails it in a client that does not retry."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx2 as httpx

    from .databases import sqlite_url
    from .live_server import free_port

    port = free_port()
    env = {**os.environ, "DATABASE_URL": sqlite_url(tmp_path)}
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    ask = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(ask)
            assert _response(connection).startswith(b"HTTP/1.1 200")
            time.sleep(6)  # uvicorn's own default closes an idle connection after 5 s
            connection.sendall(ask)
            assert _response(connection).startswith(b"HTTP/1.1 200")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _response(connection) -> bytes:
    """One whole HTTP response: its head and body may arrive in separate reads."""
    import re

    got = b""
    while b"\r\n\r\n" not in got:
        chunk = connection.recv(65536)
        if not chunk:
            return got
        got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
