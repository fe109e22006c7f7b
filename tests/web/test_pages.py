"""The HTML pages and fragments, through the same routes the browser uses."""

import csv
import hashlib
import html
import io
import re
from pathlib import Path

from app.sim.scenario import CATEGORIES

from .conftest import new_session

ROOT = Path(__file__).resolve().parents[2]
HTMX = {"HX-Request": "true"}


def test_home_shows_a_card_per_shipped_scenario_with_its_description(client):
    page = client.get("/").text
    for name in (
        "dedicated",
        "partitioned",
        "shared",
        "spooled",
        "virtual",
        "all-devices",
        "levels",
    ):
        assert f'value="{name}"' in page
    # one card per category in the categories' order, then the wholes
    first = [page.index(f'value="{name}"') for name in (*CATEGORIES, "all-devices", "levels")]
    assert first == sorted(first)
    assert "The printer is spooled: shared by whole jobs" in page
    assert re.search(r'src="/assets/[0-9a-f]{12}/vendor/htmx-2.0.11.min.js"', page)
    assert "unpkg" not in page and "cdn" not in page.lower()


def test_opening_a_shipped_scenario_redirects_to_an_unguessable_session(client):
    response = client.post("/sessions", data={"scenario": "shared"}, follow_redirects=False)
    assert response.status_code == 303
    url = response.headers["location"]
    assert url.startswith("/s/") and len(url) >= len("/s/") + 22
    assert "One network card for three guests" in client.get(url).text


def test_pasted_invalid_scenario_shows_the_problems_next_to_the_text(client):
    text = (
        (ROOT / "scenarios" / "dedicated.yaml").read_text().replace("owner: vm1}", "owner: vm7}", 1)
    )
    response = client.post("/sessions", data={"scenario_yaml": text})
    assert response.status_code == 422
    assert "devices[0].owner: unknown guest &#39;vm7&#39; (known: vm1, vm2)" in response.text
    assert "owner: vm7" in response.text  # the text stays in the box to be fixed


def test_uploaded_scenario_file_opens(client):
    text = (ROOT / "scenarios" / "virtual.yaml").read_bytes()
    response = client.post(
        "/sessions", files={"upload": ("v.yaml", text, "text/yaml")}, follow_redirects=False
    )
    assert response.status_code == 303


def test_yaml_syntax_error_and_empty_form_are_shown_not_500(client):
    broken = client.post("/sessions", data={"scenario_yaml": "name: [unclosed\n"})
    assert broken.status_code == 422 and "not valid YAML" in broken.text
    empty = client.post("/sessions", data={})
    assert empty.status_code == 422 and "paste a scenario" in empty.text


def test_user_text_is_escaped(client):
    text = (ROOT / "scenarios" / "spooled.yaml").read_text()
    text = text.replace("name: One printer, whole jobs", 'name: "<script>alert(1)</script>"')
    created = client.post("/api/sessions", json={"scenario_yaml": text}).json()
    page = client.get(created["url"]).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_session_page_draws_guests_vmm_and_hardware(client, session_id):
    page = client.get(f"/s/{session_id}").text
    assert 'id="machine"' in page and "guests on top, the VMM in the middle, hardware below" in page
    for station in (
        "st-app-vm1-disk0",
        "st-drv-vm2-disk0",
        "st-bus-disk0",
        "st-model-disk0",
        "st-map-disk0",
        "st-hw-disk0",
        "st-hw-nic0",
        "st-hw-lp0",
        "st-map-vsw0",
        "st-map-console",
    ):
        assert f'id="{station}"' in page
    # a virtual device is a column with no hardware box
    assert 'id="st-hw-vsw0"' not in page and 'id="st-hw-console"' not in page
    assert page.count('class="no-hw-text"') == 4  # "no" above "hardware" in both virtual columns
    assert "mapping table" in page and "vNIC table" in page
    assert 'aria-live="polite"' in page


def test_an_address_opens_its_hop_with_its_station_lit(client):
    sid = new_session(client, "partitioned")
    hops = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
    k = next(h["seq"] for h in hops if h["stage"] == "physical_mapping" and h["guest"] == "vm2")
    page = client.get(f"/s/{sid}?at={k + 1}").text
    assert f"hop <strong>{k + 1}</strong> of {len(hops)}" in page
    assert 'id="st-map-disk0" aria-current="step"' in page.replace('class="st k-map lit" ', "")
    assert "vblock 10 + start 8192 = pblock 8202 → C 64 / H 0 / S 11" in page
    # opening an address moves no one else's player
    assert client.get(f"/api/sessions/{sid}").json()["cursor"] == -1
    assert "Nothing has happened yet" in client.get(f"/s/{sid}?at=0").text


def test_the_trap_handler_names_the_level_of_the_hop_shown(client):
    sid = new_session(client, "levels")  # a scenario at the I/O-operation level
    client.post(
        f"/api/sessions/{sid}/commands",
        json={"op": "disk_read", "device": "disk0", "guest": "vm1", "block": 1},
    )
    client.post(
        f"/api/sessions/{sid}/commands",
        json={
            "op": "disk_read",
            "device": "disk0",
            "guest": "vm1",
            "block": 2,
            "level": "device_driver",
        },
    )
    hops = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
    driver = next(h["seq"] for h in hops if h["level"] == "device_driver")
    page = client.get(f"/s/{sid}?at={driver + 1}").text
    assert 'id="level-now">device driver</text>' in page
    event = client.get(f"/s/{sid}/hops/{driver}").text
    assert '<div hx-swap-oob="innerHTML:#level-now">device driver</div>' in event
    before = client.get(f"/s/{sid}?at=1").text
    assert 'id="level-now">io operation</text>' in before


def test_a_hops_event_carries_only_what_it_changed(client):
    sid = new_session(client, "partitioned")
    hops = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
    k = next(h["seq"] for h in hops if h["stage"] == "physical_mapping" and h["guest"] == "vm2")
    event = client.get(f"/s/{sid}/hops/{k}").text
    assert f'data-k="{k}"' in event and 'data-station="map-disk0"' in event
    assert 'hx-swap-oob="innerHTML:#pc-map-disk0"' in event
    assert "vblock 10 + start 8192 = pblock 8202" in event
    assert "#pc-hw-disk0" not in event  # the disk has not moved yet at this hop
    assert event.count('hx-swap-oob="beforeend:#log"') == 1
    full = client.get(f"/s/{sid}/hops/{k}?full=1").text
    assert "#pc-hw-disk0" in full and "#pc-drv-vm3-disk0" in full
    assert client.get(f"/s/{sid}/hops/{len(hops)}").status_code == 404


def test_hop_events_are_a_few_hundred_bytes_to_two_kilobytes(client):
    sizes = []
    for scenario in ("all-devices", "dedicated", "partitioned", "shared", "spooled", "virtual"):
        sid = new_session(client, scenario)
        total = len(client.get(f"/api/sessions/{sid}/trace").json()["hops"])
        sizes += [len(client.get(f"/s/{sid}/hops/{k}").content) for k in range(total)]
    sizes.sort()
    assert sizes[len(sizes) // 2] <= 2048


def test_an_address_past_the_end_opens_the_last_hop(client, session_id):
    total = len(client.get(f"/api/sessions/{session_id}/trace").json()["hops"])
    end = client.get(f"/s/{session_id}?at=100000").text
    assert f'data-k="{total - 1}"' in end
    assert f"hop <strong>{total:,}</strong> of {total:,}" in end
    assert client.get(f"/s/{session_id}?at=-1").status_code == 422


def test_the_hop_inspector_shows_every_detail_of_the_hop_shown(client, session_id):
    trace = client.get(f"/api/sessions/{session_id}/trace").json()
    k = next(
        h["seq"]
        for h in trace["hops"]
        if h["stage"] == "physical_device" and h["device"] == "disk0"
    )
    page = client.get(f"/s/{session_id}?at={k + 1}").text
    event = client.get(f"/s/{session_id}/hops/{k}").text
    for shown in (page, event):  # opened at the hop, or played to it
        inspector = shown.split('inspector">', 1)[1].split("</dl>", 1)[0]
        for key in ("physical block", "cylinder", "seek us", "rotation us", "transfer us"):
            assert f"<dt>{key}</dt>" in inspector, key


def test_composer_offers_only_what_fits_the_device(client, session_id):
    nic = client.get(f"/s/{session_id}/composer?device=nic0").text
    assert (
        'value="net_send"' in nic
        and 'value="frame_arrives"' in nic
        and 'value="disk_read"' not in nic
    )
    arrive = client.get(f"/s/{session_id}/composer?device=nic0&op=frame_arrives").text
    assert 'name="dst_mac"' in arrive and 'name="guest"' not in arrive
    disk = client.get(f"/s/{session_id}/composer?device=disk0").text
    assert 'name="block"' in disk and 'name="count"' in disk and 'name="dst_ip"' not in disk


def test_composed_request_is_issued_and_played(client, session_id):
    form = {
        "device": "disk0",
        "op": "disk_write",
        "guest": "vm1",
        "block": "7",
        "count": "1",
        "level": "io_operation",
        "cursor": "-1",
        "speed": "1.0",
    }
    response = client.post(f"/s/{session_id}/commands", data=form, headers=HTMX)
    # the page opens again where the request was issued, and plays it
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/s/{session_id}?at=0&play=1"
    (command,) = client.get(f"/api/sessions/{session_id}").json()["commands"]
    assert command == {
        "at_us": 0,
        "device": "disk0",
        "op": "disk_write",
        "guest": "vm1",
        "block": 7,
        "count": 1,
        "level": "io_operation",
    }


def test_composed_request_with_a_bad_value_shows_the_problem_in_the_composer(client, session_id):
    form = {"device": "disk0", "op": "disk_write", "guest": "vm1", "block": "ten", "cursor": "-1"}
    response = client.post(f"/s/{session_id}/commands", data=form, headers=HTMX)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#composer"
    assert "command.block: Input should be a valid integer" in response.text
    assert client.get(f"/api/sessions/{session_id}").json()["commands"] == []


def test_exports_json_and_csv(client, session_id):
    document = client.get(f"/s/{session_id}/trace.json").json()
    rows = list(csv.DictReader(io.StringIO(client.get(f"/s/{session_id}/trace.csv").text)))
    assert len(rows) == len(document["hops"])
    assert rows[0].keys() == {
        "seq",
        "request",
        "t_us",
        "stage",
        "actor",
        "guest",
        "device",
        "category",
        "level",
        "summary",
        "detail",
    }
    assert rows[5]["summary"] == document["hops"][5]["summary"]


def test_reset_opens_a_fresh_session_of_the_same_scenario(client, session_id):
    client.post(
        f"/api/sessions/{session_id}/commands",
        json={"op": "key_press", "device": "kbd0", "key": "q"},
    )
    response = client.post(f"/s/{session_id}/reset", headers=HTMX)
    fresh = response.headers["HX-Redirect"].removeprefix("/s/")
    assert fresh != session_id
    assert client.get(f"/api/sessions/{fresh}").json()["commands"] == []
    assert len(client.get(f"/api/sessions/{session_id}").json()["commands"]) == 1


def test_scripts_and_styles_carry_a_hash_of_their_content_and_are_cached_for_good(client):
    page = client.get("/").text
    addresses = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page)
    assert {a.rsplit("/", 1)[-1] for a in addresses} >= {"iovlab.css", "iovlab.js"}
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        digest, name = address.removeprefix("/assets/").split("/", 1)
        assert hashlib.sha256(response.content).hexdigest()[:12] == digest
        assert client.get(f"/static/{name}").content == response.content
    assert client.get("/assets/000000000000/iovlab.js").headers["cache-control"] == "no-cache"
    assert client.get("/assets/000000000000/../app/settings.py").status_code == 404


def test_pages_and_scripts_are_compressed_on_the_wire(client, session_id):
    for url in ("/", f"/s/{session_id}", "/static/vendor/htmx-2.0.11.min.js"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip", url


def test_static_assets_are_served_locally(client):
    for path in (
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/vendor/htmx-ext-sse-2.2.4.min.js",
        "/static/iovlab.js",
        "/static/iovlab.css",
    ):
        assert client.get(path).status_code == 200, path


def test_every_response_carries_the_security_headers(client, session_id):
    for url in ("/", f"/s/{session_id}", "/api/scenarios", "/static/iovlab.js"):
        headers = client.get(url).headers
        policy = headers["content-security-policy"]
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"


def test_no_page_carries_an_inline_script(client, session_id):
    for url in (
        "/",
        f"/s/{session_id}",
        "/lessons",
        f"/s/{session_id}/compare",
        "/instructor/login",
    ):
        page = client.get(url).text
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None, url
        assert " on" + "click=" not in page and "hx-on" not in page, url


def test_a_form_posted_from_another_site_is_refused(client):
    forged = client.post(
        "/sessions", data={"scenario": "shared"}, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403 and "another site" in forged.text
    same = client.post(
        "/sessions",
        data={"scenario": "shared"},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert same.status_code == 303


def test_an_oversized_body_is_refused_before_it_is_read(client):
    response = client.post(
        "/api/sessions",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413 and "over" in response.text


def test_a_session_holds_a_bounded_number_of_commands(client, session_id, monkeypatch):
    monkeypatch.setattr("app.sessions.live.MAX_COMMANDS", 2)
    url = f"/api/sessions/{session_id}/commands"
    command = {"op": "key_press", "device": "kbd0", "key": "a"}
    assert client.post(url, json=command).status_code == 201
    assert client.post(url, json=command).status_code == 201
    refused = client.post(url, json=command)
    assert refused.status_code == 422 and "at most 2 commands" in refused.json()["problems"][0]


def test_every_fragment_htmx_asks_for_says_it_varies_with_hx_request(client, session_id):
    fragments = [
        f"/s/{session_id}/hops/2",
        f"/s/{session_id}/hops/2?full=1",
        f"/s/{session_id}/composer?device=disk0",
        f"/s/{session_id}/compare/lanes?step=1",
        f"/s/{session_id}/compare/diff?a_level=io_operation&a_request=r1"
        "&b_level=device_driver&b_request=r1",
    ]
    for url in fragments:
        response = client.get(url, headers=HTMX)
        assert response.status_code == 200, url
        assert "HX-Request" in response.headers["vary"], url
    not_html = client.get(f"/s/{session_id}/trace.json").headers
    assert "HX-Request" not in not_html.get("vary", "")


def test_the_token_stands_on_an_element_the_page_draws(client, session_id):
    trace = client.get(f"/api/sessions/{session_id}/trace").json()
    kinds = {(h["stage"], h["actor"], h["device"]): h["seq"] for h in reversed(trace["hops"])}
    assert len(kinds) > 20  # every stage, at guests, the VMM and devices of every category
    page = client.get(f"/s/{session_id}").text
    for (stage, _, _), k in sorted(kinds.items()):
        event = client.get(f"/s/{session_id}/hops/{k}").text
        station = re.search(r'data-station="([^"]+)"', event).group(1)
        assert station and f'id="st-{station}"' in page, (stage, station)


def test_disk_images_and_passthrough_devices_render_at_every_hop(client):
    for name, device, shown in (
        ("disk-image", "vm1-disk", "L1[0]"),
        ("passthrough", "vf1", "host-physical 0x100200000"),
    ):
        sid = new_session(client, name)
        hops = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
        for k in range(len(hops)):
            assert client.get(f"/s/{sid}/hops/{k}").status_code == 200
            assert client.get(f"/s/{sid}/hops/{k}?full=1").status_code == 200
        mapping = next(h["seq"] for h in hops if h["device"] == device and shown in h["summary"])
        assert shown in html.unescape(client.get(f"/s/{sid}?at={mapping + 1}").text)
        assert shown in html.unescape(client.get(f"/s/{sid}/hops/{mapping}").text)


def test_every_player_links_to_how_the_numbers_are_made_and_it_shows_the_cost_model(
    client, session_id
):
    from app.sim.costs import cost_model

    for address in (f"/s/{session_id}", f"/embed/s/{session_id}"):
        assert 'href="/numbers"' in client.get(address).text, address
    page = client.get("/numbers")
    assert page.status_code == 200
    text = html.unescape(page.text)
    words = " ".join(re.sub(r"<[^>]+>", "", text).split())
    assert "orders of magnitude for teaching, not a benchmark of any machine" in words
    for line in cost_model():
        assert line.what in text and line.value in text and line.source in text


def test_a_request_in_flight_shows_no_final_figures_until_its_last_hop_has_played(client):
    sid = new_session(client, "partitioned")
    document = client.get(f"/api/sessions/{sid}/trace").json()
    record = next(r for r in document["requests"] if r["guest"] == "vm2")
    hops = [h for h in document["hops"] if h["request"] == record["id"]]
    before_reply = hops[-2]["seq"]
    row = re.compile(rf'<tr id="req-{record["id"]}".*?</tr>', re.S)
    for shown in (
        client.get(f"/s/{sid}?at={before_reply + 1}").text,  # opened just before the reply
        client.get(f"/s/{sid}/hops/{hops[0]['seq']}").text,  # its first hop played
    ):
        playing = row.search(shown)
        assert playing is not None and "in flight" in playing.group(0)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", playing.group(0))
        assert cells[-4:] == ["–", "–", "–", "–"]  # traps, overhead, device time, latency
    for shown in (
        client.get(f"/s/{sid}?at={hops[-1]['seq'] + 1}").text,
        client.get(f"/s/{sid}/hops/{hops[-1]['seq']}").text,
    ):
        played = row.search(shown)
        assert played is not None
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", played.group(0))
        assert cells[-4] == str(record["traps"]) and cells[-1] != "–"


def _has_security_headers(response):
    policy = response.headers.get("content-security-policy", "")
    return (
        "script-src 'self'" in policy
        and "frame-ancestors 'none'" in policy
        and response.headers.get("x-content-type-options") == "nosniff"
        and response.headers.get("x-frame-options") == "DENY"
    )


def test_errors_carry_the_security_headers_too(settings):
    from fastapi.testclient import TestClient

    from app.web.app import create_app

    app = create_app(settings.model_copy(update={"sessions_per_minute": 1}))

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        answers = {
            404: client.get("/no/such/page"),
            413: client.post("/api/sessions", content=b" " * 2_000_000),
            403: client.post("/sessions", headers={"Origin": "https://evil.example"}),
            500: client.get("/broken"),
        }
        client.post("/api/sessions", json={"scenario": "shared"})
        answers[429] = client.post("/api/sessions", json={"scenario": "shared"})
    for status, response in answers.items():
        assert response.status_code == status, (status, response.text)
        assert _has_security_headers(response), (status, dict(response.headers))
    assert "a bug" not in answers[500].text


def test_a_chunked_body_over_the_limit_is_refused_as_it_arrives(client):
    sent = 0

    def chunks():
        nonlocal sent
        for _ in range(1000):  # 64 MB offered; the limit is about 1 MB
            sent += 65_536
            yield b" " * 65_536

    response = client.post(
        "/api/sessions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "over" in response.text
    assert _has_security_headers(response)


def test_a_guests_driver_is_named_as_the_level_it_runs_at_says(client):
    from markupsafe import escape

    from app.sim.interception import INTERCEPTION

    sid = new_session(client, "partitioned")  # a device-driver machine
    write = {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 1, "count": 1}
    for level, row in INTERCEPTION.items():
        hops = client.post(f"/api/sessions/{sid}/commands", json=write | {"level": level}).json()[
            "hops"
        ]
        page = client.get(f"/s/{sid}", params={"at": hops[0]["seq"] + 1}).text
        driver = page.split('id="st-drv-vm1-disk0"', 1)[1].split("</foreignObject>", 1)[0]
        assert escape(row.driver_name) in driver, level
    names = {row.driver_name for row in INTERCEPTION.values()}
    assert len(names) == len(INTERCEPTION)  # each level says its own


def test_a_student_aims_a_passthrough_dma_past_the_guests_memory_from_the_composer(client):
    sid = new_session(client, "passthrough")
    composer = client.get(f"/s/{sid}/composer?device=vf1&op=net_send").text
    assert 'name="buffer"' in composer and "DMA buffer (guest-physical)" in composer
    assert 'name="buffer"' not in client.get(f"/s/{sid}/composer?device=nic0&op=net_send").text
    stray = {
        "device": "vf1",
        "op": "net_send",
        "guest": "vm1",
        "dst_ip": "10.0.0.9",
        "bytes": "1500",
        "buffer": "0x3FFFFC00",  # 1 KiB before the end of vm1's 1 GiB: the frame runs past it
        "cursor": "-1",
    }
    assert client.post(f"/s/{sid}/commands", data=stray, headers=HTMX).status_code == 204
    command = client.get(f"/api/sessions/{sid}").json()["commands"][-1]
    assert command["buffer"] == 0x3FFFFC00
    hops = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
    mine = [h for h in hops if h["request"] == hops[-1]["request"]]
    assert mine[-1]["detail"]["status"] == "iommu_fault"


def test_the_iommu_and_an_image_files_layers_are_drawn_where_the_vmm_maps(client):
    sid = new_session(client, "passthrough")
    hops = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
    refused = [h for h in hops if h["stage"] == "physical_mapping" and h["device"] == "vf1"][-1]
    page = client.get(f"/s/{sid}", params={"at": refused["seq"] + 1}).text
    table = page.split('id="pc-map-vf1"', 1)[1].split("</div>", 1)[0]
    assert "IOMMU" in table and "0x100000000" in table  # vm1's memory, where it really is
    assert f"{refused['detail']['fault_address']} is outside the guest" in table
    sid = new_session(client, "disk-image")
    hops = client.get(f"/api/sessions/{sid}/trace").json()["hops"]
    qcow = next(h for h in hops if h["detail"].get("format") == "qcow2")
    page = client.get(f"/s/{sid}", params={"at": qcow["seq"] + 1}).text
    table = page.split(f'id="pc-map-{qcow["device"]}"', 1)[1].split("</div>", 1)[0]
    assert "qcow2 image file" in table and "L1[" in table
