"""A follower on one server process stays in step with a lecturer on another (PostgreSQL).

The workers poll a room only every 5 s here: the follower must hear of the change
through LISTEN/NOTIFY."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from ..databases import postgres_schema
from ..live_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def start_worker(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "IOVLAB_ROOM_POLL_S": "5"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.web.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/lessons", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the worker process did not start")


@pytest.fixture
def two_workers():
    with postgres_schema() as url:
        started = [start_worker(url) for _ in range(2)]
        yield [base for _, base in started]
        for process, _ in started:
            process.terminate()
            process.wait(timeout=10)


def test_a_follower_on_another_worker_follows_the_lecturer(two_workers):
    lecturer_base, follower_base = two_workers
    with httpx.Client(base_url=lecturer_base, follow_redirects=False) as lecturer:
        titles = follow_while_stepping(lecturer, follower_base)
    assert titles == ["The mapping table", "One request at a time"]


def follow_while_stepping(lecturer: httpx.Client, follower_base: str) -> list[str]:
    sid = lecturer.post("/lessons/3-partitioned/present").headers["location"].rsplit("/", 1)[1]
    lecturer.post(f"/p/{sid}/room")
    code = lecturer.get(f"/p/{sid}").text.split('class="code">')[1].split("<")[0]
    titles = []
    with httpx.stream("GET", f"{follower_base}/r/{code}/stream", timeout=20) as events:
        data = []
        for line in events.iter_lines():
            if line.startswith("data:"):
                data.append(line[5:])
            elif line == "" and data:
                event, data = "\n".join(data), []
                titles.append(event.split("<h2>")[1].split("</h2>")[0])
                if len(titles) == 1:
                    lecturer.get(f"/p/{sid}/step/2?phase=still")  # the lecturer moves on
                    moved = time.monotonic()
                else:
                    # woken by PostgreSQL's NOTIFY, not by the 5-second poll
                    assert time.monotonic() - moved < 2
                    break
    return titles
