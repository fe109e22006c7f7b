"""Hostile values on every kind of route are a clear 4xx, never a 500 — on both databases."""

import pytest

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
