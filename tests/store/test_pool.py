"""The connection pool: as many connections as worker threads, none closed after a peak."""

from app.store.db import make_engine

from ..databases import postgres_schema


def test_connections_opened_at_a_peak_are_kept_for_the_next_one():
    # a PostgreSQL connection is a server process: closing the ones a peak opened made the
    # next peak start new ones, at a cost a busy class paid on every few requests
    with postgres_schema() as url:
        engine = make_engine(url, pool_size=2)
        try:
            peak = [engine.connect() for _ in range(4)]  # 2 × pool_size: every worker thread
            raw = {id(c.connection.dbapi_connection) for c in peak}
            for connection in peak:
                connection.close()
            assert engine.pool.checkedin() == 4
            again = [engine.connect() for _ in range(4)]
            assert {id(c.connection.dbapi_connection) for c in again} == raw
            for connection in again:
                connection.close()
        finally:
            engine.dispose()
