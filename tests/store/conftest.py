"""The repository tests run on both lanes: a migrated SQLite file, a migrated PostgreSQL schema."""

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session

from app.store.db import make_engine

from ..databases import empty_tables, postgres_schema, sqlite_url


@pytest.fixture(scope="session")
def postgres_store():
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_store")
        empty_tables(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


def at_once(engine, count: int, work: Callable[[Session, int], object]) -> list[object]:
    """Run ``work`` on ``count`` threads released together, each with a session of its own;
    returns each thread's result or the exception it raised, in thread order."""
    start = threading.Barrier(count)
    results: list[object] = [RuntimeError("did not run")] * count

    def run(index: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                results[index] = work(session, index)
            except BaseException as error:  # reported to the test
                results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
