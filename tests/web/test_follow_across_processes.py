"""A follower on one server process stays in step with a lecturer on another (PostgreSQL).

The workers poll a room only every 5 s here: the follower must hear of the change
through LISTEN/NOTIFY."""

import time

import httpx2 as httpx
import pytest

from ..databases import postgres_schema
from ..server_process import ServerProcess


@pytest.fixture
def two_workers():
    with (
        postgres_schema() as url,
        ServerProcess(url, IOVLAB_ROOM_POLL_S="5") as one,
        ServerProcess(url, IOVLAB_ROOM_POLL_S="5") as other,
    ):
        yield [one.base, other.base]


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
                    lecturer.post(
                        f"/p/{sid}/step/2", data={"phase": "still"}
                    )  # the lecturer moves on
                    moved = time.monotonic()
                else:
                    # woken by PostgreSQL's NOTIFY, not by the 5-second poll
                    assert time.monotonic() - moved < 2
                    break
    return titles
