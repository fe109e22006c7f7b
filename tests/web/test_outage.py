"""PostgreSQL goes away for a while (a proxy in front of it drops every connection and refuses
new ones) and comes back: requests meanwhile get a clear 503, never a 500; the app recovers by
itself; no attempt is half-written or stored twice."""

import json
import re
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.settings import Settings
from app.store.accounts import add_instructor
from app.store.models import AttemptRow
from app.web.app import create_app

from ..tcp_proxy import TcpProxy
from .test_exercises import PASSWORD, create_exercise, sign_in


@pytest.fixture
def proxied(postgres_lane):
    """The PostgreSQL lane's database, reached through a proxy the test can take down."""
    from ..databases import empty_tables

    empty_tables(postgres_lane)
    url = make_url(postgres_lane)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port)
        yield proxy, through.render_as_string(hide_password=False)


@pytest.fixture
def client(proxied):
    _, url = proxied
    settings = Settings(database_url=url, sessions_per_minute=10_000)
    with TestClient(create_app(settings)) as client:
        yield client


# answers to a C/H/S and a status question: every field a number or a choice, so none is
# refused before it is stored
ANSWERS = {
    "q0.physical_block": "17",
    "q0.cylinder": "0",
    "q0.head": "0",
    "q0.sector": "18",
    "q1.status": "ok",
}


def exercise_with_a_student_form(client):
    with Session(client.app.state.iovlab.engine) as db:
        add_instructor(db, email="prof@uni.example", password=PASSWORD)
    sign_in(client, "prof@uni.example")
    return create_exercise(client, templates=["chs", "status"])


def student_form(client, exercise, alias):
    page = client.get(f"/x/{exercise}", params={"alias": alias})
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    return {"alias": alias, "token": token, **ANSWERS}


def test_an_outage_is_a_clear_503_and_the_app_recovers_by_itself(client, proxied):
    proxy, _ = proxied
    sid = client.post("/api/sessions", json={"scenario": "shared"}).json()["id"]
    exercise = exercise_with_a_student_form(client)
    form = student_form(client, exercise, "ada")

    proxy.go_down()
    api = client.get(f"/api/sessions/{sid}")
    assert api.status_code == 503 and api.headers["retry-after"] == "5"
    assert "database is unavailable" in api.json()["detail"]
    page = client.get(f"/s/{sid}", headers={"accept": "text/html"})
    assert page.status_code == 503 and "Back in a moment" in page.text
    refused = client.post(f"/x/{exercise}/attempts", data=form, follow_redirects=False)
    assert refused.status_code == 503
    assert client.get("/healthz").status_code == 503

    proxy.come_back()
    assert client.get("/healthz").status_code == 200
    assert client.get(f"/api/sessions/{sid}").status_code == 200
    again = client.post(f"/x/{exercise}/attempts", data=form, follow_redirects=False)
    assert again.status_code == 303  # the same form, sent again once the database is back
    with Session(client.app.state.iovlab.engine) as db:
        stored = db.exec(select(AttemptRow).where(AttemptRow.exercise_id == exercise)).all()
    assert [a.token for a in stored] == [form["token"]]


def test_submissions_through_an_outage_are_answered_503_or_stored_whole(client, proxied):
    proxy, _ = proxied
    exercise = exercise_with_a_student_form(client)
    forms = [student_form(client, exercise, f"student{i}") for i in range(40)]
    statuses: dict[str, list[int]] = {}
    done = threading.Event()

    def submit_all():
        for form in forms:
            while True:  # as a student would: send again until it is stored
                response = client.post(f"/x/{exercise}/attempts", data=form, follow_redirects=False)
                statuses.setdefault(form["token"], []).append(response.status_code)
                if response.status_code == 303:
                    break
                time.sleep(0.05)
        done.set()

    worker = threading.Thread(target=submit_all, daemon=True)
    worker.start()
    while len(statuses) < 5:
        time.sleep(0.01)
    proxy.go_down()  # in the middle of the submissions
    time.sleep(1.0)
    proxy.come_back()
    assert done.wait(60)
    every = [s for seen in statuses.values() for s in seen]
    assert set(every) <= {303, 503} and 503 in every
    with Session(client.app.state.iovlab.engine) as db:
        stored = db.exec(select(AttemptRow).where(AttemptRow.exercise_id == exercise)).all()
    assert sorted(a.token for a in stored) == sorted(f["token"] for f in forms)  # once each
    for attempt in stored:
        assert len(json.loads(attempt.results)) == 2 and json.loads(attempt.answers)["q1.status"]


def test_an_open_hop_stream_plays_on_through_an_outage(proxied):
    import httpx2 as httpx

    from ..live_server import serving

    proxy, url = proxied
    settings = Settings(database_url=url, hop_interval_s=0.02, stream_poll_s=0.02)
    with serving(settings) as base:
        sid = httpx.post(f"{base}/api/sessions", json={"scenario": "shared"}).json()["id"]
        seen = []
        with httpx.stream("GET", f"{base}/s/{sid}/stream", params={"from": 0}, timeout=10) as r:
            for line in r.iter_lines():
                if line.startswith("id:"):
                    seen.append(int(line[3:]))
                    if len(seen) == 3:
                        proxy.go_down()
                    if len(seen) == 12:
                        break
        proxy.come_back()
        assert seen == list(range(12))
        assert httpx.get(f"{base}/api/sessions/{sid}").status_code == 200
