"""Migrations: an empty database of each kind upgrades to head and then matches the tables
the code declares; the app and the CLI refuse a database that was not migrated."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, SQLModel
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


def test_attempts_and_rooms_stored_before_0002_are_kept_numbered_and_normalised(empty_database):
    engine = make_engine(empty_database)
    upgrade(engine, to="0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO instructors (id, email, password_hash, created_at) "
                "VALUES (1, 't@example.org', 'h', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO exercises (id, instructor_id, title, source, templates, variants, "
                "retries, created_at) VALUES ('e', 1, 't', 'x', '[]', 4, true, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO sessions (id, name, source, cursor, created_at) "
                "VALUES ('s', 'n', 'x', -1, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO rooms (code, session_id, secret, step, k, question, version, "
                "created_at) VALUES ('ACDE', 's', 'x', 0, -1, 'none', 0, CURRENT_TIMESTAMP)"
            )
        )
        for n, alias in enumerate(["  Alice ", "ALICE", "bob", "alice"]):
            connection.execute(
                text(
                    "INSERT INTO attempts (exercise_id, token, alias, variant, answers, results, "
                    "score, submitted_at) VALUES ('e', :token, :alias, 0, '{}', '[]', 1, "
                    "CURRENT_TIMESTAMP)"
                ),
                {"token": f"token{n}", "alias": alias},
            )
    assert upgrade(engine) == ("0001", head())
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT token, alias, number, secret_hash FROM attempts ORDER BY id")
        ).all()
        room_active = connection.execute(text("SELECT active_at FROM rooms")).scalar_one()
    engine.dispose()
    assert room_active is not None  # an open room counts as active from the upgrade
    assert [tuple(r) for r in rows] == [
        ("token0", "alice", 1, None),
        ("token1", "alice", 2, None),
        ("token2", "bob", 1, None),
        ("token3", "alice", 3, None),
    ]


def test_sessions_stored_before_0006_keep_their_commands_and_take_the_next_in_turn(
    empty_database,
):
    from app.store import sessions

    engine = make_engine(empty_database)
    upgrade(engine, to="0005")
    with engine.begin() as connection:
        for sid in ("busy", "idle"):
            connection.execute(
                text(
                    "INSERT INTO sessions (id, name, source, cursor, created_at) "
                    f"VALUES ('{sid}', 'n', 'x', -1, CURRENT_TIMESTAMP)"
                )
            )
        for position in range(3):
            connection.execute(
                text(
                    "INSERT INTO commands (session_id, position, item, created_at) "
                    f"VALUES ('busy', {position}, '{{}}', CURRENT_TIMESTAMP)"
                )
            )
    upgrade(engine)
    with Session(engine) as db:
        assert sessions.count_commands(db, "busy") == 3
        assert sessions.command_counts(db, session_ids=["busy", "idle"]) == {"busy": 3}
        assert sessions.add_command(db, session_id="busy", item_json="{}") == 3
        assert sessions.add_command(db, session_id="idle", item_json="{}") == 0
        assert [c.position for c in sessions.list_commands(db, "busy")] == [0, 1, 2, 3]
    engine.dispose()
