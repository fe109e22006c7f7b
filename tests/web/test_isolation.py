"""What one user's ids let another client do, and what they never show: sessions, lectures and
exercises tried from another browser; answer keys in student-facing responses; forms sent from
another site; framing by another site."""

import json
import re
import secrets

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.exercises.variants import variant_of, variant_questions
from app.sim import load_scenario
from app.store.accounts import add_instructor
from app.store.exercises import get_exercise
from app.web.platform.security import CROSS_SITE_ALLOWED

from .conftest import new_session
from .test_exercises import PASSWORD, create_exercise, sign_in, submit
from .test_rooms import open_room, present

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def other(client):
    """Another browser on the same server: its own cookies, none of the first one's."""
    with TestClient(client.app) as other:
        yield other


def state_changing_routes(app):
    for path, operations in app.openapi()["paths"].items():
        for method in sorted({m.upper() for m in operations} & UNSAFE):
            yield method, re.sub(r"\{[^}]+\}", "x", path)


def test_every_state_changing_route_refuses_a_request_from_another_site(client):
    routes = list(state_changing_routes(client.app))
    assert len(routes) >= 15
    # an LMS starts a launch with a form of its own site: those two take it (tests/lti)
    lms = {path for _, path in routes if path in CROSS_SITE_ALLOWED}
    assert lms == set(CROSS_SITE_ALLOWED)
    for method, path in routes:
        if path in CROSS_SITE_ALLOWED:
            continue
        for headers in (
            {"Origin": "https://evil.example"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.testserver"},
        ):
            response = client.request(method, path, headers=headers, data={"value": "1"})
            assert response.status_code == 403, (method, path, headers)
            assert "another site" in response.text


def test_a_request_the_browser_marks_same_origin_goes_through(client):
    response = client.post(
        "/sessions",
        data={"scenario": "shared"},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_a_session_id_unknown_or_one_character_off_reaches_nothing(client, other):
    sid = new_session(client, "shared")
    near = sid[:-1] + ("A" if sid[-1] != "A" else "B")
    for guess in (near, secrets.token_urlsafe(16)):
        for path in ("/s/{}", "/api/sessions/{}", "/s/{}/trace.json", "/s/{}/stream"):
            assert other.get(path.format(guess)).status_code == 404, path
        command = {"op": "key_press", "device": "kbd0", "key": "a"}
        assert other.post(f"/api/sessions/{guess}/commands", json=command).status_code == 404
    assert len(sid) >= 22  # 128 random bits


def test_a_lecture_is_driven_only_from_the_lecturers_browser(client, other):
    sid = present(client)
    code = open_room(client, sid)
    client.post(f"/p/{sid}/step/1", data={"phase": "ask"})
    before = client.get(f"/r/{code}").text
    for path in (f"/p/{sid}", f"/p/{sid}/room/answers"):
        assert other.get(path).status_code == 403, path
    assert other.post(f"/p/{sid}/step/2").status_code == 403
    assert other.post(f"/p/{sid}/room").status_code == 403
    assert other.post(f"/p/{sid}/room/end").status_code == 403
    assert other.post(f"/p/{sid}/room/ask").status_code == 403
    command = {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 1}
    assert other.post(f"/api/sessions/{sid}/commands", json=command).status_code == 403
    assert other.post(f"/p/{sid}/at/30").status_code == 403  # moves no room
    assert other.get(f"/s/{sid}?at=31").status_code == 403  # nor may it even be viewed
    assert client.get(f"/r/{code}").text == before
    assert client.post(f"/p/{sid}/at/5").status_code == 204
    assert 'data-k="5"' in other.get(f"/r/{code}").text  # the lecturer's own move is followed
    follower_page = other.get(f"/r/{code}").text
    assert sid not in follower_page  # a follower never learns the presentation's session


def test_exercises_results_and_attempts_stay_with_their_owners(client, other):
    with Session(client.app.state.iovlab.engine) as db:
        add_instructor(db, email="a@uni.example", password=PASSWORD)
        add_instructor(db, email="b@uni.example", password=PASSWORD)
    sign_in(client, "a@uni.example")
    exercise = create_exercise(client)
    result_url, _ = submit(client, exercise, "ada")
    assert other.get(f"/instructor/exercises/{exercise}").status_code == 403  # not signed in
    sign_in(other, "b@uni.example")
    for path in ("", "/results.csv", "/export"):
        assert other.get(f"/instructor/exercises/{exercise}{path}").status_code == 404, path
    assert exercise not in other.get("/instructor").text
    wrong_token = result_url.rsplit("/", 1)[0] + "/" + secrets.token_urlsafe(18)
    assert other.get(wrong_token).status_code == 404
    assert other.get(f"/x/{secrets.token_urlsafe(12)}").status_code == 404


def test_a_student_facing_exercise_page_never_carries_its_answers(client):
    with Session(client.app.state.iovlab.engine) as db:
        add_instructor(db, email="a@uni.example", password=PASSWORD)
    sign_in(client, "a@uni.example")
    templates = ["chs", "frame", "print_order", "traps", "status", "next_hop"]
    exercise = create_exercise(client, templates=templates)
    with Session(client.app.state.iovlab.engine) as db:
        row = get_exercise(db, exercise)
    with TestClient(client.app) as student:
        for alias in ("ada", "bob", "cyd", "dee"):
            page = student.get(f"/x/{exercise}", params={"alias": alias}).text
            questions = variant_questions(
                load_scenario(row.source), templates, exercise, variant_of(exercise, alias, 4)
            )
            assert len(questions) == len(templates)
            for number, question in enumerate(questions):
                for name, answer in question.answer.items():
                    field = f"q{number}.{name}"
                    filled = re.search(rf'name="{re.escape(field)}"[^>]*value="([^"]*)"', page)
                    assert filled is None, (alias, field)  # no pre-filled answer
                    chosen = re.search(rf'<option value="{re.escape(str(answer))}" selected', page)
                    assert chosen is None, (alias, field)
            hidden = re.findall(r'<input type="hidden" name="([^"]+)"', page)
            assert sorted(hidden) == ["alias", "token"]
            for word in ("expected", "answer_from", "right:"):
                assert word not in page


def test_a_rooms_followers_see_the_answer_only_once_it_is_revealed(client, other):
    sid = present(client)
    code = open_room(client, sid)
    client.post(f"/p/{sid}/step/1", data={"phase": "ask"})
    client.post(f"/p/{sid}/room/ask")
    asked = other.get(f"/r/{code}").text
    assert "Question:" in asked and "Answer:" not in asked
    assert 'data-k="' in asked
    k_asked = int(re.search(r'data-k="(-?\d+)"', asked).group(1))
    assert other.get(f"/r/{code}/back", params={"at": 500}).text.count(f'data-k="{k_asked}"')
    client.post(f"/p/{sid}/step/1", data={"phase": "play"})  # Reveal and play
    revealed = other.get(f"/r/{code}").text
    assert "Answer: <strong>64</strong>" in revealed


def test_only_the_embed_pages_may_be_framed_by_another_site(client):
    sid = new_session(client, "partitioned")
    page = client.get(f"/s/{sid}")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    embed = client.get(f"/embed/s/{sid}")
    assert embed.status_code == 200
    policy = embed.headers["content-security-policy"]
    assert "frame-ancestors *" in policy and "script-src 'self'" in policy
    assert "x-frame-options" not in embed.headers
    assert "<form" not in embed.text and "hx-post" not in embed.text  # nothing to trick into
    assert 'id="machine"' in embed.text and f'href="/s/{sid}"' in embed.text


def test_the_sites_that_may_embed_are_a_setting(settings):
    from app.web.app import create_app

    restricted = settings.model_copy(update={"embed_ancestors": "https://moodle.uni.example"})
    with TestClient(create_app(restricted)) as client:
        sid = new_session(client, "shared")
        policy = client.get(f"/embed/s/{sid}").headers["content-security-policy"]
        assert "frame-ancestors https://moodle.uni.example" in policy
        assert json.loads(client.get("/healthz").text) == {"status": "ok"}
