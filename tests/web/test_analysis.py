"""The compare view, trace diffs and the contention view."""

import re

from .conftest import new_session

HTMX = {"HX-Request": "true"}


def test_compare_shows_three_lanes_charts_and_traps_per_printed_page(client):
    sid = new_session(client, "levels")
    page = client.get(f"/s/{sid}/compare").text
    for level in ("io operation", "device driver", "system call"):
        assert f"<h3>{level}</h3>" in page
    assert page.count('<figure class="chart">') == 3 and "Traps per request" in page
    assert "costs <strong>8,001 traps per page</strong>" in page
    # six requests of the guests and the VMM's printing of the one print job
    totals = re.findall(
        r'<td class="lvl-\d">([a-z ]+)</td><td>7</td><td>(\d)</td><td>(\d)</td><td>([\d,]+)</td>',
        page,
    )
    assert totals == [
        ("io operation", "7", "0", "8,035"),
        ("device driver", "7", "0", "5"),
        ("system call", "6", "1", "5"),
    ]
    assert "Means over the requests that ended ok" in page
    # vm2's write, refused in 4 µs, is not averaged into the two ok requests' 5 µs
    assert "<title>partitioned, system call: 5.0 µs</title>" in page


def test_lanes_step_together_in_simulated_time(client):
    sid = new_session(client, "levels")
    first = client.get(f"/s/{sid}/compare/lanes?step=0", headers=HTMX).text
    later = client.get(f"/s/{sid}/compare/lanes?step=12", headers=HTMX).text
    assert "t = <strong>0 µs</strong>" in first
    assert "moment 13 of" in later
    # at the same moment the I/O-operation lane has taken more traps than the others
    traps = [
        int(n.replace(",", "")) for n in re.findall(r'<p class="big">([\d,]+) <small>traps', later)
    ]
    assert traps[0] > traps[1] and traps[0] > traps[2]


def test_diff_of_the_same_request_at_two_levels(client):
    sid = new_session(client, "levels")
    query = "a_level=io_operation&a_request=r1&b_level=device_driver&b_request=r1"
    html = client.get(f"/s/{sid}/compare/diff?{query}", headers=HTMX).text
    assert "8 hops only in A, 0 only in B" in html
    assert html.count('class="only_a"') == 8


def test_diff_of_a_frame_through_the_nic_and_through_the_virtual_switch(client):
    sid = new_session(client, "all-devices")
    trace = client.get(f"/api/sessions/{sid}/trace").json()
    nic = next(
        r["id"] for r in trace["requests"] if r["op"] == "net_send" and r["device"] == "nic0"
    )
    vsw = next(
        r["id"] for r in trace["requests"] if r["op"] == "net_send" and r["device"] == "vsw0"
    )
    query = f"a_level=device_driver&a_request={nic}&b_level=device_driver&b_request={vsw}"
    html = client.get(f"/s/{sid}/compare/diff?{query}", headers=HTMX).text
    only_a = re.findall(r'<tr class="only_a">\s*<td><span class="stage">([a-z ]+)</span>', html)
    assert "physical device" in only_a


def test_diff_names_a_request_that_does_not_exist(client):
    sid = new_session(client, "levels")
    query = "a_level=io_operation&a_request=r99&b_level=device_driver&b_request=r1"
    assert (
        "There is no request r99 at io_operation"
        in client.get(f"/s/{sid}/compare/diff?{query}").text
    )
    assert (
        client.get(
            f"/s/{sid}/compare/diff?a_level=warp&a_request=r1&b_level=x&b_request=r1"
        ).status_code
        == 422
    )


def test_contention_view_draws_each_devices_occupancy_and_fairness(client):
    sid = new_session(client, "spooled")
    page = client.get(f"/s/{sid}/contention").text
    assert page.count('class="busy"') == 6  # six pages printed
    assert page.count('class="waiting"') == 2  # the second and third jobs waited
    assert "Jain&#39;s fairness index" in page or "Jain's fairness index" in page
    assert re.search(r"<strong class=\"big-inline\">1\.000</strong>", page)
    # each bar opens the player at the hop behind it: the first page printed is hop 16
    first_page = next(
        h["seq"]
        for h in client.get(f"/api/sessions/{sid}/trace").json()["hops"]
        if h["stage"] == "physical_device"
    )
    assert f'<a href="/s/{sid}?at={first_page + 1}" aria-label=' in page


def test_contention_window_narrows_what_is_counted(client):
    sid = new_session(client, "spooled")
    page = client.get(f"/s/{sid}/contention?from_ms=0&to_ms=6001").text
    assert re.search(r'data-guest="vm1"[^<]*<svg.*?</svg>vm1</span></td><td>1</td>', page)
    assert re.search(r'data-guest="vm2"[^<]*<svg.*?</svg>vm2</span></td><td>0</td>', page)


def test_generator_opens_a_new_session_in_the_contention_view(client):
    form = {
        "guests": "5",
        "device": "nic",
        "rate_per_s": "200",
        "duration_ms": "50",
        "level": "io_operation",
        "seed": "7",
    }
    response = client.post("/contention", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/contention")
    sid = response.headers["location"].split("/")[2]
    info = client.get(f"/api/sessions/{sid}").json()
    assert info["name"] == "5 guests contend for the nic"
    trace = client.get(f"/api/sessions/{sid}/trace").json()
    assert {r["guest"] for r in trace["requests"]} == {f"vm{i}" for i in range(1, 6)}


def test_generator_refuses_too_much_or_nonsense(client):
    too_much = {"guests": "16", "device": "disk", "rate_per_s": "10000", "duration_ms": "1000"}
    response = client.post("/contention", data=too_much)
    assert response.status_code == 422 and "at most 10,000" in response.text
    assert client.post("/contention", data={"guests": "40"}).status_code == 422
    assert client.post("/contention", data={"device": "tape"}).status_code == 422


def test_compare_shows_the_bare_machine_and_virtio_under_load(client):
    sid = new_session(client, "levels")
    page = client.get(f"/s/{sid}/compare").text
    assert "The bare machine" in page
    # a 1,500-byte frame: 13 µs natively; e1000 adds 16 µs, virtio 3 µs, the system call 5 µs
    row = re.search(r"<tr><td>shared</td><td>13.0 µs</td>\s*(.*?)</tr>", page, flags=re.S)
    assert row is not None
    assert re.findall(r"<td>([\d.]+%)</td>", row.group(1)) == ["123.1%", "23.1%", "38.5%"]
    assert "<caption>net_send on nic0</caption>" in page
    curve = page.split("<caption>net_send on nic0</caption>")[1].split("</table>")[0]
    cells = re.findall(r"<tr><td>([\d,]+)</td><td>([\d.]+)</td><td>([\d.]+)</td>", curve)
    assert cells[0] == ("100", "1.00", "1.00") and cells[-1] == ("200,000", "0.05", "1.00")


def test_the_bare_machine_shows_a_small_share_to_two_figures_not_as_nothing(client):
    """Six guests queue for one disk: a request waits 230 ms on the bare machine too, so
    what a level adds is a few hundredths of a percent, shown as such and not as 0.0%."""
    form = {"guests": "6", "device": "disk", "rate_per_s": "40", "duration_ms": "200"}
    generated = client.post("/contention", data=form)
    sid = str(generated.url).split("/s/")[1].split("/")[0]
    page = client.get(f"/s/{sid}/compare").text
    row = re.search(r"<tr><td>partitioned</td><td>([\d,.]+) µs</td>\s*(.*?)</tr>", page, re.S)
    assert row is not None
    native = float(row.group(1).replace(",", ""))
    assert native > 1000 and "," in row.group(1)
    shares = re.findall(r"<td>([\d.]+)%</td>", row.group(2))
    assert len(shares) == 3 and all(float(s) > 0 for s in shares), shares
