"""The compare lanes and contention bars lead to the player, in the player's guest colours."""

import re
from pathlib import Path

from app.diagram.colours import GUESTS
from app.sim import load_scenario_file, simulate

from .conftest import new_session

HTMX = {"HX-Request": "true"}
LEVELS_YAML = Path(__file__).resolve().parents[2] / "scenarios" / "levels.yaml"
LANE = re.compile(r'<article class="lane lvl-\d" aria-label="([a-z ]+)">(.*?)</article>', re.S)
SHOWN = re.compile(r"hop (\d+)/\d+</small>")
LINK = re.compile(r'<a (?:class="req" )?href="/s/[^"?]+\?at=(\d+)"[^>]*>([^<]+)</a>')


def lanes(client, sid, step):
    html = client.get(f"/s/{sid}/compare/lanes?step={step}", headers=HTMX).text
    return {level.replace(" ", "_"): body for level, body in LANE.findall(html)}


def starts(hops):
    first: dict[str, int] = {}
    for hop in hops:
        first.setdefault(hop["request"], hop["seq"])
    return first


def test_a_request_in_the_sessions_own_lane_opens_the_player_where_it_starts(client):
    sid = new_session(client, "levels")  # its requests all run at the I/O-operation level
    own = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
    first = starts(own)
    steps = int(re.search(r"moment 1 of (\d+)", lanes_html(client, sid)).group(1))
    seen = set()
    for step in range(0, steps, 5):
        lane = lanes(client, sid, step)["io_operation"]
        shown = int(SHOWN.search(lane).group(1))
        request = own[shown - 1]["request"]  # the lane's hop is the player's hop
        at, text = LINK.search(lane).groups()
        assert (int(at), text) == (first[request] + 1, request)
        assert own[int(at) - 1]["request"] == request and "The session's own run" in lane
        seen.add(request)
    assert len(seen) > 3


def lanes_html(client, sid):
    return client.get(f"/s/{sid}/compare/lanes?step=0", headers=HTMX).text


def test_another_levels_lane_says_it_is_a_separate_run_and_leads_to_the_same_request(client):
    sid = new_session(client, "levels")
    hops = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
    first = starts(hops)
    scenario = load_scenario_file(LEVELS_YAML)
    own = simulate(scenario, [])  # the session's run, with where each request came from
    assert [h.request for h in own.hops] == [h["request"] for h in hops]
    for level in ("device_driver", "system_call"):
        other = simulate(scenario, [], level=level)
        for step in (3, 30, 60):
            lane = lanes(client, sid, step)[level]
            assert "A separate run: the player does not play it" in lane
            assert 'class="req" href' not in lane
            request = other.hops[int(SHOWN.search(lane).group(1)) - 1].request
            record = next(r for r in other.requests if r.id == request)
            mine = next(
                r.id
                for r in own.requests
                if (r.origin, r.guest, r.op) == (record.origin, record.guest, record.op)
            )
            at, text = LINK.search(lane).groups()
            assert int(at) == first[mine] + 1
            assert text == f"{mine} in the session's run, from hop {at}"


def test_when_no_level_is_the_sessions_own_run_no_lane_claims_the_players_hops(client):
    sid = new_session(client, "levels")
    command = {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 3, "count": 1}
    response = client.post(
        f"/api/sessions/{sid}/commands", json={**command, "level": "system_call"}
    )
    assert response.status_code == 201
    shown = lanes(client, sid, 40)
    assert len(shown) == 3
    for lane in shown.values():
        assert "The session's own run" not in lane and 'class="req" href' not in lane
        assert "levels of their own" in lane


def test_a_contention_bar_opens_the_player_at_the_hop_it_stands_for(client):
    sid = new_session(client, "spooled")
    hops = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
    page = client.get(f"/s/{sid}/contention").text
    bars = re.findall(
        r'<a href="/s/[^"?]+\?at=(\d+)" aria-label="([^"]+)"><rect [^>]*class="(busy|waiting)"',
        page,
    )
    assert len(bars) == 8
    for at, label, _kind in bars:
        hop = hops[int(at) - 1]
        # the printed page behind the bar, named in the link
        assert hop["stage"] == "physical_device"
        assert label.startswith(f"{hop['guest']}: {hop['request']} ")
        assert label.endswith(f"Open the player at hop {at}")
        assert f"p{hop['detail']['page']}/" in label


def generated(client, guests, device="disk"):
    form = {"guests": str(guests), "device": device, "rate_per_s": "40", "duration_ms": "200"}
    response = client.post("/contention", data=form, follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"].split("/")[2]


def test_sixteen_guests_get_sixteen_colours_and_the_players_second_cue(client):
    sid = generated(client, 16)
    page = client.get(f"/s/{sid}/contention").text
    fills: dict[str, set[str]] = {}
    for guest, fill in re.findall(r'class="busy" data-guest="(vm\d+)" fill="([^"]+)"', page):
        fills.setdefault(guest, set()).add(fill)
    assert len(fills) == 16 and all(len(f) == 1 for f in fills.values())
    assert len({f for fs in fills.values() for f in fs}) == 16
    # the player's colour for each guest, in the order the player colours them
    for i in range(16):
        assert fills[f"vm{i + 1}"] == {GUESTS[i]}
    # each row is marked as the player marks its guest: 1-8 circles, 9-16 squares, named
    rows = re.findall(
        r'<(circle|rect) class="gmark"[^>]*fill="([^"]+)"/>\s*<text[^>]*>disk0 · (vm\d+)<', page
    )
    assert {(shape, guest) for shape, _, guest in rows} == {
        ("circle" if i < 8 else "rect", f"vm{i + 1}") for i in range(16)
    }
    # the table beside the chart names each guest in the same colour and shape
    chips = re.findall(
        r'data-guest="(vm\d+)" data-shape="(\w+)"><svg[^>]*><\w+ class="gmark"[^>]*fill="([^"]+)"',
        page,
    )
    assert len(chips) == 16
    assert all(fill == GUESTS[int(g[2:]) - 1] for g, _, fill in chips)
    assert {s for g, s, _ in chips if int(g[2:]) > 8} == {"square"}


def test_the_compare_lanes_colour_a_guest_as_the_player_does(client):
    sid = generated(client, 16)
    chip = re.compile(r'data-guest="vm(\d+)" data-shape="(\w+)"><svg[^>]*><\w+[^>]*fill="([^"]+)"')
    seen = set()
    for step in range(0, 400, 7):
        for lane in lanes(client, sid, step).values():
            for number, shape, fill in chip.findall(lane):
                index = int(number) - 1
                assert (shape, fill) == ("circle" if index < 8 else "square", GUESTS[index])
                seen.add(index)
    assert any(i >= 8 for i in seen) and any(i < 8 for i in seen)
