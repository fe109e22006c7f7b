"""A live lecture under attack: links from other sites, an id copied off the projector,
guessed room codes, forged and doubled ballots, a class behind one address, and a
lecturer who opens room after room."""

import contextlib
import re
import threading

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.settings import Settings
from app.store import rooms as rooms_repo
from app.store.db import make_engine
from app.store.models import AnswerRow
from app.web.app import create_app

from ..live_server import serving
from .test_rooms import open_room, present


@pytest.fixture
def other(client):
    with TestClient(client.app) as browser:  # another browser: its own cookies
        yield browser


def test_a_link_from_another_site_neither_moves_the_class_nor_reveals_an_answer(client):
    sid = present(client)
    code = open_room(client, sid)
    client.post(f"/p/{sid}/step/1", data={"phase": "ask"})
    # a top-level navigation from another site carries the lecturer's cookie (SameSite=Lax)
    link = client.get(f"/p/{sid}/step/2", params={"phase": "play"}, follow_redirects=False)
    assert link.status_code == 405
    with Session(client.app.state.iovlab.engine) as db:
        assert rooms_repo.get_presentation(db, sid).step == 1
        assert rooms_repo.get_room(db, code).question == "none"
    assert "Answer:" not in client.get(f"/p/{sid}").text


def test_an_id_copied_off_the_projector_opens_nothing_before_the_reveal(client, other):
    sid = present(client)
    client.post(f"/p/{sid}/step/1", data={"phase": "ask"})
    for path in (
        f"/s/{sid}",
        f"/s/{sid}?at=30",
        f"/s/{sid}/trace.json",
        f"/s/{sid}/trace.csv",
        f"/s/{sid}/hops/3",
        f"/s/{sid}/compare",
        f"/s/{sid}/contention",
        f"/embed/s/{sid}",
        f"/api/sessions/{sid}",
        f"/api/sessions/{sid}/trace",
        f"/s/{sid}/stream",
    ):
        refused = other.get(path)
        assert refused.status_code == 403, path
        assert "room code" in refused.text, path  # says where the class follows instead
    fork = other.post(f"/s/{sid}/fork", follow_redirects=False)
    assert fork.status_code == 403  # a copy would carry the answers too
    assert client.get(f"/s/{sid}/trace.json").status_code == 200  # the lecturer's own


def test_a_lecturers_cookie_stays_the_same_size_however_many_rooms(client):
    sizes = []
    for _ in range(12):
        sid = present(client)
        open_room(client, sid)
        sizes.append(len(client.cookies.get("iovlab_session") or ""))
    assert sizes[0] > 0 and len(set(sizes)) == 1
    assert client.get(f"/p/{sid}").status_code == 200  # and it still presents every one


def test_ending_a_room_frees_its_code_and_the_class_sees_no_room(client, other):
    sid = present(client)
    code = open_room(client, sid)
    assert other.get(f"/r/{code}").status_code == 200
    ended = client.post(f"/p/{sid}/room/end", follow_redirects=False)
    assert ended.status_code == 303
    assert other.get(f"/r/{code}").status_code == 404
    page = client.get(f"/p/{sid}").text
    assert "Start a live room" in page and code not in page
    assert client.post(f"/p/{sid}/room/end").status_code == 403  # no room left to end


def test_an_answer_counts_only_from_a_browser_that_opened_the_room(client, other):
    sid = present(client)
    code = open_room(client, sid)
    client.post(f"/p/{sid}/step/1", data={"phase": "ask"})
    client.post(f"/p/{sid}/room/ask")
    with TestClient(client.app) as forger:  # a script that keeps no cookie
        for _ in range(30):
            forged = forger.post(f"/r/{code}/answer", data={"value": "7"})
            assert forged.status_code == 403 and f"/r/{code}" in forged.text
            forger.cookies.clear()
    other.get(f"/r/{code}")
    assert other.post(f"/r/{code}/answer", data={"value": " "}).status_code == 422
    assert other.post(f"/r/{code}/answer", data={"value": "64"}).status_code == 200
    counts = client.get(f"/p/{sid}/room/answers").text
    assert "<strong>1</strong> answer" in counts


def test_guessing_room_codes_stops_at_the_limit_and_says_when_to_try_again(database_url):
    settings = Settings(database_url=database_url, join_misses_per_minute=5)
    with TestClient(create_app(settings)) as guesser:
        for n in range(5):
            assert guesser.get(f"/r/ZZZZZZZ{n}").status_code == 404
        refused = guesser.get("/join", params={"code": "ZZZZZZZ9"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "too many room codes" in refused.text


def test_joining_the_real_room_never_counts_against_the_class(database_url):
    settings = Settings(database_url=database_url, join_misses_per_minute=3)
    with TestClient(create_app(settings)) as lecturer:
        sid = present(lecturer)
        code = open_room(lecturer, sid)
        with TestClient(lecturer.app) as classroom:  # 200 students behind one address
            for _ in range(40):
                assert classroom.get("/join", params={"code": code.lower()}).status_code == 200


def test_a_class_behind_one_address_follows_past_the_player_stream_limit(database_url):
    settings = Settings(
        database_url=database_url, streams_per_client=2, room_streams_per_client=200
    )
    with serving(settings) as url, httpx.Client(base_url=url, follow_redirects=True) as lecturer:
        sid = lecturer.post("/lessons/3-partitioned/present").url.path.rsplit("/", 1)[1]
        lecturer.post(f"/p/{sid}/room")
        code = re.search(r'class="code">(\w+)<', lecturer.get(f"/p/{sid}").text).group(1)
        with contextlib.ExitStack() as streams:
            for _ in range(12):
                follower = streams.enter_context(
                    httpx.stream("GET", f"{url}/r/{code}/stream", timeout=10)
                )
                assert follower.status_code == 200
        own = httpx.post(f"{url}/api/sessions", json={"scenario": "partitioned"}).json()["id"]
        with contextlib.ExitStack() as streams:
            for _ in range(2):
                streams.enter_context(
                    httpx.stream("GET", f"{url}/s/{own}/stream", params={"from": 10**6})
                )
            assert httpx.get(f"{url}/s/{own}/stream", timeout=10).status_code == 429


def test_two_answers_sent_at_once_from_one_follower_are_one_answer(database_url):
    settings = Settings(database_url=database_url)
    with serving(settings) as url, httpx.Client(base_url=url, follow_redirects=True) as lecturer:
        sid = lecturer.post("/lessons/3-partitioned/present").url.path.rsplit("/", 1)[1]
        lecturer.post(f"/p/{sid}/room")
        code = re.search(r'class="code">(\w+)<', lecturer.get(f"/p/{sid}").text).group(1)
        lecturer.post(f"/p/{sid}/step/1", data={"phase": "ask"})
        lecturer.post(f"/p/{sid}/room/ask")
        statuses = []
        for round_ in range(8):
            with httpx.Client(base_url=url) as student:
                student.get(f"/r/{code}")
                start = threading.Barrier(2)

                def send(value, student=student, start=start):
                    start.wait()
                    statuses.append(student.post(f"/r/{code}/answer", data={"value": value}))

                both = [
                    threading.Thread(target=send, args=(str(60 + round_),)),
                    threading.Thread(target=send, args=(str(70 + round_),)),
                ]
                for thread in both:
                    thread.start()
                for thread in both:
                    thread.join(timeout=20)
        assert sorted({r.status_code for r in statuses}) == [200]
        engine = make_engine(database_url)
        with Session(engine) as db:
            stored = db.exec(select(AnswerRow).where(AnswerRow.room == code)).all()
        engine.dispose()
        assert len(stored) == 8  # one per follower, whichever of their two came last


def test_followers_are_told_when_the_lecturer_ends_the_room_and_their_stream_closes(
    database_url,
):
    settings = Settings(database_url=database_url, room_poll_s=0.05)
    with serving(settings) as url, httpx.Client(base_url=url, follow_redirects=True) as lecturer:
        sid = lecturer.post("/lessons/3-partitioned/present").url.path.rsplit("/", 1)[1]
        lecturer.post(f"/p/{sid}/room")
        code = re.search(r'class="code">(\w+)<', lecturer.get(f"/p/{sid}").text).group(1)
        seen = []
        with httpx.stream("GET", f"{url}/r/{code}/stream", timeout=10) as stream:
            for line in stream.iter_lines():
                seen.append(line)
                if line.startswith("event: room") and len(seen) < 5:
                    lecturer.post(f"/p/{sid}/room/end")  # after the first view arrived
        text = "\n".join(seen)
        assert "This class has ended" in text and "event: ended" in text
        page = httpx.get(f"{url}/r/{code}")
        assert page.status_code == 404 and "may have ended" in page.text
