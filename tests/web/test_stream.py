"""The hop stream over a real socket: ids, pacing, resuming, and new hops."""

import re
import time

import httpx2 as httpx
import pytest

from app.settings import Settings

from ..live_server import serving


@pytest.fixture
def base(database_url):
    settings = Settings(
        database_url=database_url,
        hop_interval_s=0.01,
        stream_poll_s=0.02,
        streams_per_client=100,
    )
    with serving(settings) as url:
        yield url


def create(base, scenario="partitioned"):
    return created(base, scenario)["id"]


def created(base, scenario="partitioned"):
    """A new session's id and its owner's token."""
    return httpx.post(f"{base}/api/sessions", json={"scenario": scenario}).json()


def owner(session):
    return {"Authorization": f"Bearer {session['token']}"}


def read_events(base, sid, count, *, params=None, headers=None):
    """The first ``count`` events: (id, event name, data)."""
    events, current = [], {}
    with httpx.stream(
        "GET", f"{base}/s/{sid}/stream", params=params, headers=headers, timeout=10
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith(("id:", "event:", "data:")):
                key, _, value = line.partition(":")
                current[key] = current.get(key, "") + value.strip()
            elif line == "" and current:
                if "id" in current:
                    events.append(
                        (int(current["id"]), current.get("event"), current.get("data", ""))
                    )
                current = {}
                if len(events) == count:
                    break
    return events


def test_events_carry_the_hop_seq_as_id_in_order(base):
    sid = create(base)
    events = read_events(base, sid, 5)
    assert [e[0] for e in events] == [0, 1, 2, 3, 4]
    assert all(e[1] == "hop" for e in events)
    assert re.search(r'data-k="3"', events[3][2])


def test_from_starts_at_that_hop(base):
    sid = create(base)
    assert [e[0] for e in read_events(base, sid, 3, params={"from": 10})] == [10, 11, 12]


def test_last_event_id_resumes_right_after_it(base):
    sid = create(base)
    first = read_events(base, sid, 4)
    resumed = read_events(
        base, sid, 3, params={"from": 0}, headers={"Last-Event-ID": str(first[-1][0])}
    )
    assert [e[0] for e in resumed] == [4, 5, 6]


def cursor_of(base, sid):
    return httpx.get(f"{base}/api/sessions/{sid}").json()["cursor"]


def test_without_from_the_stream_starts_after_the_owners_last_played_hop(base):
    session = created(base)
    sid = session["id"]
    read_events(base, sid, 8, params={"from": 0, "until": 7}, headers=owner(session))
    deadline = time.monotonic() + 5  # the owner's place is saved at the hub's next look
    while cursor_of(base, sid) != 7 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert cursor_of(base, sid) == 7
    read_events(base, sid, 5, params={"from": 20, "until": 24})  # a viewer: their place only
    time.sleep(0.2)
    assert cursor_of(base, sid) == 7
    assert read_events(base, sid, 1)[0][0] == 8


def test_a_command_adds_hops_to_an_open_stream(base):
    session = created(base)
    sid = session["id"]
    total = len(httpx.get(f"{base}/api/sessions/{sid}/trace").json()["hops"])
    with httpx.stream("GET", f"{base}/s/{sid}/stream", params={"from": total}, timeout=10) as r:
        command = {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 3}
        url = f"{base}/api/sessions/{sid}/commands?cursor={total - 1}"
        issued = httpx.post(url, json=command, headers=owner(session))
        assert issued.status_code == 201
        for line in r.iter_lines():
            if line.startswith("id:"):
                assert int(line.split(":")[1]) == total
                break


def test_bad_stream_parameters_are_refused(base):
    sid = create(base)
    assert httpx.get(f"{base}/s/{sid}/stream", params={"speed": 10}).status_code == 422
    assert httpx.get(f"{base}/s/{sid}/stream", params={"from": -3}).status_code == 422
    other = httpx.get(f"{base}/s/{sid}/stream", params={"format": "stage"})
    assert other.status_code == 422 and "format" in other.text and "hops" in other.text


def test_many_open_streams_do_not_starve_other_requests(base):
    """Streams hold no database connection: more of them than the pool still leaves room."""
    import contextlib
    import time

    sid = create(base)
    with contextlib.ExitStack() as stack:
        for _ in range(25):  # the connection pool holds 15
            stack.enter_context(
                httpx.stream("GET", f"{base}/s/{sid}/stream", params={"from": 10**6}, timeout=10)
            )
        started = time.monotonic()
        assert httpx.get(f"{base}/api/sessions/{sid}", timeout=10).status_code == 200
        assert time.monotonic() - started < 2


def test_a_client_holds_a_bounded_number_of_open_streams(database_url):
    import contextlib

    settings = Settings(database_url=database_url, streams_per_client=3, stream_poll_s=0.02)
    with serving(settings) as url:
        sid = create(url)
        with contextlib.ExitStack() as stack:
            for _ in range(3):
                stack.enter_context(
                    httpx.stream("GET", f"{url}/s/{sid}/stream", params={"from": 10**6}, timeout=10)
                )
            refused = httpx.get(f"{url}/s/{sid}/stream", timeout=10)
            assert refused.status_code == 429 and "too many open streams" in refused.text
        for _ in range(50):  # the places come back when the streams close
            with httpx.stream(
                "GET", f"{url}/s/{sid}/stream", params={"from": 10**6}, timeout=10
            ) as again:
                if again.status_code == 200:
                    break
            time.sleep(0.05)
        assert again.status_code == 200


def test_a_stream_with_nothing_new_to_send_ends_with_an_idle_event(database_url):
    settings = Settings(
        database_url=database_url, hop_interval_s=0.01, stream_poll_s=0.02, stream_idle_s=0.3
    )
    with serving(settings) as url:
        sid = create(url)
        total = len(httpx.get(f"{url}/api/sessions/{sid}/trace").json()["hops"])
        names = []
        started = time.monotonic()
        with httpx.stream("GET", f"{url}/s/{sid}/stream", params={"from": 0}, timeout=10) as r:
            for line in r.iter_lines():  # ends when the server closes the stream
                if line.startswith("event:"):
                    names.append(line.split(":", 1)[1].strip())
        assert names == ["hop"] * total + ["idle"]
        assert time.monotonic() - started < 5


def test_a_streamed_hop_is_the_event_the_drawn_player_applies(base):
    sid = create(base, "all-devices")
    ((seq, name, data),) = read_events(base, sid, 1, params={"from": 60})
    assert (seq, name) == (60, "hop")
    event = httpx.get(f"{base}/s/{sid}/hops/60").text
    assert data == "".join(line.strip() for line in event.splitlines())
    assert 'data-k="60"' in data and data.count('<li id="log-') == 1  # its own log line only
    assert len(data) < 4096  # what the hop changed, not the whole machine
    ((_, _, named),) = read_events(base, sid, 1, params={"from": 60, "format": "hops"})
    assert named == data


def test_a_stream_asks_for_its_sessions_film_once_not_once_a_hop(client, session_id, monkeypatch):
    """With more sessions streaming than the shared cache of films keeps, a film asked for
    at every hop was rebuilt from the whole trace at every hop: a class of 500 stopped."""
    from sse_starlette import ServerSentEvent

    from app.web.drawn import HopEvents, render_hop
    from app.web.player.stream import RETRY_MS, HopRenderer

    iovlab = client.app.state.iovlab
    live = iovlab.sessions.load(session_id)
    asked = []
    real = iovlab.films.of
    monkeypatch.setattr(iovlab.films, "events", HopEvents(1))  # keeps no event: every hop made
    monkeypatch.setattr(iovlab.films, "of", lambda *a, **k: asked.append(1) or real(*a, **k))
    render = HopRenderer("laptop")
    events = [render(iovlab, live, k) for k in range(len(live.trace.hops))]
    assert len(asked) == 1 and len(events) > 20
    monkeypatch.undo()
    made = render_hop(iovlab, live, 7, profile="laptop")  # the same event, framed
    assert events[7] == ServerSentEvent(data=made, event="hop", id="7", retry=RETRY_MS).encode()


def test_streams_of_the_same_content_send_one_framing_of_each_hop(client):
    """A class streaming one scenario: each hop is rendered and framed once, and every
    other student's stream sends those bytes from the event loop."""
    from app.web.player.stream import HopRenderer

    iovlab = client.app.state.iovlab
    first, second = (
        client.post("/api/sessions", json={"scenario": "shared"}).json() for _ in range(2)
    )
    one, two = (iovlab.sessions.load(s["id"]) for s in (first, second))
    mine, theirs = HopRenderer("laptop"), HopRenderer("laptop")
    assert theirs.at_once(iovlab, two, 5) is None  # nothing made yet, and no film held
    frame = mine(iovlab, one, 5)
    assert frame.startswith(b"id: 5\r\nevent: hop\r\ndata: ") and frame.endswith(b"\r\n\r\n")
    assert theirs.at_once(iovlab, two, 5) is frame  # the same bytes, not made again
    assert HopRenderer("projector").at_once(iovlab, two, 5) is None  # drawn for its own screen


def test_a_streams_next_hop_is_made_at_once_and_never_waits_for_a_fold(
    client, session_id, monkeypatch
):
    """A stream holding its film makes its next hop where it sends it (no worker thread),
    the same bytes a thread makes; a hop beyond the fold, or a fold another thread holds,
    is left to a thread rather than waited for on the event loop."""
    from app.web.drawn import HopEvents
    from app.web.player.stream import HopRenderer

    iovlab = client.app.state.iovlab
    monkeypatch.setattr(iovlab.films, "frames", HopEvents(1))  # keeps no frame: all made
    live = iovlab.sessions.load(session_id)
    render = HopRenderer("laptop")
    assert render.at_once(iovlab, live, 0) is None  # no film held yet: a thread builds it
    by_thread = [render(iovlab, live, 0)]
    film = render._held[live.digest]
    with film.pieces._folding:  # a page's thread folding the same film
        assert render.at_once(iovlab, live, 1) is None
    assert render.at_once(iovlab, live, 5) is None  # four hops of fold: a thread's work
    at_once = [render.at_once(iovlab, live, k) for k in range(1, len(live.trace.hops))]
    again = HopRenderer("laptop")
    by_thread += [again(iovlab, live, k) for k in range(1, len(live.trace.hops))]
    assert [by_thread[0], *at_once] == by_thread


def test_sessions_of_the_same_content_share_their_hop_events_until_one_diverges(client):
    """A class playing one scenario: each hop's event is made once, and it names no session,
    so every student's stream carries the same bytes; a command makes a session its own."""
    from app.web import hop_parts
    from app.web.drawn import render_hop

    iovlab = client.app.state.iovlab
    made = []
    real = hop_parts.hop_event
    first, second = (
        client.post("/api/sessions", json={"scenario": "partitioned"}).json() for _ in range(2)
    )
    one, two = (iovlab.sessions.load(s["id"]) for s in (first, second))
    assert one.trace is two.trace  # replayed once, for both
    events = [render_hop(iovlab, one, k) for k in range(len(one.trace.hops))]
    hop_parts.hop_event = lambda **parts: made.append(parts["k"]) or real(**parts)
    try:
        again = [render_hop(iovlab, two, k) for k in range(len(two.trace.hops))]
        assert again == events and made == []  # nothing rendered for the second student
        assert not any(s["id"] in e for e in events for s in (first, second))
        owner = {"Authorization": f"Bearer {second['token']}"}
        command = {"op": "disk_read", "guest": "vm1", "device": "disk0", "block": 3}
        issued = client.post(f"/api/sessions/{second['id']}/commands", json=command, headers=owner)
        assert issued.status_code == 201, issued.text
        two = iovlab.sessions.load(second["id"])
        assert len(two.trace.hops) > len(one.trace.hops) and two.digest != one.digest
        last = len(two.trace.hops) - 1
        assert f'data-k="{last}"' in render_hop(iovlab, two, last)  # its own hop, made now
        assert made  # rendered for the session that diverged
        assert iovlab.sessions.load(first["id"]).trace is one.trace  # the other as it was
    finally:
        hop_parts.hop_event = real


def test_a_command_is_answered_while_streams_fill_every_rendering_thread(database_url, monkeypatch):
    """Hundreds of streams want a render five times a second; they render on threads of
    their own, so a student's command never queues behind other students' hops (here the
    server has 4 threads for requests, and 8 streams each wait for a render)."""

    from app.web.player import stream as streaming

    settings = Settings(database_url=database_url, db_pool_size=2, streams_per_client=100)
    with serving(settings) as base:
        _command_beside_stuck_renders(base, monkeypatch, streaming)


def _command_beside_stuck_renders(base, monkeypatch, streaming):
    import threading

    release, started = threading.Event(), threading.Semaphore(0)
    real = streaming.HopRenderer.__call__

    def stuck(self, *args):
        started.release()
        release.wait(10)
        return real(self, *args)

    monkeypatch.setattr(streaming.HopRenderer, "__call__", stuck)
    streams, sessions = [], [created(base) for _ in range(8)]
    try:
        for session in sessions:  # more streams than rendering threads, each with a new hop
            events = threading.Thread(
                target=read_events, args=(base, session["id"], 1), daemon=True
            )
            events.start()
            streams.append(events)
        for _ in range(streaming.RENDERING.total_tokens):
            assert started.acquire(timeout=5)  # every rendering thread is held
        mine = sessions[0]
        began = time.monotonic()
        issued = httpx.post(
            f"{base}/api/sessions/{mine['id']}/commands",
            json={"op": "disk_read", "guest": "vm1", "device": "disk0", "block": 3},
            headers=owner(mine),
            timeout=5,
        )
        assert issued.status_code == 201 and time.monotonic() - began < 2
    finally:
        release.set()
        for events in streams:
            events.join(10)
