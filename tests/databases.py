"""Databases for the tests: a migrated SQLite file, or a migrated schema of the local PostgreSQL.

The PostgreSQL lane uses 127.0.0.1:5432 (trust auth, database ``test``), or the
server named by ``IOVLAB_TEST_POSTGRES``; where none answers, its tests are
skipped with a message that says so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app.store.db import make_engine
from app.store.schema import upgrade

POSTGRES = os.environ.get(
    "IOVLAB_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TABLES = (
    "room_answers, rooms, presentations, lecturers, lti_scores, lti_launches, lti_values, "
    "attempts, exercises, logins, instructors, commands, sessions, secrets, rate_hits, rate_keys"
)


def migrated(url: str) -> str:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def sqlite_url(directory: Path, name: str = "iovlab.db") -> str:
    return migrated(f"sqlite:///{directory / name}")


@contextmanager
def postgres_schema(*, migrate: bool = True) -> Iterator[str]:
    """A fresh schema in the local PostgreSQL (migrated unless told not to), dropped afterwards."""
    admin = create_engine(POSTGRES)
    schema = f"iovlab_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL lane skipped: no PostgreSQL answers at {POSTGRES} ({error.orig})")
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    try:
        yield migrated(url) if migrate else url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def empty_tables(url: str) -> None:
    """Between two tests on one migrated PostgreSQL schema: every row gone, the schema kept."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    engine.dispose()
