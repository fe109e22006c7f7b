"""The JSON API: every route, with good and bad input."""

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app as cli

from .conftest import new_session

ROOT = Path(__file__).resolve().parents[2]
DISK_WRITE = {"op": "disk_write", "guest": "vm2", "device": "disk0", "block": 10, "count": 1}


def test_shipped_scenarios_are_listed_with_their_descriptions(client):
    listed = client.get("/api/scenarios").json()
    names = [s["name"] for s in listed]
    assert names[:7] == [
        "dedicated",
        "partitioned",
        "shared",
        "spooled",
        "virtual",
        "all-devices",
        "levels",
    ]
    assert all(s["description"] for s in listed)


def test_create_session_from_a_shipped_scenario(client):
    response = client.post("/api/sessions", json={"scenario": "partitioned"})
    assert response.status_code == 201
    body = response.json()
    assert body["url"] == f"/s/{body['id']}"
    assert len(body["id"]) >= 22  # 128 random bits


def test_create_session_from_yaml_text(client):
    text = (ROOT / "scenarios" / "spooled.yaml").read_text()
    response = client.post("/api/sessions", json={"scenario_yaml": text})
    assert response.status_code == 201
    info = client.get(f"/api/sessions/{response.json()['id']}").json()
    assert info["name"] == "One printer, whole jobs" and info["shipped"] is None


def test_invalid_yaml_is_refused_with_the_field_path(client):
    text = (
        (ROOT / "scenarios" / "partitioned.yaml").read_text().replace("start: 8192", "start: 100")
    )
    response = client.post("/api/sessions", json={"scenario_yaml": text})
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "devices[0].partitions[1]: overlaps partition of vm1 (blocks 0-8191)"
    ]


def test_unknown_shipped_name_and_empty_body_are_refused(client):
    unknown = client.post("/api/sessions", json={"scenario": "nope"})
    assert (
        unknown.status_code == 422 and "no shipped scenario 'nope'" in unknown.json()["problems"][0]
    )
    empty = client.post("/api/sessions", json={})
    assert empty.status_code == 422
    assert empty.json()["problems"] == ["body: give exactly one of scenario, scenario_yaml"]


def test_trace_is_the_document_the_cli_prints(client, session_id):
    api = client.get(f"/api/sessions/{session_id}/trace").json()
    result = CliRunner().invoke(
        cli, ["trace", str(ROOT / "scenarios" / "all-devices.yaml"), "--format", "json"]
    )
    assert api == json.loads(result.output)


def test_command_returns_the_new_requests_hops_and_changes_the_trace(client, session_id):
    before = client.get(f"/api/sessions/{session_id}/trace").json()
    response = client.post(f"/api/sessions/{session_id}/commands", json=DISK_WRITE)
    assert response.status_code == 201
    body = response.json()
    assert body["at_us"] == 0  # a new session's cursor is before the first hop
    stages = [h["stage"] for h in body["hops"]]
    assert stages[0] == "guest_app" and stages[-1] == "status_reply"
    mapping = next(h for h in body["hops"] if h["stage"] == "physical_mapping")
    assert mapping["detail"]["physical_block"] == 4106
    after = client.get(f"/api/sessions/{session_id}/trace").json()
    assert len(after["requests"]) == len(before["requests"]) + 1


def test_command_at_a_cursor_is_stamped_with_that_hops_time(client, session_id):
    trace = client.get(f"/api/sessions/{session_id}/trace").json()
    cursor = 60
    response = client.post(f"/api/sessions/{session_id}/commands?cursor={cursor}", json=DISK_WRITE)
    assert response.json()["at_us"] == trace["hops"][cursor]["t_us"]
    after = client.get(f"/api/sessions/{session_id}/trace").json()
    assert after["hops"][: cursor + 1] == trace["hops"][: cursor + 1]


def test_bad_commands_are_refused_with_the_field_path(client, session_id):
    url = f"/api/sessions/{session_id}/commands"
    cases = {
        json.dumps(
            DISK_WRITE | {"block": -1}
        ): "command.block: Input should be greater than or equal to 0",
        json.dumps(
            DISK_WRITE | {"device": "nic0"}
        ): "command.device: disk_write needs a disk or image, but nic0 is a nic",
        json.dumps(DISK_WRITE | {"at_us": 5}): "command.at_us: set by the server",
        json.dumps({"op": "fly", "device": "disk0"}): "command.op: unknown value 'fly'",
        json.dumps(["not", "a", "mapping"]): "",
    }
    for body, expected in cases.items():
        response = client.post(url, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 422, body
        if expected:
            assert response.json()["problems"][0].startswith(expected), response.json()


def test_commands_survive_and_replay_in_order(client, session_id):
    url = f"/api/sessions/{session_id}/commands"
    client.post(url, json=DISK_WRITE)
    client.post(url, json={"op": "key_press", "device": "kbd0", "key": "z"})
    info = client.get(f"/api/sessions/{session_id}").json()
    assert [c["op"] for c in info["commands"]] == ["disk_write", "key_press"]


def test_unknown_session_is_404_everywhere(client):
    for method, url in [
        ("get", "/api/sessions/nope"),
        ("get", "/api/sessions/nope/trace"),
        ("post", "/api/sessions/nope/commands"),
        ("get", "/s/nope"),
        ("get", "/s/nope/stream"),
        ("get", "/s/nope/trace.csv"),
        ("get", "/s/" + "x" * 500),
    ]:
        response = getattr(client, method)(
            url, **({"json": DISK_WRITE} if method == "post" else {})
        )
        assert response.status_code == 404, url


def test_one_session_cannot_be_read_through_anothers_id(client):
    first, second = new_session(client, "partitioned"), new_session(client, "spooled")
    client.post(f"/api/sessions/{first}/commands", json={**DISK_WRITE, "guest": "vm1"})
    assert client.get(f"/api/sessions/{second}").json()["commands"] == []
    assert (
        client.get(f"/api/sessions/{second}/trace").json()["scenario"] == "One printer, whole jobs"
    )


def test_openapi_schema_lists_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/sessions",
        "/api/sessions/{session_id}/commands",
        "/api/sessions/{session_id}/trace",
    } <= set(paths)


def test_every_bad_api_input_comes_back_as_problems_with_their_place(client, session_id):
    broken = client.post(
        "/api/sessions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.json()["problems"][0].startswith("body.")
    cursor = client.post(f"/api/sessions/{session_id}/commands?cursor=-7", json=DISK_WRITE)
    assert cursor.status_code == 422
    assert cursor.json()["problems"][0].startswith(
        "query.cursor: Input should be greater than or equal to -1"
    )


def test_a_client_opening_too_many_sessions_is_told_when_to_retry(database_url):
    from fastapi.testclient import TestClient

    from app.settings import Settings
    from app.web.app import create_app

    settings = Settings(database_url=database_url, sessions_per_minute=2)
    with TestClient(create_app(settings)) as client:
        for _ in range(2):
            assert client.post("/api/sessions", json={"scenario": "shared"}).status_code == 201
        refused = client.post("/api/sessions", json={"scenario": "shared"})
        assert refused.status_code == 429
        assert "too many new sessions" in refused.json()["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        page = client.post(
            "/sessions", data={"scenario": "shared"}, headers={"accept": "text/html"}
        )
        assert page.status_code == 429 and "too many new sessions" in page.text


def test_two_workers_share_one_count_of_new_sessions(database_url):
    from fastapi.testclient import TestClient

    from app.settings import Settings
    from app.web.app import create_app

    settings = Settings(database_url=database_url, sessions_per_minute=3)
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        codes = [
            worker.post("/api/sessions", json={"scenario": "shared"}).status_code
            for worker in (one, two, one, two, one, two)
        ]
    assert codes == [201, 201, 201, 429, 429, 429]


def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(database_url):
    from fastapi.testclient import TestClient

    from app.settings import Settings
    from app.web.app import create_app

    def opened(settings, forwarded_for):
        app = create_app(settings)
        with TestClient(app, client=("127.0.0.1", 50000)) as client:
            return [
                client.post(
                    "/api/sessions",
                    json={"scenario": "shared"},
                    headers={"x-forwarded-for": address},
                ).status_code
                for address in forwarded_for
            ]

    untrusted = Settings(database_url=database_url, sessions_per_minute=2)
    # a new forwarded address for every request does not reset the loopback client's count
    assert opened(untrusted, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) == [201, 201, 429]
    behind_proxy = untrusted.model_copy(update={"trusted_proxies": "127.0.0.1"})
    # behind a named proxy, each student's own address has its own count
    assert opened(behind_proxy, ["10.0.1.1", "10.0.1.2", "10.0.1.3"]) == [201, 201, 201]
    assert opened(behind_proxy, ["10.0.1.1"]) == [201]
    assert opened(behind_proxy, ["10.0.1.1"]) == [429]
