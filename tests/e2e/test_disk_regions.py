"""A partitioned disk says whose each of its regions is, however narrow the region: inside it
when the guest's name fits, else under the bar by the guest's chip (colour, marker and name)
joined to the region by a leader line, or in the regions' order when the chips do not fit
there; never a label cut short. On a laptop, a projector and a phone."""

from __future__ import annotations

import httpx2 as httpx
import pytest
import yaml

from .helpers import CUT_TEXT

# Each disk's regions, how each is named, and what stands in the way of the names under it.
REGIONS = """() => Array.from(document.querySelectorAll('.st .pc .regions')).map(bar => {
  const piece = bar.closest('.pc');
  const chips = Array.from(piece.querySelectorAll('.rname'));
  const under = chips.map(e => e.textContent.trim());
  const legend = Array.from(piece.querySelectorAll('.rlegend .gchip'))
    .map(e => e.textContent.trim());
  const regions = Array.from(bar.querySelectorAll('.region')).map(r => {
    const guest = r.title.split(':')[0];
    const named = r.textContent.includes(guest) && r.scrollWidth <= r.clientWidth + 0.5;
    return {guest, named, under: under.includes(guest), legend: legend.includes(guest),
            marked: !!r.querySelector('.gchip i') || !r.textContent.trim()};
  });
  const boxes = chips.map(e => e.getBoundingClientRect());
  const others = [bar, piece.querySelector('.track'), piece.querySelector('.lbl')]
    .filter(Boolean).map(e => e.getBoundingClientRect());
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
    && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const edge = piece.getBoundingClientRect();
  const clashes = boxes.flatMap((a, i) => boxes.slice(i + 1).filter(b => meet(a, b))
    .concat(others.filter(b => meet(a, b)))).length;
  const outside = boxes.filter(b => b.left < edge.left || b.right > edge.right
    || b.bottom > edge.bottom).length;
  return {regions, chips: chips.length, leaders: piece.querySelectorAll('.leaders path').length,
          clashes, outside};
})"""


def assert_every_region_named(page, where):
    disks = page.evaluate(REGIONS)
    assert disks, where
    for disk in disks:
        for region in disk["regions"]:
            # named inside it, whole, with its chip's marker; or under the bar or in order
            assert region["named"] or region["under"] or region["legend"], (where, region)
            assert region["marked"], (where, region)
        assert disk["leaders"] == disk["chips"], (where, disk)
        assert disk["clashes"] == 0 and disk["outside"] == 0, (where, disk)
    cut = [t for t in page.evaluate(CUT_TEXT) if t.startswith("st-hw-")]
    assert cut == [], where


def crowded_disk() -> str:
    """Twelve guests on one disk: two wide regions and ten narrow ones."""
    guests = [
        {"id": f"vm{i}", "os": "linux", "mac": f"52:54:00:00:00:{i:02x}", "ip": f"10.0.0.{i}"}
        for i in range(1, 13)
    ]
    sizes = [16384, 12288] + [512] * 10
    starts = [sum(sizes[:i]) for i in range(12)]
    partitions = [
        {"guest": g["id"], "start": start, "blocks": size}
        for g, start, size in zip(guests, starts, sizes, strict=True)
    ]
    disk = {
        "id": "disk0",
        "type": "disk",
        "blocks": 65536,
        "geometry": {"heads": 4, "sectors_per_track": 32},
        "partitions": partitions,
    }
    workload = [
        {"at_us": 0, "guest": "vm12", "op": "disk_read", "device": "disk0", "block": 1, "count": 1}
    ]
    scenario = {
        "name": "Twelve guests, one disk",
        "level": "device_driver",
        "guests": guests,
        "devices": [disk],
        "workload": workload,
    }
    return yaml.safe_dump(scenario, sort_keys=False)


def session(server, **body):
    made = httpx.post(f"{server}/api/sessions", json=body)
    assert made.status_code == 201, made.text
    return made.json()["id"]


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
@pytest.mark.parametrize("scenario", ["partitioned", "all-devices", "levels", "crowded"])
def test_every_region_of_a_disk_names_its_guest_in_the_player(
    browser, server, artifacts, scenario, width, height
):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = context.new_page()
    if scenario == "crowded":
        sid = session(server, scenario_yaml=crowded_disk())
    else:
        sid = session(server, scenario=scenario)
    hops = httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]
    served = next(h for h in hops if h["stage"] == "physical_device" and h["device"] == "disk0")
    page.goto(f"{server}/s/{sid}?at={served['seq'] + 1}")
    assert_every_region_named(page, f"{scenario} at {width}")
    page.locator("#st-hw-disk0").screenshot(path=artifacts / f"disk-{scenario}-{width}.png")
    context.close()


@pytest.mark.parametrize("lesson", ["3-partitioned", "8-whole-machine"])
def test_every_region_of_a_disk_names_its_guest_on_a_projector(browser, server, artifacts, lesson):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{server}/lessons")
    page.click(f"form[action='/lessons/{lesson}/present'] button")
    page.wait_for_url("**/p/*")
    assert_every_region_named(page, lesson)
    page.locator("#st-hw-disk0").screenshot(path=artifacts / f"disk-{lesson}-1920.png")
    context.close()
