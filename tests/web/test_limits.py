"""Every limit answers with a clear message naming what is over and by how much — never a 500.

The session, stream and body limits have tests beside their features (test_api: sessions a
minute; test_stream: open streams, idle streams; test_pages: body size, commands a session);
these are the limits on what a scenario may hold."""

import json

from fastapi.testclient import TestClient

from app.web.app import create_app

from .test_exercises import PASSWORD, sign_in

ONE_GUEST = {"id": "vm1", "os": "linux", "mac": "52:54:00:00:00:01", "ip": "10.0.0.1"}


def scenario(**fields):
    return json.dumps({"name": "limits", "guests": [ONE_GUEST], **fields})


def problems(response):
    assert response.status_code == 422, response.text
    return response.json()["problems"]


def test_a_scenario_over_the_size_limit_is_refused_before_it_is_parsed(settings):
    small = settings.model_copy(update={"max_scenario_bytes": 2000})
    with TestClient(create_app(small)) as client:
        text = scenario(description="x" * 2100)
        found = problems(client.post("/api/sessions", json={"scenario_yaml": text}))
        assert found == ["scenario: the text is over 2,000 bytes"]


def test_more_than_sixteen_guests_are_refused(client):
    guests = [
        {"id": f"vm{i}", "os": "linux", "mac": f"52:54:00:00:00:{i:02x}", "ip": f"10.0.0.{i}"}
        for i in range(1, 18)
    ]
    text = json.dumps({"name": "crowd", "guests": guests})
    found = problems(client.post("/api/sessions", json={"scenario_yaml": text}))
    assert any(p.startswith("guests: ") and "16" in p for p in found), found


def test_more_than_ten_thousand_workload_items_are_refused(settings):
    roomy = settings.model_copy(update={"max_scenario_bytes": 2_000_000})
    item = {"at_us": 0, "op": "key_press", "device": "kbd0", "key": "a"}
    text = scenario(
        devices=[{"id": "kbd0", "type": "keyboard", "owner": "vm1"}], workload=[item] * 10_001
    )
    with TestClient(create_app(roomy)) as client:
        found = problems(client.post("/api/sessions", json={"scenario_yaml": text}))
    assert any(p.startswith("workload: ") and "10000" in p.replace(",", "") for p in found)


def test_an_exercise_scenario_over_the_size_limit_is_refused_with_the_form(settings):
    from sqlmodel import Session

    from app.store.accounts import add_instructor

    small = settings.model_copy(update={"max_scenario_bytes": 2000})
    with TestClient(create_app(small)) as client:
        with Session(client.app.state.iovlab.engine) as db:
            add_instructor(db, email="a@uni.example", password=PASSWORD)
        sign_in(client, "a@uni.example")
        form = {"scenario_yaml": scenario(description="x" * 2100), "templates": ["status"]}
        refused = client.post("/instructor/exercises", data={**form, "variants": "2"})
        assert refused.status_code == 422
        assert "scenario: the text is over 2,000 bytes" in refused.text


PRINTER_SCENARIO = json.dumps(
    {
        "name": "heavy",
        "level": "io_operation",
        "guests": [ONE_GUEST],
        "devices": [{"id": "lp0", "type": "printer"}],
        "workload": [{"at_us": 0, "guest": "vm1", "op": "print", "device": "lp0", "pages": 40}],
    }
)


def _sessions_stored(client):
    from sqlmodel import Session, func, select

    from app.store.models import SessionRow

    with Session(client.app.state.iovlab.engine) as db:
        return db.exec(select(func.count()).select_from(SessionRow)).one()


def test_a_scenario_past_the_hop_budget_is_refused_whole_and_never_stored(settings):
    # 40 pages at the I/O-operation level: 4 register hops a page and more, past 100 hops
    with TestClient(create_app(settings.model_copy(update={"max_hops": 100}))) as client:
        found = problems(client.post("/api/sessions", json={"scenario_yaml": PRINTER_SCENARIO}))
        assert len(found) == 1
        assert "would make more than 100 hops (the budget)" in found[0]
        assert "use fewer pages" in found[0]
        assert _sessions_stored(client) == 0
        page = client.post("/sessions", data={"scenario_yaml": PRINTER_SCENARIO})
        assert page.status_code == 422 and "100 hops (the budget)" in page.text
        assert _sessions_stored(client) == 0


def test_a_command_past_the_hop_budget_is_refused_and_the_session_stays_as_it_was(settings):
    with TestClient(create_app(settings.model_copy(update={"max_hops": 400}))) as client:
        small = PRINTER_SCENARIO.replace('"pages": 40', '"pages": 1')
        made = client.post("/api/sessions", json={"scenario_yaml": small})
        assert made.status_code == 201, made.text
        sid = made.json()["id"]
        before = client.get(f"/api/sessions/{sid}/trace").json()
        heavy = {"guest": "vm1", "op": "print", "device": "lp0", "pages": 200}
        found = problems(client.post(f"/api/sessions/{sid}/commands", json=heavy))
        assert "would make more than 400 hops (the budget)" in found[0]
        assert client.get(f"/api/sessions/{sid}").json()["commands"] == []
        assert client.get(f"/api/sessions/{sid}/trace").json() == before
        light = {"guest": "vm1", "op": "print", "device": "lp0", "pages": 1}
        assert client.post(f"/api/sessions/{sid}/commands", json=light).status_code == 201
