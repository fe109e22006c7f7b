"""One look for all the streams of a worker: bookmarks saved together, new commands found."""

import httpx2 as httpx
from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app
from app.web.player.streamhub import StreamHub

from ..live_server import serving
from .conftest import new_session


def test_one_tick_saves_every_bookmark_and_reads_every_watched_version(settings):
    with TestClient(create_app(settings)) as client:
        first, second = new_session(client, "shared"), new_session(client, "partitioned")
        hub = StreamHub(client.app.state.iovlab.engine, poll_s=60)
        hub.watch(first, 0)
        hub.watch(second, 0)
        command = {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 1}
        client.post(f"/api/sessions/{second}/commands", json=command)
        hub.bookmark(first, 7)
        hub.bookmark(second, 3)
        hub.tick()
        assert client.get(f"/api/sessions/{first}").json()["cursor"] == 7
        assert client.get(f"/api/sessions/{second}").json()["cursor"] == 3
        assert (hub.version(first), hub.version(second)) == (0, 1)
        hub.unwatch(first)
        assert hub.version(first) is None


def test_a_played_stream_leaves_its_cursor_at_the_last_hop(database_url):
    settings = Settings(database_url=database_url, hop_interval_s=0.01, stream_poll_s=0.05)
    with serving(settings) as base:
        session = httpx.post(f"{base}/api/sessions", json={"scenario": "shared"}).json()
        sid, owner = session["id"], {"Authorization": f"Bearer {session['token']}"}
        total = len(httpx.get(f"{base}/api/sessions/{sid}/trace").json()["hops"])
        url = f"{base}/s/{sid}/stream"
        # the owner's stream: only the owner's position is the session's bookmark
        with httpx.stream("GET", url, params={"from": 0}, timeout=10, headers=owner) as r:
            for line in r.iter_lines():
                if line == f"id: {total - 1}":
                    break
        cursor = None
        for _ in range(100):
            cursor = httpx.get(f"{base}/api/sessions/{sid}").json()["cursor"]
            if cursor == total - 1:
                break
            __import__("time").sleep(0.02)
        assert cursor == total - 1


def test_a_command_from_another_client_reaches_a_stream_that_is_still_playing(database_url):
    settings = Settings(database_url=database_url, hop_interval_s=0.05, stream_poll_s=0.05)
    with serving(settings) as base:
        session = httpx.post(f"{base}/api/sessions", json={"scenario": "shared"}).json()
        sid, owner = session["id"], {"Authorization": f"Bearer {session['token']}"}
        before = len(httpx.get(f"{base}/api/sessions/{sid}/trace").json()["hops"])
        ids = []
        with httpx.stream("GET", f"{base}/s/{sid}/stream", params={"from": 0}, timeout=30) as r:
            for line in r.iter_lines():
                if line.startswith("id:"):
                    ids.append(int(line[3:]))
                    if len(ids) == 2:  # mid-trace, another client adds a request
                        command = {
                            "op": "net_send",
                            "guest": "vm1",
                            "device": "nic0",
                            "dst_ip": "10.0.0.2",
                            "bytes": 100,
                        }
                        url = f"{base}/api/sessions/{sid}/commands?cursor=0"
                        httpx.post(url, json=command, headers=owner)  # the owner, elsewhere
                    if len(ids) == before + 2:
                        break
        assert ids == list(range(before + 2))  # past the old end: the new request's hops
