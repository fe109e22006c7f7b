"""Presenting a lesson and following it live, through the routes."""

import re

import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app


def present(client, lesson="3-partitioned"):
    response = client.post(f"/lessons/{lesson}/present", follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"].rsplit("/", 1)[1]


def open_room(client, sid):
    assert client.post(f"/p/{sid}/room", follow_redirects=False).status_code == 303
    return re.search(r'class="code">(\w+)<', client.get(f"/p/{sid}").text).group(1)


@pytest.fixture
def student(settings, client):
    with TestClient(client.app) as other:  # another browser: its own cookies
        yield other


def test_lessons_are_listed_and_presented_step_by_step(client):
    page = client.get("/lessons").text
    assert page.count('<article class="card">') >= 8
    sid = present(client)
    first = client.get(f"/p/{sid}").text
    assert "Step 1 of 4" in first and "The mapping table" in first
    step = client.post(f"/p/{sid}/step/1").text  # the presenter at step 2
    assert "Step 2 of 4" in step and "data-presenter" in step
    assert "Reveal and play" in step  # a step with a question asks it before playing
    assert "Answer" not in step and 'data-autoplay="1"' not in step
    played = client.post(f"/p/{sid}/step/1", data={"phase": "play"}).text
    assert 'data-autoplay="1"' in played and "Answer: <strong>64</strong>" in played
    end = re.search(r'data-until="(\d+)"', played).group(1)
    assert int(end) > int(re.search(r'data-k="(-?\d+)"', played).group(1))  # plays to its end


def test_a_student_follows_the_lecturer_and_never_sees_past_them(client, student):
    sid = present(client)
    code = open_room(client, sid)
    client.post(f"/p/{sid}/step/1", data={"phase": "play"})
    assert client.post(f"/p/{sid}/at/3").status_code == 204  # the lecturer steps by hand
    page = student.get(f"/r/{code}").text
    assert 'data-k="3"' in page and "From a virtual block to a sector" in page
    ahead = student.get(f"/r/{code}/back?at=20").text
    assert 'data-k="3"' in ahead  # clamped to the lecturer's hop
    earlier = student.get(f"/r/{code}/back?at=1").text
    assert 'data-k="1"' in earlier and "Back to live" in earlier
    assert f"/s/{sid}" not in page  # a follower never learns the lecturer's session


def test_answers_are_counted_for_the_lecturer_only(client, student):
    sid = present(client)
    code = open_room(client, sid)
    client.post(f"/p/{sid}/step/1")
    student.get(f"/r/{code}")  # the follower's page: where an answer comes from
    assert (
        student.post(f"/r/{code}/answer", data={"value": "64"}).status_code == 409
    )  # not asked yet
    assert student.post(f"/p/{sid}/room/ask").status_code == 403
    assert student.get(f"/p/{sid}/room/answers").status_code == 403
    client.post(f"/p/{sid}/room/ask")
    assert "Question:" in student.get(f"/r/{code}").text
    student.post(f"/r/{code}/answer", data={"value": "64"})
    student.post(f"/r/{code}/answer", data={"value": "63"})  # a changed mind counts once
    counts = client.get(f"/p/{sid}/room/answers").text
    assert "<strong>1</strong> answer" in counts and '<span class="label">63</span>' in counts


def test_joining_with_a_wrong_code_says_so(client):
    response = client.get("/join?code=zzzz")
    assert response.status_code == 404 and "No live room has the code" in response.text
    assert client.get("/r/NOPE").status_code == 404


def test_the_room_renders_once_per_change_for_all_followers(settings):
    import asyncio

    app = create_app(settings)
    with TestClient(app) as lecturer:
        sid = present(lecturer)
        code = open_room(lecturer, sid)
        hub = app.state.iovlab.rooms

        async def three_followers():
            streams = [hub.follow(code) for _ in range(3)]
            first = [await anext(s) for s in streams]
            await asyncio.to_thread(lecturer.post, f"/p/{sid}/step/2", data={"phase": "still"})
            second = [await asyncio.wait_for(anext(s), 5) for s in streams]
            for s in streams:
                await s.aclose()
            return first, second

        first, second = asyncio.run(three_followers())
        assert len({v for v, _ in first}) == 1 and len({v for v, _ in second}) == 1
        assert second[0][0] > first[0][0]
        assert hub.renders == 2  # one render per change, whatever the number of followers


def _sessions_stored(client):
    from sqlmodel import Session, func, select

    from app.store.models import SessionRow

    with Session(client.app.state.iovlab.engine) as db:
        return db.exec(select(func.count()).select_from(SessionRow)).one()


def test_a_lesson_link_opened_with_get_opens_no_session_but_offers_the_button(client):
    page = client.get("/lessons/3-partitioned/present")
    assert page.status_code == 200
    assert 'action="/lessons/3-partitioned/present"' in page.text
    assert page.text.count('<article class="card">') == 1
    assert _sessions_stored(client) == 0
    assert client.get("/lessons/no-such-lesson/present").status_code == 404


def test_presenting_a_lesson_counts_against_the_minutes_sessions(settings):
    tight = settings.model_copy(update={"sessions_per_minute": 1})
    with TestClient(create_app(tight)) as client:
        present(client)
        refused = client.post("/lessons/4-shared/present", follow_redirects=False)
        assert refused.status_code == 429 and "retry-after" in refused.headers
        assert _sessions_stored(client) == 1


def test_a_lesson_step_opens_the_presenter_there_and_a_reload_stays(client):
    sid = present(client)
    step = client.post(f"/p/{sid}/step/2", data={"phase": "still"}, headers={"HX-Request": "true"})
    assert step.status_code == 204 and step.headers["HX-Redirect"] == f"/p/{sid}"
    again = client.get(f"/p/{sid}").text  # what a reload shows: the step the server holds
    assert "Step 3 of 4" in again and 'id="narration" data-step="2"' in again


def test_once_revealed_each_follower_sees_their_own_answer_beside_the_right_one(client, student):
    sid = present(client)
    code = open_room(client, sid)
    client.post(f"/p/{sid}/step/1")
    client.post(f"/p/{sid}/room/ask")
    with TestClient(client.app) as right, TestClient(client.app) as silent:
        for browser in (student, right, silent):
            browser.get(f"/r/{code}")
        student.post(f"/r/{code}/answer", data={"value": "63"})
        right.post(f"/r/{code}/answer", data={"value": "64"})
        assert student.get(f"/r/{code}/mine").text == ""  # nothing before the reveal
        client.post(f"/p/{sid}/step/1", data={"phase": "play"})
        assert f'hx-get="/r/{code}/mine"' in student.get(f"/r/{code}").text
        mine = student.get(f"/r/{code}/mine").text
        assert "You said <strong>63</strong>: not quite — the answer is 64." in mine
        assert "You said <strong>64</strong>: right." in right.get(f"/r/{code}/mine").text
        assert "You did not answer this one." in silent.get(f"/r/{code}/mine").text
