"""The PostgreSQL path (DATABASE_URL): sessions are stored there and survive a restart."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.settings import Settings
from app.web.app import create_app

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def database_url():
    """A fresh schema in the local PostgreSQL, dropped afterwards."""
    admin = create_engine(SERVER)
    schema = f"iovlab_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as error:
        pytest.skip(f"no PostgreSQL at 127.0.0.1:5432 for the PostgreSQL lane: {error}")
    yield f"{SERVER}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_a_session_lives_in_postgresql_and_survives_a_restart(database_url):
    settings = Settings(database_url=database_url)
    with TestClient(create_app(settings)) as before:
        sid = before.post("/api/sessions", json={"scenario": "partitioned"}).json()["id"]
        command = {"op": "disk_write", "guest": "vm3", "device": "disk0", "block": 4095, "count": 2}
        issued = before.post(f"/api/sessions/{sid}/commands", json=command).json()
        assert issued["hops"][-1]["detail"]["status"] == "out_of_range"
        before.get(f"/s/{sid}/player?at=5")
    with TestClient(create_app(settings)) as after:
        info = after.get(f"/api/sessions/{sid}").json()
        assert info["cursor"] == 5 and [c["op"] for c in info["commands"]] == ["disk_write"]
