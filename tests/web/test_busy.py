"""Many requests at once against few database connections: every one is answered, none waits
forever. (A connection held while waiting for a worker thread, with every thread waiting for a
connection, once stopped a loaded server dead.)"""

from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.web.app import create_app

from ..live_server import serving
from .conftest import new_session


def test_a_burst_far_larger_than_the_pool_is_answered_in_full(settings):
    tight = settings.model_copy(update={"db_pool_size": 1, "sessions_per_minute": 10_000})
    with serving(tight) as base:
        session = httpx.post(f"{base}/api/sessions", json={"scenario": "all-devices"}).json()
        sid, owner = session["id"], {"Authorization": f"Bearer {session['token']}"}
        command = {"op": "key_press", "device": "kbd0", "key": "z"}

        def one(i):
            if i % 4 == 0:
                url = f"{base}/api/sessions/{sid}/commands"
                return httpx.post(url, json=command, timeout=60, headers=owner).status_code
            if i % 4 == 1:
                shipped = {"scenario": "shared"}
                return httpx.post(f"{base}/api/sessions", json=shipped, timeout=60).status_code
            if i % 4 == 2:
                return httpx.get(f"{base}/api/sessions/{sid}", timeout=60).status_code
            return httpx.get(f"{base}/s/{sid}", timeout=60).status_code

        with ThreadPoolExecutor(max_workers=120) as pool:
            statuses = list(pool.map(one, range(240)))
    assert statuses.count(201) == 120 and statuses.count(200) == 120


def test_a_request_that_cannot_get_a_connection_in_time_is_a_clear_503(settings, monkeypatch):
    from app.store import sessions as repo

    with TestClient(create_app(settings)) as client:
        sid = new_session(client, "shared")

        def busy(*args, **kwargs):
            raise PoolTimeout("QueuePool limit of size 1 overflow 1 reached")

        monkeypatch.setattr(repo, "get_session_presented", busy)
        response = client.get(f"/api/sessions/{sid}")
        assert response.status_code == 503 and response.headers["retry-after"] == "2"
        assert "busy" in response.json()["detail"]
