"""The connection pool: as many connections as worker threads, none closed after a peak, an
idle one checked before it is handed out."""

import time

from sqlalchemy import create_engine, text

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


def test_a_connection_the_database_dropped_while_idle_is_replaced_unseen():
    # PostgreSQL restarted (or an administrator ended idle backends) during a quiet hour:
    # the first request after it still gets a working connection
    with postgres_schema() as url:
        engine = make_engine(url, pool_size=1, idle_ping_s=0.05)
        try:
            with engine.connect() as connection:
                dropped = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            other = create_engine(url)
            with other.connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
                admin.commit()
            other.dispose()
            time.sleep(0.1)
            with engine.connect() as connection:
                pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            assert pid != dropped
        finally:
            engine.dispose()


def test_a_connection_used_moments_ago_is_handed_out_without_a_ping(monkeypatch):
    # a busy worker's connections go back and forth many times a second: a round trip to
    # the database before each would be a sixth of a command's work
    with postgres_schema() as url:
        engine = make_engine(url, pool_size=1, idle_ping_s=60)
        pings = []
        real = engine.dialect.do_ping
        monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real(c))
        try:
            for _ in range(20):
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            assert pings == []
        finally:
            engine.dispose()
