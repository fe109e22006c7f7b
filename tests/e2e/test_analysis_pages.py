"""The compare and contention views in a real browser."""

from .helpers import open_session


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
    page.screenshot(path=artifacts / "compare-levels.png", full_page=True)


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
