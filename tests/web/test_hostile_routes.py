"""Hostile values on every kind of route are a clear 4xx, never a 500 — on both databases."""

import html
import json
import re

import pytest
from sqlmodel import Session

from app.store.accounts import add_instructor

HTML = {"accept": "text/html"}
NESTED = "[" * 2000 + "]" * 2000
HUGE = "9" * 5000


def test_a_composer_cursor_past_any_trace_is_a_422(client, session_id):
    for cursor in (str(2**31), str(10**30)):
        form = {"op": "key_press", "device": "kbd0", "key": "a", "cursor": cursor}
        response = client.post(f"/s/{session_id}/commands", data=form, headers=HTML)
        assert response.status_code == 422, (cursor, response.status_code)
    api = client.post(
        f"/api/sessions/{session_id}/commands",
        params={"cursor": 10**30},
        json={"op": "key_press", "device": "kbd0", "key": "a"},
    )
    assert api.status_code == 422


@pytest.mark.parametrize("to_ms", ["inf", "1e308", "nan", "-inf"])
def test_a_contention_window_past_any_trace_is_a_422(client, session_id, to_ms):
    response = client.get(f"/s/{session_id}/contention", params={"to_ms": to_ms}, headers=HTML)
    assert response.status_code == 422


def test_a_last_event_id_of_5000_digits_is_a_422(client, session_id):
    response = client.get(f"/s/{session_id}/stream", headers={"last-event-id": HUGE})
    assert response.status_code == 422


@pytest.mark.parametrize(
    "text", [NESTED, f"name: x\ndescription: {HUGE}\n", "name: a\x00b\nguests: []\n"]
)
def test_hostile_scenario_text_is_a_422_on_every_scenario_route(client, text):
    form = client.post("/sessions", data={"scenario_yaml": text}, headers=HTML)
    assert form.status_code == 422
    api = client.post("/api/sessions", json={"scenario_yaml": text})
    assert api.status_code == 422 and api.json()["problems"]


def test_a_5000_digit_integer_in_a_json_body_is_a_422(client, session_id):
    body = '{"op": "disk_write", "guest": "vm1", "device": "disk0", "block": ' + HUGE + "}"
    response = client.post(
        f"/api/sessions/{session_id}/commands",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/s/a%00b",
        "/s/a%00b/hops/0",
        "/s/a%00b/trace.json",
        "/api/sessions/a%00b",
        "/r/AB%00C",
        "/x/a%00b",
        "/lessons/a%00b/present",
    ],
)
def test_a_nul_in_a_path_is_a_404_or_422(client, path):
    response = client.get(path, headers=HTML)
    assert response.status_code in {404, 422}, (response.status_code, response.text[:300])


def test_a_nul_in_a_form_field_is_a_422_naming_it(client, session_id):
    form = {"op": "key_press", "device": "kbd0", "key": "a\x00"}
    response = client.post(f"/s/{session_id}/commands", data=form, headers=HTML)
    assert response.status_code == 422
    room = client.get("/join", params={"code": "AB\x00CDEFG"}, headers=HTML)
    assert room.status_code in {404, 422}
    alias = client.get("/x/nothing", params={"alias": "a\x00b"}, headers=HTML)
    assert alias.status_code in {404, 422}


@pytest.mark.parametrize("cursor", [str(2**31), str(2**63), str(10**30)])
def test_making_my_own_copy_at_a_cursor_past_any_trace_is_a_422_naming_it(
    client, session_id, cursor
):
    response = client.post(f"/s/{session_id}/fork", data={"cursor": cursor}, headers=HTML)
    assert response.status_code == 422, (cursor, response.status_code)
    assert "cursor" in response.text


LAUGHS = "\n".join(
    ["name: &a0 [lol]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
)
HOSTILE_YAML = {
    "nested": (NESTED, "nested more than 32 levels deep"),
    "huge integer": (f"name: x\nseed: {HUGE}\n", "seed: a number of 5,000 digits is too long"),
    "billion laughs": (LAUGHS, "name: Input should be a valid string"),
    # raw in a YAML text, or as JSON's \u0000 where the scenario sits in an exported file
    "nul": ("name: a\x00b\nguests: []\n", r"U\+0000|NUL character"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_YAML))
def test_hostile_yaml_is_a_422_naming_the_problem_on_every_yaml_route(client, kind):
    from .test_exercises import PASSWORD, create_exercise, sign_in

    text, problem = HOSTILE_YAML[kind]
    upload = {"upload": ("s.yaml", text.encode(), "text/yaml")}
    opened = client.post("/sessions", files=upload, headers=HTML)
    api = client.post("/api/sessions", json={"scenario_yaml": text})
    with Session(client.app.state.iovlab.engine) as db:
        add_instructor(db, email="yaml@uni.example", password=PASSWORD)
    sign_in(client, "yaml@uni.example")
    authored = client.post(
        "/instructor/exercises",
        data={"title": "t", "scenario_yaml": text, "templates": "chs", "variants": "2"},
        headers=HTML,
    )
    exported = client.get(f"/instructor/exercises/{create_exercise(client)}/export").json()
    document = json.dumps(exported | {"scenario": text}).encode()
    imported = client.post(
        "/instructor/exercises/import",
        files={"upload": ("e.json", document, "application/json")},
        headers=HTML,
    )
    for response in (opened, authored, imported):
        assert response.status_code == 422, (response.url, response.status_code)
        assert re.search(problem, html.unescape(response.text)), (response.url, problem)
    assert api.status_code == 422 and any(re.search(problem, p) for p in api.json()["problems"])
