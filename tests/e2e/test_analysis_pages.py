"""The compare and contention views in a real browser."""

from pathlib import Path

from .helpers import hops, open_session, wait_for_k

AXE = Path(__file__).parent / "vendor" / "axe-core-4.11.4.min.js"


def moment(page):
    return page.inner_text("#lanes .position")


def test_compare_view_steps_the_three_lanes_together(page, server, artifacts):
    sid = open_session(page, server, "levels")
    page.goto(f"{server}/s/{sid}/compare")
    assert "moment 1 of" in moment(page)
    for expected in (2, 3, 4, 5):
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            f"document.querySelector('#lanes .position').innerText.includes('moment {expected} of')"
        )
    lit = page.locator("#lanes .path li.lit").all_inner_texts()
    assert len(lit) == 3
    page.select_option("select[name=a_request]", "r1")
    page.select_option("select[name=b_request]", "r1")
    page.click("button:has-text('Show the difference')")
    page.wait_for_selector("#diff table.diff")
    assert "8 hops only in A" in page.inner_text("#diff")
    assert page.evaluate(VALUES_CLASH) == []
    page.screenshot(path=artifacts / "compare-levels.png", full_page=True)


# two values over neighbouring bars of a chart that overlap, as drawn
VALUES_CLASH = """() => [...document.querySelectorAll('figure.chart svg')].flatMap(svg => {
  const boxes = [...svg.querySelectorAll('text.value')].map(t => [t.textContent, t.getBBox()]);
  return boxes.slice(1).filter(([, b], i) => {
    const a = boxes[i][1];
    return a.x + a.width > b.x && b.x + b.width > a.x
      && a.y + a.height > b.y && b.y + b.height > a.y;
  }).map(([text]) => text);
})"""


def test_contention_view_with_the_generator(page, server, artifacts):
    sid = open_session(page, server, "spooled")
    page.goto(f"{server}/s/{sid}/contention")
    page.fill("input[name=guests]", "3")
    page.select_option("select[name=device]", "nic")
    page.fill("input[name=rate_per_s]", "300")
    page.fill("input[name=duration_ms]", "40")
    page.click("button:has-text('Generate and show')")
    page.wait_for_url("**/contention")
    assert page.inner_text("h1").startswith("3 guests contend for the nic")
    rows = page.locator("svg .rowlabel").all_text_contents()
    assert rows == ["nic0 · vm1", "nic0 · vm2", "nic0 · vm3"]
    assert page.locator("svg rect.busy").count() > 10
    page.screenshot(path=artifacts / "contention-nic.png", full_page=True)


def test_clicking_a_compare_lanes_request_opens_the_player_at_its_first_hop(page, server):
    sid = open_session(page, server, "levels")
    total = len(hops(server, sid))
    page.goto(f"{server}/s/{sid}/compare")
    page.keyboard.press("End")  # the last moment: the own lane shows the last request
    page.wait_for_function(
        "!document.querySelector('#lanes .controls [data-key=End]').disabled"
        " && document.querySelector('#lanes [data-key=ArrowRight]').disabled"
    )
    link = page.locator("#lanes a.req")
    assert link.count() == 1  # only the session's own lane leads into the player's hops
    at = int(link.get_attribute("href").split("?at=")[1])
    request = link.inner_text()
    assert at > 1 and hops(server, sid)[at - 1]["request"] == request
    link.click()
    page.wait_for_url(f"**/s/{sid}?at={at}")
    wait_for_k(page, at - 1)
    assert page.inner_text("#position").startswith(f"hop {at} of {total}")


def test_a_contention_bar_is_a_link_the_keyboard_reaches(page, server):
    sid = open_session(page, server, "spooled")
    total = len(hops(server, sid))
    page.goto(f"{server}/s/{sid}/contention")
    bar = page.locator("figure.timeline svg a").nth(2)
    at = int(bar.get_attribute("href").split("?at=")[1])
    page.locator("form.window a").focus()  # the last control before the chart
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')").endswith(f"?at={at}")
    name = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert name.endswith(f"Open the player at hop {at}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/s/{sid}?at={at}")
    wait_for_k(page, at - 1)
    assert page.inner_text("#position").startswith(f"hop {at} of {total}")
    assert hops(server, sid)[at - 1]["stage"] == "physical_device"


def generate(page, server, guests):
    """A disk several guests contend for, made through the generator's form."""
    sid = open_session(page, server, "spooled")
    page.goto(f"{server}/s/{sid}/contention")
    page.fill("input[name=guests]", str(guests))
    page.fill("input[name=rate_per_s]", "40")
    page.fill("input[name=duration_ms]", "200")
    page.click("button:has-text('Generate and show')")
    page.wait_for_url("**/contention")
    return page.url.split("/s/")[1].split("/")[0]


def test_screenshots_of_compare_and_contention_with_several_guests(page, server, artifacts):
    six = generate(page, server, 6)
    sixteen = generate(page, server, 16)
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for name, sid in (("6", six), ("16", sixteen)):
            page.goto(f"{server}/s/{sid}/contention")
            rows = page.locator("svg .rowlabel").count()
            assert rows == int(name)
            page.screenshot(
                path=artifacts / f"contention-{name}-guests-{width}.png", full_page=True
            )
        page.goto(f"{server}/s/{six}/compare")
        for expected in range(2, 8):
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "document.querySelector('#lanes .position').innerText"
                f".includes('moment {expected} of')"
            )
        assert page.locator("#lanes a.req").count() == 1
        page.screenshot(path=artifacts / f"compare-6-guests-{width}.png", full_page=True)


def test_compare_and_contention_have_no_serious_accessibility_violations(page, server):
    sid = generate(page, server, 10)
    for path in ("compare", "contention"):
        page.goto(f"{server}/s/{sid}/{path}")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], path
