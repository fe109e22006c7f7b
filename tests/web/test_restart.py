"""A session survives a restart: a new app object on the same database rebuilds it."""

from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app


def test_session_commands_and_cursor_survive_a_restart(database_url):
    settings = Settings(database_url=database_url)
    with TestClient(create_app(settings)) as before:
        sid = before.post("/api/sessions", json={"scenario": "all-devices"}).json()["id"]
        composed = {"device": "kbd0", "op": "key_press", "key": "x", "cursor": "12"}
        issued = before.post(f"/s/{sid}/commands", data=composed, headers={"HX-Request": "true"})
        assert issued.status_code == 204  # composed at hop 12: the session is bookmarked there
        trace = before.get(f"/api/sessions/{sid}/trace").json()
    with TestClient(create_app(settings)) as after:
        info = after.get(f"/api/sessions/{sid}").json()
        assert info["cursor"] == 12
        assert [c["op"] for c in info["commands"]] == ["key_press"]
        assert after.get(f"/api/sessions/{sid}/trace").json() == trace
        assert after.get(f"/s/{sid}").status_code == 200


def test_a_database_outage_is_a_clear_503_and_passes_by_itself(database_url, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.store import sessions as repo

    settings = Settings(database_url=database_url)
    with TestClient(create_app(settings)) as client:
        sid = client.post("/api/sessions", json={"scenario": "shared"}).json()["id"]
        real = repo.get_session_presented

        def away(*args, **kwargs):
            raise OperationalError("SELECT", {}, Exception("connection refused"))

        monkeypatch.setattr(repo, "get_session_presented", away)
        api = client.get(f"/api/sessions/{sid}")
        assert api.status_code == 503 and api.headers["retry-after"] == "5"
        assert "nothing was lost" in api.json()["detail"]
        page = client.get(f"/s/{sid}", headers={"accept": "text/html"})
        assert page.status_code == 503 and "Back in a moment" in page.text
        monkeypatch.setattr(repo, "get_session_presented", real)
        assert client.get(f"/api/sessions/{sid}").status_code == 200
