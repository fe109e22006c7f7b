import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app


@pytest.fixture
def settings(tmp_path):
    return Settings(database_url=f"sqlite:///{tmp_path / 'iovlab.db'}", hop_interval_s=0.01)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def session_id(client):
    return new_session(client, "all-devices")


def new_session(client, shipped):
    response = client.post("/api/sessions", json={"scenario": shipped})
    assert response.status_code == 201
    return response.json()["id"]
