"""Migrations: an empty database of each kind upgrades to head and then matches the tables
the code declares; the app and the CLI refuse a database that was not migrated."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlmodel import SQLModel
from typer.testing import CliRunner

from app.cli import app as cli
from app.settings import Settings
from app.store.db import make_engine
from app.store.schema import NotMigrated, current, head, upgrade
from app.web.app import create_app

from ..databases import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        with postgres_schema(migrate=False) as url:
            yield url


def test_an_empty_database_upgrades_to_head_and_matches_the_declared_tables(empty_database):
    engine = make_engine(empty_database)
    assert current(engine) is None
    assert upgrade(engine) == (None, head())
    assert current(engine) == head()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_upgrading_twice_changes_nothing(empty_database):
    engine = make_engine(empty_database)
    upgrade(engine)
    assert upgrade(engine) == (head(), head())
    engine.dispose()


def test_the_app_refuses_an_unmigrated_database_and_says_what_to_run(empty_database):
    with pytest.raises(NotMigrated, match=r"has no iovlab tables.*run `iovlab db upgrade`"):
        create_app(Settings(database_url=empty_database))


def test_iovlab_db_upgrade_migrates_and_the_app_then_serves(empty_database, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database)
    refused = CliRunner().invoke(cli, ["serve"])
    assert refused.exit_code == 2 and "run `iovlab db upgrade`" in refused.output
    assert CliRunner().invoke(cli, ["db", "current"]).exit_code == 1
    done = CliRunner().invoke(cli, ["db", "upgrade"])
    assert done.exit_code == 0 and f"schema empty → {head()}" in done.output
    assert f"database schema: {head()}" in CliRunner().invoke(cli, ["db", "current"]).output
    again = CliRunner().invoke(cli, ["db", "upgrade"])
    assert f"already at schema {head()}" in again.output
    with TestClient(create_app(Settings(database_url=empty_database))) as client:
        assert client.post("/api/sessions", json={"scenario": "shared"}).status_code == 201
        assert client.get("/healthz").json() == {"status": "ok"}


def test_an_unreachable_database_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    for command in (["db", "upgrade"], ["db", "current"], ["serve"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2, command
        assert "the database (DATABASE_URL) failed: connection failed" in result.output
        assert "Traceback" not in result.output
