"""kill -9 in the middle of work, on a real uvicorn process: everything the server acknowledged
before it died is there after the restart — a session's commands and cursor, a live room's
step and answers, the attempts of an exercise — and nothing is half-written."""

import json
import re
import threading
import time

import httpx2 as httpx
import pytest
from sqlmodel import Session, select

from app.store.accounts import add_instructor
from app.store.db import make_engine
from app.store.models import AnswerRow, AttemptRow

from ..server_process import ServerProcess
from .test_exercises import PASSWORD, create_exercise, sign_in
from .test_outage import ANSWERS

LIMITS = {"IOVLAB_SESSIONS_PER_MINUTE": "10000", "IOVLAB_HOP_INTERVAL_S": "0.01"}


@pytest.fixture
def server(database_url):
    process = ServerProcess(database_url, **LIMITS).start()
    yield process
    process.stop()


def play_to(base, sid, k, owner):
    """The owner plays hops 0..k (their stream), and the server saves their place."""
    params = {"from": 0, "until": k}
    with httpx.stream("GET", f"{base}/s/{sid}/stream", params=params, headers=owner) as r:
        for line in r.iter_lines():
            if line == f"id: {k}":
                break
    deadline = time.monotonic() + 10
    while httpx.get(f"{base}/api/sessions/{sid}").json()["cursor"] != k:
        assert time.monotonic() < deadline, "the owner's place was not saved"
        time.sleep(0.02)


def restart(server):
    """kill -9, then start again on the same port and database."""
    server.kill()
    return server.start()


class Burst:
    """Sends requests one after another from a thread until the server stops answering;
    ``acknowledged`` holds what the server confirmed."""

    def __init__(self, send):
        self.send = send
        self.acknowledged = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        i = 0
        while True:
            try:
                confirmed = self.send(i)
            except httpx.TransportError:
                return  # the server is gone
            if confirmed is not None:
                self.acknowledged.append(confirmed)
            i += 1

    def __enter__(self):
        self.thread.start()
        return self

    def wait_for(self, count):
        deadline = time.monotonic() + 30
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.acknowledged) >= count, "the server acknowledged too little"

    def __exit__(self, *exc):
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()


def test_kill_9_mid_session_keeps_every_acknowledged_command_and_the_cursor(server):
    base = server.base
    session = httpx.post(f"{base}/api/sessions", json={"scenario": "all-devices"}).json()
    sid, owner = session["id"], {"Authorization": f"Bearer {session['token']}"}
    play_to(base, sid, 9, owner)

    def write_block(i):
        command = {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": i}
        url = f"{base}/api/sessions/{sid}/commands"
        response = httpx.post(url, json=command, timeout=5, headers=owner)
        return i if response.status_code == 201 else None

    with Burst(write_block) as burst:
        burst.wait_for(15)
        server.kill()  # while a command is on its way
    acknowledged = burst.acknowledged
    server.start()
    info = httpx.get(f"{base}/api/sessions/{sid}").json()
    kept = [c["block"] for c in info["commands"]]
    # every acknowledged command, in order; at most the one in flight besides
    assert kept[: len(acknowledged)] == acknowledged and len(kept) - len(acknowledged) <= 1
    assert info["cursor"] == 9
    trace = httpx.get(f"{base}/api/sessions/{sid}/trace").json()
    writes = [r for r in trace["requests"] if r["op"] == "disk_write"]
    assert len(writes) == 1 + len(kept)  # the workload's own write, and every kept command
    assert httpx.get(f"{base}/s/{sid}").status_code == 200


def test_kill_9_mid_lecture_keeps_the_room_its_step_and_every_acknowledged_answer(
    server, database_url
):
    lecturer = httpx.Client(base_url=server.base)
    present = lecturer.post("/lessons/3-partitioned/present")
    sid = present.headers["location"].rsplit("/", 1)[1]
    lecturer.post(f"/p/{sid}/room")
    code = re.search(r'class="code">(\w+)<', lecturer.get(f"/p/{sid}").text).group(1)
    lecturer.post(f"/p/{sid}/step/1", data={"phase": "ask"})
    assert lecturer.post(f"/p/{sid}/room/ask").status_code == 200

    def answer(i):
        with httpx.Client(base_url=server.base) as student:  # a student's own browser
            student.get(f"/r/{code}")  # the room's page gives the browser its follower id
            response = student.post(f"/r/{code}/answer", data={"value": str(60 + i % 5)})
        return i if response.status_code == 200 else None

    with Burst(answer) as burst:
        burst.wait_for(12)
        server.kill()
    acknowledged = len(burst.acknowledged)
    server.start()
    counts = lecturer.get(f"/p/{sid}/room/answers")  # the same browser still drives the room
    assert counts.status_code == 200
    total = int(re.search(r"<strong>(\d+)</strong> answer", counts.text).group(1))
    assert acknowledged <= total <= acknowledged + 1
    follower = httpx.get(f"{server.base}/r/{code}").text
    assert "From a virtual block to a sector" in follower and "Question:" in follower
    engine = make_engine(database_url)
    with Session(engine) as db:
        stored = db.exec(select(AnswerRow).where(AnswerRow.room == code)).all()
    engine.dispose()
    assert len(stored) == total and all(a.value.isdigit() and a.step == 1 for a in stored)
    lecturer.close()


def test_kill_9_mid_submission_keeps_every_acknowledged_attempt_whole(server, database_url):
    engine = make_engine(database_url)
    with Session(engine) as db:
        add_instructor(db, email="prof@uni.example", password=PASSWORD)
    instructor = httpx.Client(base_url=server.base)
    sign_in(instructor, "prof@uni.example")
    exercise = create_exercise(instructor, templates=["chs", "status"])

    def submit(i):
        alias = f"student{i}"
        with httpx.Client(base_url=server.base, timeout=5) as browser:  # keeps its cookie
            page = browser.get(f"/x/{exercise}", params={"alias": alias})
            token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
            answers = {"alias": alias, "token": token, **ANSWERS}
            response = browser.post(f"/x/{exercise}/attempts", data=answers)
            return (alias, token, dict(browser.cookies)) if response.status_code == 303 else None

    with Burst(submit) as burst:
        burst.wait_for(10)
        server.kill()
    acknowledged = burst.acknowledged
    server.start()
    for alias, token, cookies in acknowledged:  # each in the browser that submitted it
        result = httpx.get(f"{server.base}/x/{exercise}/a/{token}", cookies=cookies)
        assert result.status_code == 200 and alias in result.text
    with Session(engine) as db:
        stored = db.exec(select(AttemptRow).where(AttemptRow.exercise_id == exercise)).all()
    engine.dispose()
    assert {a.token for a in stored} >= {token for _, token, _ in acknowledged}
    assert len(stored) - len(acknowledged) <= 1
    for attempt in stored:  # whole: answers, a result per question, and a score
        assert len(json.loads(attempt.results)) == 2 and 0 <= attempt.score <= 1
        assert json.loads(attempt.answers)["q1.status"] == "ok"
    results = instructor.get(f"/instructor/exercises/{exercise}").text
    assert all(alias in results for alias, _, _ in acknowledged)
    instructor.close()
