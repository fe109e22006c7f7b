"""The HTML forms fuzzed like the JSON API (test_api_fuzz): every form route, fed generated
and hostile field values, answers below 500 — on both database lanes."""

import re

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from app.settings import Settings
from app.store.accounts import add_instructor
from app.web.app import create_app

from .test_exercises import PASSWORD, create_exercise, sign_in

HOSTILE = [
    "",
    "\x00",
    "a\x00b",
    "9" * 5000,
    str(2**31),
    str(10**30),
    "-1",
    "inf",
    "nan",
    "1e308",
    "[" * 2000,
    "{" * 2000,
    "=HYPERLINK(1)",
    "<script>x</script>",
    "ü" * 300,
]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
FIELDS = ["scenario", "scenario_yaml", "op", "device", "guest", "key", "block", "cursor"]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


def _no_5xx(response):
    assert response.status_code < 500, (response.status_code, response.text[:300])


def test_every_form_route_answers_hostile_fields_below_500(database_url):
    app = create_app(Settings(database_url=database_url, sessions_per_minute=10_000))
    with TestClient(app, raise_server_exceptions=False) as client:
        with Session(app.state.iovlab.engine) as db:
            add_instructor(db, email="fuzz@uni.example", password=PASSWORD)
        sign_in(client, "fuzz@uni.example")
        exercise_id = create_exercise(client)
        session_id = client.post("/api/sessions", json={"scenario": "all-devices"}).json()["id"]
        presented = client.post("/lessons/3-partitioned/present", follow_redirects=False)
        lesson_sid = presented.headers["location"].rsplit("/", 1)[1]
        client.post(f"/p/{lesson_sid}/room")
        code = re.search(r'class="code">(\w+)<', client.get(f"/p/{lesson_sid}").text).group(1)
        client.post(f"/p/{lesson_sid}/room/ask")
        client.get(f"/r/{code}")
        page = client.get(f"/x/{exercise_id}", params={"alias": "fuzzer"}).text
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)

        @FUZZ
        @given(form=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=5))
        def new_sessions_and_commands(form):
            _no_5xx(client.post("/sessions", data=form, headers={"accept": "text/html"}))
            _no_5xx(client.post(f"/s/{session_id}/commands", data=form))
            _no_5xx(client.post(f"/s/{lesson_sid}/commands", data=form))

        @FUZZ
        @given(value=VALUES, other=VALUES)
        def rooms_sign_in_and_exercises(value, other):
            _no_5xx(client.get("/join", params={"code": value}))
            _no_5xx(client.post(f"/r/{code}/answer", data={"value": value}))
            _no_5xx(client.get(f"/x/{exercise_id}", params={"alias": value}))
            attempt = {"alias": value, "token": token, "q0.block": other, "q1.guest": value}
            _no_5xx(client.post(f"/x/{exercise_id}/attempts", data=attempt))
            authoring = {"title": value, "scenario_yaml": other, "variants": value}
            _no_5xx(client.post("/instructor/exercises", data={**authoring, "templates": "chs"}))
            upload = {"upload": ("e.json", value.encode("utf-8", "replace"), "application/json")}
            _no_5xx(client.post("/instructor/exercises/import", files=upload))

        new_sessions_and_commands()
        rooms_sign_in_and_exercises()

        @FUZZ
        @given(email=VALUES, password=VALUES)
        def sign_ins(email, password):
            response = client.post("/instructor/login", data={"email": email, "password": password})
            _no_5xx(response)

        sign_ins()
