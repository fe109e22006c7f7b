"""A session changes only by its owner: the browser that made it, or the bearer of its
token. Everyone else views it read-only from their own position, and may fork it."""

import pytest
from fastapi.testclient import TestClient

COMMAND = {"op": "disk_write", "device": "disk0", "guest": "vm2", "block": 7}
HTMX = {"HX-Request": "true"}


@pytest.fixture
def other(client):
    """Another browser with the session's link: its own cookies, none of the owner's."""
    with TestClient(client.app) as other:
        yield other


def test_the_api_gives_the_owner_a_token_and_nobody_else_may_change_the_session(client, other):
    made = client.post("/api/sessions", json={"scenario": "partitioned"}).json()
    sid, token = made["id"], made["token"]
    assert made["url"] == f"/s/{sid}" and len(token) >= 32
    assert other.post(f"/api/sessions/{sid}/commands", json=COMMAND).status_code == 403
    forged = {"Authorization": "Bearer " + token[::-1]}
    assert (
        other.post(f"/api/sessions/{sid}/commands", json=COMMAND, headers=forged).status_code == 403
    )
    bearer = {"Authorization": f"Bearer {token}"}
    assert (
        other.post(f"/api/sessions/{sid}/commands", json=COMMAND, headers=bearer).status_code == 201
    )
    assert client.post(f"/api/sessions/{sid}/commands", json=COMMAND).status_code == 201  # cookie
    assert len(client.get(f"/api/sessions/{sid}").json()["commands"]) == 2


def test_a_viewer_sees_the_session_read_only_and_moves_nobody_else(client, other):
    made = client.post("/sessions", data={"scenario": "partitioned"}, follow_redirects=False)
    sid = made.headers["location"].removeprefix("/s/")
    own = client.get(f"/s/{sid}").text
    assert 'id="composer"' in own and "Make my own copy" not in own
    seen = other.get(f"/s/{sid}?at=12").text
    assert 'id="composer"' not in seen and "Make my own copy" in seen
    form = {"device": "disk0", "op": "disk_write", "guest": "vm1", "block": "3", "cursor": "5"}
    assert other.post(f"/s/{sid}/commands", data=form, headers=HTMX).status_code == 403
    assert other.get(f"/s/{sid}/hops/20").status_code == 200  # a viewer stepping: their place
    assert client.get(f"/api/sessions/{sid}").json()["cursor"] == -1
    assert client.get(f"/api/sessions/{sid}").json()["commands"] == []


def test_make_my_own_copy_forks_the_session_where_i_was(client, other):
    made = client.post("/api/sessions", json={"scenario": "partitioned"}).json()
    sid = made["id"]
    client.post(f"/api/sessions/{sid}/commands", json=COMMAND)
    forked = other.post(f"/s/{sid}/fork", data={"cursor": "9"}, headers=HTMX)
    assert forked.status_code == 204
    url = forked.headers["HX-Redirect"]
    copy = url.split("?")[0].removeprefix("/s/")
    assert copy != sid and url.endswith("?at=10")
    original, mine = (
        client.get(f"/api/sessions/{sid}").json(),
        other.get(f"/api/sessions/{copy}").json(),
    )
    assert mine["commands"] == original["commands"] and mine["cursor"] == 9
    assert other.post(f"/api/sessions/{copy}/commands", json=COMMAND).status_code == 201
    assert client.post(f"/api/sessions/{copy}/commands", json=COMMAND).status_code == 403
    assert len(client.get(f"/api/sessions/{sid}").json()["commands"]) == 1  # left as it was
