"""The presenter drawn for a projector: sizes read from the back of a hall, and a question's
answer nowhere on the projector until the lecturer reveals it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import CUT_TEXT, LABEL_CLASHES

LESSONS = sorted(
    p.stem for p in (Path(__file__).resolve().parents[2] / "scenarios" / "lessons").glob("*.yaml")
)

# the smallest text of the diagram as drawn (its font size times the drawing's scale), and of
# the narration panel
SIZES = """() => {
  const svg = document.getElementById('machine');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const ownText = e => Array.from(e.childNodes).some(n => n.nodeType === 3 && n.data.trim());
  const diagram = Array.from(svg.querySelectorAll('*')).filter(e => shown(e) && ownText(e))
    .map(e => parseFloat(getComputedStyle(e).fontSize) * scale);
  const side = Array.from(document.querySelectorAll('.pr-side *'))
    .filter(e => shown(e) && ownText(e) && !e.closest('.room-panel, .p-controls, .pr-nav'))
    .map(e => parseFloat(getComputedStyle(e).fontSize));
  const told = document.querySelector('.pr-narration p');
  const narration = parseFloat(getComputedStyle(told).fontSize);
  const box = svg.getBoundingClientRect();
  return {labels: Math.min(...diagram), side: Math.min(...side), narration,
          width: box.width, bottom: box.bottom};
}"""


# The smallest text of a follower's column view on the screen, in px (its font size times the
# drawing's scale), and whether the page scrolls sideways.
FOLLOWER_TEXT = """() => {
  const svg = document.querySelector('.column-view');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const shown = e => e.getClientRects().length > 0 && !e.closest('.visually-hidden');
  const ownText = e => Array.from(e.childNodes).some(n => n.nodeType === 3 && n.data.trim());
  const px = Array.from(svg.querySelectorAll('*')).filter(e => shown(e) && ownText(e))
    .map(e => parseFloat(getComputedStyle(e).fontSize) * scale);
  const station = parseFloat(getComputedStyle(svg.querySelector('.st .pc')).fontSize) * scale;
  const sideways = document.documentElement.scrollWidth > innerWidth;
  return {smallest: Math.min(...px), station, sideways};
}"""


@pytest.fixture
def projector(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    yield page
    context.close()


def present(page, server, lesson):
    page.goto(f"{server}/lessons")
    page.click(f"article:has-text('{lesson}') button")
    page.wait_for_url("**/p/*")
    page.wait_for_load_state()


def test_the_presenter_fills_a_projector_with_text_legible_from_the_back(
    projector, server, artifacts
):
    present(projector, server, "whole machine")
    projector.keyboard.press("PageDown")
    projector.wait_for_selector("#narration[data-step='1']", state="attached")
    projector.wait_for_timeout(1500)
    sizes = projector.evaluate(SIZES)
    assert sizes["labels"] >= 24, sizes
    assert sizes["narration"] >= 28 and sizes["side"] >= 24, sizes
    assert sizes["width"] >= 1300 and sizes["bottom"] <= 1080, sizes  # the diagram fills it
    projector.screenshot(path=artifacts / "presenter-1920.png")


def test_a_question_step_shows_no_answer_after_a_reload_or_a_live_room(projector, server):
    present(projector, server, "Partitioned devices")
    projector.keyboard.press("PageDown")  # step 2 poses its question
    projector.wait_for_selector("[data-reveal]")
    assert "Answer" not in projector.inner_text("body")
    projector.reload()
    projector.wait_for_selector("[data-reveal]")
    assert "Answer" not in projector.inner_text("body")
    projector.click("button:has-text('Start a live room')")
    projector.wait_for_selector(".room-panel .code")
    assert "Answer" not in projector.inner_text("body")
    projector.click("[data-reveal]")
    projector.wait_for_selector(".answer")
    assert "Answer: 64" in projector.inner_text(".pr-question")
    projector.reload()  # revealed stays revealed
    assert "Answer: 64" in projector.inner_text(".pr-question")


def test_a_phone_follows_with_the_narration_and_the_part_of_the_diagram_the_hop_is_in(
    browser, server, artifacts
):
    lecturer = browser.new_context(
        bypass_csp=True, viewport={"width": 1920, "height": 1080}
    ).new_page()
    present(lecturer, server, "Partitioned devices")
    lecturer.click("button:has-text('Start a live room')")
    code = lecturer.inner_text(".room-panel .code")
    phone = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{server}/r/{code}")
    lecturer.keyboard.press("PageDown")
    lecturer.wait_for_selector("[data-reveal]")
    lecturer.click("[data-reveal]")  # plays step 2: vm2's write runs down the disk's column
    phone.wait_for_function(
        "document.querySelector('.follower-narration').innerText.includes('Answer: 64')",
        timeout=10000,
    )
    phone.wait_for_selector(".column-view .tok", state="attached")
    assert "disk0" in phone.text_content(".column-view")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=artifacts / "follower-phone-390.png", full_page=True)
    # the projector drops small print, but the trap handler's count is the lesson's point
    traps = lecturer.locator(".pc .traps").first
    assert traps.is_visible() and traps.inner_text().endswith(("trap", "traps"))
    lecturer.screenshot(path=artifacts / "presenter-with-room-1920.png")


def go_to_hop(page, k):
    """The presenter's scrubber moved to hop ``k`` (from 0); the class follows it there."""
    page.eval_on_selector(
        "#scrubber", f"e => {{ e.value = '{k + 1}'; e.dispatchEvent(new Event('change')); }}"
    )
    page.wait_for_selector(f"#position:has-text('hop {k + 1} of')")


def test_on_a_projector_the_tokens_label_never_hides_a_boxs_text(projector, server):
    present(projector, server, "every kind of device")  # seven columns: the narrowest
    for k in range(int(projector.get_attribute("#player2", "data-total"))):
        go_to_hop(projector, k)
        assert projector.evaluate(LABEL_CLASHES) == [], f"hop {k + 1}"


# one wide column (a disk alone), and seven narrow ones of which it sees four at least
@pytest.mark.parametrize(("lesson", "columns"), [("Partitioned devices", 1), ("every kind", 4)])
def test_a_followers_phone_draws_the_hops_column_in_text_of_14_px_and_more(
    browser, server, lesson, columns
):
    lecturer = browser.new_context(
        bypass_csp=True, viewport={"width": 1920, "height": 1080}
    ).new_page()
    present(lecturer, server, lesson)
    total = int(lecturer.get_attribute("#player2", "data-total"))
    lecturer.click("button:has-text('Start a live room')")
    code = lecturer.inner_text(".room-panel .code")
    phone = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{server}/r/{code}")
    devices = set()
    for k in range(0, total, 6):
        go_to_hop(lecturer, k)
        phone.wait_for_selector(f"#stage-meta[data-k='{k}']", state="attached", timeout=10000)
        device = phone.get_attribute(".column-view", "aria-label").split(":")[0]
        devices.add(device)
        text = phone.evaluate(FOLLOWER_TEXT)
        assert text["station"] >= 14 and text["smallest"] >= 14, (device, text)
        assert not text["sideways"], device
    assert len(devices) >= columns, devices
    phone.context.close()
    lecturer.context.close()


@pytest.mark.parametrize("lesson", LESSONS)
def test_on_a_projector_every_step_of_every_lesson_shows_every_boxs_text_whole(
    projector, server, lesson
):
    """The lesson with the most columns included (seven): no word of a box cut by its edge
    nor ended by an ellipsis, at every hop of every step, with its text still 24 px and more
    and the narration 28 px and more."""
    projector.goto(f"{server}/lessons")
    projector.click(f"form[action='/lessons/{lesson}/present'] button")
    projector.wait_for_url("**/p/*")
    steps = int(projector.inner_text(".pr-step").split(" of ")[1].split()[0])
    shown = -1
    for step in range(steps):
        if step:
            projector.keyboard.press("PageDown")
            projector.wait_for_selector(f"#narration[data-step='{step}']", state="attached")
        sizes = projector.evaluate(SIZES)
        assert sizes["labels"] >= 24 and sizes["narration"] >= 28, (step, sizes)
        assert sizes["bottom"] <= 1080, (step, sizes)
        until = int(projector.get_attribute("#player2", "data-until"))
        for k in range(shown + 1, until + 1):
            go_to_hop(projector, k)
            assert projector.evaluate(CUT_TEXT) == [], f"step {step + 1}, hop {k + 1}"
        shown = max(shown, until)


# Where the lecturer's controls end on the screen: the step buttons, the playback bar, and the
# question's reveal button when the step asks one.
CONTROLS_BOTTOM = """() => {
  const bottom = s => {
    const e = document.querySelector(s);
    return e ? e.getBoundingClientRect().bottom : 0;
  };
  return {nav: bottom('.pr-nav'), playback: bottom('.p-controls'), reveal: bottom('[data-reveal]'),
          page: document.documentElement.scrollHeight};
}"""


@pytest.mark.parametrize("lesson", LESSONS)
def test_on_a_projector_the_lecturers_controls_stay_on_the_screen_at_every_step(
    projector, server, lesson
):
    """A long narration, a question and a live room's QR code beside it: the narration
    scrolls in its own box, and the step and playback buttons never fall below 1080 px."""
    projector.goto(f"{server}/lessons")
    projector.click(f"form[action='/lessons/{lesson}/present'] button")
    projector.wait_for_url("**/p/*")
    projector.click(".open-room button")  # the room panel, its code and its QR on the side
    projector.wait_for_selector("#room-panel .code")
    steps = int(projector.inner_text(".pr-step").split(" of ")[1].split()[0])
    for step in range(steps):
        if step:
            projector.keyboard.press("PageDown")
            projector.wait_for_selector(f"#narration[data-step='{step}']", state="attached")
        bottoms = projector.evaluate(CONTROLS_BOTTOM)
        assert max(bottoms.values()) <= 1080, (step + 1, bottoms)


def present_with_a_room(page, server, lesson):
    """The lesson presented from the list, its live room open."""
    page.goto(f"{server}/lessons")
    page.click(f"form[action='/lessons/{lesson}/present'] button")
    page.wait_for_url("**/p/*")
    page.click(".open-room button")
    page.wait_for_selector("#room-panel .code")
    return int(page.inner_text(".pr-step").split(" of ")[1].split()[0])


# The room's code and join address as the projector shows them: the code's lines, the address's
# lines each with the text that ends it, and whether either runs past the room panel.
ROOM_TEXT = """() => {
  const lines = e => {
    const range = document.createRange();
    range.selectNodeContents(e);
    const rows = new Map();
    const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      for (let i = 0; i < n.data.length; i++) {
        range.setStart(n, i);
        range.setEnd(n, i + 1);
        const r = range.getBoundingClientRect();
        if (!r.width) continue;
        const top = Math.round(r.top / 4);
        rows.set(top, (rows.get(top) || '') + n.data[i]);
      }
    }
    return Array.from(rows.values());
  };
  const panel = document.getElementById('room-panel').getBoundingClientRect();
  const code = document.querySelector('#room-panel .code');
  const url = document.querySelector('#room-panel .join strong');
  const out = [code, url].some(e => e.getBoundingClientRect().right > panel.right);
  return {code: lines(code), url: lines(url), out};
}"""


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_live_rooms_code_shows_on_one_line_and_its_address_breaks_only_after_a_slash(
    projector, server, lesson
):
    present_with_a_room(projector, server, lesson)
    room = projector.evaluate(ROOM_TEXT)
    code = projector.inner_text("#room-panel .code")
    assert room["code"] == [code] and len(code) == 8, room
    assert all(line.endswith("/") for line in room["url"][:-1]), room
    assert "".join(room["url"]).endswith("/join") and not room["out"], room


# The narration's text that its box hides (0 when it shows whole), in px
NARRATION_HIDDEN = """() => {
  const n = document.getElementById('narration');
  return n.scrollHeight - n.clientHeight;
}"""


@pytest.mark.parametrize("lesson", LESSONS)
def test_with_a_live_room_open_every_steps_narration_shows_whole_without_scrolling(
    projector, server, lesson, artifacts
):
    """1920×1080, the room's code and QR on the screen: each step's narration whole at 28 px,
    the diagram's labels still 24 px and more, the step and playback buttons on the screen."""
    steps = present_with_a_room(projector, server, lesson)
    for step in range(steps):
        if step:
            projector.keyboard.press("PageDown")
            projector.wait_for_selector(f"#narration[data-step='{step}']", state="attached")
        sizes = projector.evaluate(SIZES)
        assert sizes["labels"] >= 24 and sizes["narration"] >= 28, (step + 1, sizes)
        assert projector.evaluate(NARRATION_HIDDEN) <= 0, f"step {step + 1}"
        assert max(projector.evaluate(CONTROLS_BOTTOM).values()) <= 1080, f"step {step + 1}"
        if step == 0:
            projector.screenshot(path=artifacts / f"presenter-room-{lesson}-1920.png")
