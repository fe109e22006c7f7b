"""The drawn player on a 390-px phone: the column of the device the hop is in, readable,
following the hop as it plays, with the guest and band names beside it; "Whole machine"
shows the whole drawing, and a wide screen never sees any of it."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest

from app.diagram.layout import layout
from app.diagram.route import moves
from app.sim import load_scenario_file, simulate

SHIPPED = Path(__file__).resolve().parents[2] / "scenarios"
SCENARIOS = sorted(p.stem for p in SHIPPED.glob("*.yaml"))
PHONE = {"width": 390, "height": 844}

# What the phone shows of the drawing: the SVG's box on the screen, the px a unit is drawn
# at, the lit station's box and text size, each column's frame and the strip's names.
SHOWN = """() => {
  const svg = document.getElementById('machine');
  const at = svg.getBoundingClientRect();
  const scale = at.width / svg.viewBox.baseVal.width;
  const box = e => {
    const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  };
  const lit = document.querySelector('.st.lit');
  const piece = lit && lit.querySelector('.pc');
  const strip = document.getElementById('strip');
  const names = Array.from(strip.querySelectorAll('text'));
  return {
    svg: box(svg),
    screen: [0, 0, window.innerWidth, window.innerHeight],
    lit: lit && box(lit.querySelector('.box')),
    litPx: piece && parseFloat(getComputedStyle(piece).fontSize) * scale,
    columns: Object.fromEntries(Array.from(svg.querySelectorAll('.column')).map(
      g => [g.id.slice(4), box(g.querySelector('.col-frame'))])),
    strip: getComputedStyle(strip).display === 'none' ? [] : names.map(t => [
      t.textContent, box(t), parseFloat(getComputedStyle(t).fontSize) * scale]),
    viewBox: svg.getAttribute('viewBox'),
    caption: document.getElementById('p-view').hidden ? null
      : document.getElementById('view-what').textContent,
  };
}"""

STILL = """() => Array.from(document.querySelectorAll(
  '#machine, #p-view, .p-controls button, #scrubber, .now-line'
)).map(e => {
  const r = e.getBoundingClientRect();
  return [r.x, r.y, r.width, r.height].map(Math.round).join(',');
})"""


def inside(inner, outer, slack=1.0):
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def devices_of(name):
    """The device of the station each hop of the shipped scenario lights, in order."""
    scenario = load_scenario_file(SHIPPED / f"{name}.yaml")
    diagram = layout(scenario)
    colours = {g.id: i for i, g in enumerate(scenario.guests)}
    hops = simulate(scenario, []).hops
    return [diagram.stations[m.station].device for m in moves(diagram, hops, colours)]


def new_session(server, scenario):
    return httpx.post(f"{server}/api/sessions", json={"scenario": scenario}).json()["id"]


def wait_for_hop(page, n):
    page.wait_for_function(
        f"document.getElementById('scrubber').value == '{n}'"
        " && !document.getElementById('token').dataset.moving"
    )


@pytest.fixture
def phone(browser):
    context = browser.new_context(bypass_csp=True, viewport=PHONE, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def assert_shows_the_column_of(shown, device):
    assert shown["caption"].startswith(f"{device} · device "), shown["caption"]
    assert shown["lit"] is not None
    # the lit station is on the screen, inside the drawing, its text at least 12 px
    assert inside(shown["lit"], shown["svg"]) and inside(shown["lit"], shown["screen"])
    assert shown["litPx"] >= 12, shown["litPx"]
    # the drawing shows its device's column whole and no other column whole
    assert inside(shown["columns"][device], shown["svg"])
    others = [d for d, frame in shown["columns"].items() if d != device]
    assert not [d for d in others if inside(shown["columns"][d], shown["svg"], slack=0)]
    # the guests' and the bands' names are beside it, as readable
    names = {text: (frame, px) for text, frame, px in shown["strip"]}
    assert {"vm1", "vm2", "trap", "VMM", "hardware"} <= set(names)
    for frame, px in names.values():
        assert inside(frame, shown["svg"]) and px >= 12


def test_a_phone_shows_the_hops_column_and_follows_the_hop_to_another_device(phone, server):
    devices = devices_of("levels")
    sid = new_session(server, "levels")
    phone.goto(f"{server}/s/{sid}?at=3")
    shown = phone.evaluate(SHOWN)
    assert_shows_the_column_of(shown, devices[2])
    height = shown["svg"][3] - shown["svg"][1]
    # step to the first hop lit on another device: the drawing moves to that column
    other = next(k for k in range(3, len(devices)) if devices[k] != devices[2])
    for n in range(4, other + 2):
        phone.keyboard.press("ArrowRight")
        wait_for_hop(phone, n)
    shown = phone.evaluate(SHOWN)
    assert_shows_the_column_of(shown, devices[other])
    assert shown["svg"][3] - shown["svg"][1] == height  # same height: nothing below jumps
    # and back again
    phone.keyboard.press("ArrowLeft")
    wait_for_hop(phone, other)
    assert_shows_the_column_of(phone.evaluate(SHOWN), devices[other - 1])


def test_whole_machine_shows_every_column_and_follow_the_hop_comes_back(phone, server):
    sid = new_session(server, "levels")
    phone.goto(f"{server}/s/{sid}?at=3")
    phone.click("#p-view button")
    shown = phone.evaluate(SHOWN)
    assert shown["viewBox"].startswith("0 0 ")
    assert all(inside(frame, shown["svg"]) for frame in shown["columns"].values())
    assert shown["strip"] == []  # the drawing's own gutter names the guests
    assert shown["caption"] == "The whole machine: 4 devices"
    assert phone.inner_text("#p-view button") == "Follow the hop"
    # stepping keeps the whole machine until asked otherwise
    phone.keyboard.press("ArrowRight")
    wait_for_hop(phone, 4)
    assert phone.get_attribute("#machine", "viewBox") == shown["viewBox"]
    phone.click("#p-view button")
    assert_shows_the_column_of(phone.evaluate(SHOWN), "disk0")


def test_on_a_phone_nothing_but_the_drawings_view_moves_while_playing(browser, server):
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    sid = new_session(server, "levels")
    page.goto(f"{server}/s/{sid}?at=0")
    before = page.evaluate(STILL)
    page.keyboard.press("Space")
    views = set()
    for _ in range(60):
        page.wait_for_timeout(60)
        assert page.evaluate(STILL) == before
        views.add(page.get_attribute("#machine", "viewBox"))
    page.keyboard.press("Space")
    assert len(views) >= 2  # it followed the hop from one device's column to another's
    context.close()


def test_a_wide_screen_shows_the_whole_machine_and_no_strip(phone, server):
    sid = new_session(server, "levels")
    phone.goto(f"{server}/s/{sid}?at=3")
    assert phone.evaluate(SHOWN)["caption"] is not None
    phone.set_viewport_size({"width": 1366, "height": 768})
    phone.wait_for_function("document.getElementById('p-view').hidden")
    shown = phone.evaluate(SHOWN)
    drawn = layout(load_scenario_file(SHIPPED / "levels.yaml"))
    assert shown["viewBox"] == f"0 0 {drawn.width:g} {drawn.height:g}"
    assert shown["strip"] == []
    assert phone.locator(".veil:visible").count() == 0


def test_the_embed_on_a_phone_follows_the_hop_too(phone, server):
    devices = devices_of("levels")
    sid = new_session(server, "levels")
    phone.goto(f"{server}/embed/s/{sid}")
    for n in range(1, 4):
        phone.click("[data-act=next]")
        wait_for_hop(phone, n)
    assert_shows_the_column_of(phone.evaluate(SHOWN), devices[2])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_shipped_machine_shows_its_lit_station_readable_on_a_phone(phone, server, scenario):
    sid = new_session(server, scenario)
    trace = httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]
    middle = next(h for h in trace if h["stage"] == "physical_mapping")["seq"] + 1
    phone.goto(f"{server}/s/{sid}?at={middle}")
    shown = phone.evaluate(SHOWN)
    # a machine narrower than the phone is drawn whole, already at 1 px per unit or more
    assert inside(shown["lit"], shown["svg"]) and inside(shown["lit"], shown["screen"])
    assert shown["litPx"] >= 12, shown["litPx"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("scenario", ["levels", "all-devices"])
def test_phone_screenshots_mid_path(browser, server, artifacts, scenario):
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    sid = new_session(server, scenario)
    trace = httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]
    middle = next(h for h in trace if h["stage"] == "physical_mapping")["seq"] + 1
    page.goto(f"{server}/s/{sid}?at={middle}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#p-view").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"phone-{scenario}-390.png")
    page.click("#p-view button")
    page.screenshot(path=artifacts / f"phone-{scenario}-whole-390.png")
    context.close()
