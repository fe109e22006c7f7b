"""The API and persistence tests run on both lanes: SQLite (the default) and PostgreSQL."""

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app

from ..databases import empty_tables, postgres_schema, sqlite_url


@pytest.fixture(scope="session")
def postgres_lane():
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A migrated, empty database of each lane."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    url = request.getfixturevalue("postgres_lane")
    empty_tables(url)
    return url


@pytest.fixture
def settings(database_url):
    return Settings(database_url=database_url, hop_interval_s=0.01)


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
