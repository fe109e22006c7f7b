"""The drawn player in Chromium: the token on the lit element at every hop, a layout that
never moves, an address for every hop, and hops already played stepped without the server."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest

from app.diagram.layout import layout
from app.diagram.route import moves
from app.sim import load_scenario_file, simulate

from .helpers import BOX_TEXT_CUT, CUT_TEXT, HALO_CLASHES, KEYBOARD_LINES, LABEL_CLASHES

SHIPPED = Path(__file__).resolve().parents[2] / "scenarios"
SCENARIOS = sorted(p.stem for p in SHIPPED.glob("*.yaml"))

TOKEN_ON_LIT = """() => {
  const t = document.querySelector('#token .dot').getBoundingClientRect();
  const lit = document.querySelectorAll('.st.lit');
  if (lit.length !== 1 || lit[0].getAttribute('aria-current') !== 'step') {
    return 'lit: ' + lit.length;
  }
  const b = lit[0].querySelector('.box').getBoundingClientRect();
  const overlap = t.left < b.right && b.left < t.right && t.top < b.bottom && b.top < t.bottom;
  return overlap ? 'ok' : 'apart: ' + lit[0].id;
}"""

LAYOUT = """() => Array.from(document.querySelectorAll(
  '.st .box, .column, .p-controls button, #scrubber, .now-line, #inspector, #log, .requests-box'
)).map(e => {
  const r = e.getBoundingClientRect();
  return [r.x, r.y, r.width, r.height].map(Math.round).join(',');
})"""


NOW_WHOLE = "e => e.scrollHeight <= e.clientHeight"


def moves_of(name):
    scenario = load_scenario_file(SHIPPED / f"{name}.yaml")
    colours = {g.id: i for i, g in enumerate(scenario.guests)}
    return moves(layout(scenario), simulate(scenario, []).hops, colours)


def new_session(server, scenario):
    return httpx.post(f"{server}/api/sessions", json={"scenario": scenario}).json()["id"]


def position(page):
    return page.inner_text("#position")


def wait_for_hop(page, n):
    page.wait_for_function(
        f"document.getElementById('scrubber').value == '{n}'"
        " && !document.getElementById('token').dataset.moving"
    )


@pytest.fixture
def still_page(browser):
    """A page that prefers reduced motion: the token jumps, so each hop settles at once."""
    context = browser.new_context(
        bypass_csp=True, viewport={"width": 1366, "height": 768}, reduced_motion="reduce"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_at_every_hop_the_token_touches_the_lit_element_and_its_label_and_halo_hide_no_text(
    still_page, server, scenario
):
    sid = new_session(server, scenario)
    total = len(httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"])
    still_page.goto(f"{server}/s/{sid}?at=0")
    for n in range(1, total + 1):
        still_page.keyboard.press("ArrowRight")
        wait_for_hop(still_page, n)
        assert still_page.evaluate(TOKEN_ON_LIT) == "ok", f"hop {n} of {scenario}"
        assert still_page.evaluate(LABEL_CLASHES) == [], f"hop {n} of {scenario}"
        # the halo rests in the gap beside the rail, clear of the first letter of any box
        assert still_page.evaluate(HALO_CLASHES) == [], f"hop {n} of {scenario}"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_on_a_laptop_every_boxs_text_shows_whole_at_every_hop(still_page, server, scenario):
    """At 1366×768, seven columns included: no box's line ends in an ellipsis or runs past its
    edge, no word wraps past its bottom, and the keyboard is never "key-board"."""
    sid = new_session(server, scenario)
    total = len(httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"])
    still_page.goto(f"{server}/s/{sid}?at=0")
    assert all(n == 1 for n in still_page.evaluate(KEYBOARD_LINES)), scenario
    for n in range(total + 1):
        if n:
            still_page.keyboard.press("ArrowRight")
            wait_for_hop(still_page, n)
        assert still_page.evaluate(BOX_TEXT_CUT) == [], f"hop {n} of {scenario}"
        assert still_page.evaluate(CUT_TEXT) == [], f"hop {n} of {scenario}"


def test_nothing_moves_while_playing_and_the_token_travels_along_the_link(page, server):
    sid = new_session(server, "all-devices")
    stations = {f"translate({m.x:g} {m.y:g})" for m in moves_of("all-devices")}
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server}/s/{sid}?at=0")
    before = page.evaluate(LAYOUT)
    page.keyboard.press("Space")
    seen = set()
    for _ in range(40):
        page.wait_for_timeout(60)
        assert page.evaluate(LAYOUT) == before
        seen.add(page.get_attribute("#token", "transform"))
    page.keyboard.press("Space")
    # the token was seen at stations and on the links between them
    assert seen & stations and seen - stations - {None}
    assert page.evaluate(LAYOUT) == before


def test_an_address_opens_its_hop_and_the_address_follows_the_player(page, server):
    sid = new_session(server, "partitioned")
    hops = httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]
    mapping = next(h for h in hops if h["stage"] == "physical_mapping")
    n = mapping["seq"] + 1
    page.goto(f"{server}/s/{sid}?at={n}")
    assert position(page).startswith(f"hop {n} of {len(hops)}")
    assert page.get_attribute(".st.lit", "id") == f"st-map-{mapping['device']}"
    assert "row" in page.inner_text("#inspector")
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"**/s/{sid}?at={n + 1}")


def test_stepping_back_and_forth_through_played_hops_asks_the_server_nothing(page, server):
    sid = new_session(server, "shared")
    page.goto(f"{server}/s/{sid}?at=0")
    for n in range(1, 9):
        page.keyboard.press("ArrowRight")
        wait_for_hop(page, n)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if f"/s/{sid}" in r.url else None)
    for n in range(7, 0, -1):
        page.keyboard.press("ArrowLeft")
        wait_for_hop(page, n)
    for n in range(2, 9):
        page.keyboard.press("ArrowRight")
        wait_for_hop(page, n)
    assert asked == []
    assert page.inner_text("#announcer").startswith("hop 8 of ")


def test_focus_stays_on_the_control_pressed_and_the_lit_element_is_the_current_step(page, server):
    sid = new_session(server, "spooled")
    page.goto(f"{server}/s/{sid}?at=0")
    page.focus("[data-act=next]")
    page.keyboard.press("Enter")
    wait_for_hop(page, 1)
    page.keyboard.press("Enter")
    wait_for_hop(page, 2)
    assert page.evaluate("document.activeElement.dataset.act") == "next"
    assert page.locator("[aria-current=step]").count() == 1
    assert page.inner_text("#announcer").startswith("hop 2 of ")


def test_the_scrubber_and_the_log_move_the_player(page, server):
    sid = new_session(server, "levels")
    hops = httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]
    page.goto(f"{server}/s/{sid}?at={len(hops)}")
    page.click("#log-10 button")
    wait_for_hop(page, 11)
    page.eval_on_selector(
        "#scrubber", "e => { e.value = '30'; e.dispatchEvent(new Event('change')); }"
    )
    page.wait_for_selector("#position:has-text('hop 30 of')")
    assert page.get_attribute(".st.lit", "id") == "st-" + moves_of("levels")[29].station


def test_a_request_shows_its_figures_only_after_its_last_hop(page, server):
    sid = new_session(server, "partitioned")
    hops = httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]
    last = max(h["seq"] for h in hops if h["request"] == "r1")
    page.goto(f"{server}/s/{sid}?at={last}")
    assert page.inner_text("#req-r1 .st") == "in flight"
    assert page.inner_text("#req-r1 td:last-child") == "–"
    page.keyboard.press("ArrowRight")
    wait_for_hop(page, last + 1)
    assert page.inner_text("#req-r1 .st") == "ok"
    assert page.inner_text("#req-r1 td:last-child").endswith("µs")


def test_the_now_line_shows_a_long_summary_whole(page, server):
    sid = new_session(server, "disk-image")
    hops = httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]
    longest = max(hops, key=lambda h: len(h["summary"]))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server}/s/{sid}?at={longest['seq'] + 1}")
    assert page.inner_text("#now .sum") == longest["summary"]
    assert page.eval_on_selector(".now-line", NOW_WHOLE)  # two lines, neither cut


FITS = "e => e.scrollWidth <= e.clientWidth"


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080), (390, 844)])
def test_screenshots_of_every_category_mid_path(browser, server, artifacts, width, height):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = context.new_page()
    for scenario in SCENARIOS:
        sid = new_session(server, scenario)
        hops = httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]
        middle = next(h for h in hops if h["stage"] == "physical_mapping")["seq"] + 1
        page.goto(f"{server}/s/{sid}?at={middle}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate(LABEL_CLASHES) == [], scenario
        # every column of the Requests table shown is seen whole, without scrolling sideways
        assert page.eval_on_selector(".requests-box .scroll", FITS), (scenario, width)
        page.screenshot(path=artifacts / f"drawn-{scenario}-{width}.png")
    context.close()
