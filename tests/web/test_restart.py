"""A session survives a restart: a new app object on the same database rebuilds it."""

from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app


def test_session_commands_and_cursor_survive_a_restart(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'kept.db'}")
    with TestClient(create_app(settings)) as before:
        sid = before.post("/api/sessions", json={"scenario": "all-devices"}).json()["id"]
        before.post(
            f"/api/sessions/{sid}/commands", json={"op": "key_press", "device": "kbd0", "key": "x"}
        )
        before.get(f"/s/{sid}/player?at=12")
        trace = before.get(f"/api/sessions/{sid}/trace").json()
    with TestClient(create_app(settings)) as after:
        info = after.get(f"/api/sessions/{sid}").json()
        assert info["cursor"] == 12
        assert [c["op"] for c in info["commands"]] == ["key_press"]
        assert after.get(f"/api/sessions/{sid}/trace").json() == trace
        assert after.get(f"/s/{sid}").status_code == 200
