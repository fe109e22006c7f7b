"""A lecturer presents with the keyboard; a student follows, looks back, returns, answers."""

from pathlib import Path

from app.lessons.compile import load_lessons

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
LESSONS = load_lessons(SCENARIOS / "lessons", SCENARIOS)


def test_presenter_steps_through_a_lesson_with_the_keyboard(page, server, artifacts):
    page.goto(f"{server}/lessons")
    page.click("article:has-text('three interception levels') button")
    page.wait_for_url("**/p/*")
    page.wait_for_load_state()
    assert "Step 1 of 7" in page.inner_text(".pr-side")
    page.keyboard.press("PageDown")
    page.wait_for_selector("#narration[data-step='1']", state="attached")
    assert "Reveal and play" in page.inner_text(".pr-question")
    page.click("[data-reveal]")
    page.wait_for_selector(".pr-question .answer")
    assert "Answer: 9" in page.inner_text(".pr-question")
    page.keyboard.press("ArrowRight")  # what a clicker sends
    page.wait_for_selector("#narration[data-step='2']", state="attached")
    page.keyboard.press("PageUp")
    page.wait_for_selector("#narration[data-step='1']", state="attached")
    page.keyboard.press("b")
    assert page.locator("#blank").is_visible()
    page.keyboard.press("b")
    page.keyboard.press("n")
    assert not page.locator("#narration").is_visible()
    page.keyboard.press("n")
    page.screenshot(path=artifacts / "presenter.png")


def test_a_student_follows_detaches_returns_and_answers(browser, server, artifacts):
    lecturer = browser.new_context(
        bypass_csp=True, viewport={"width": 1280, "height": 720}
    ).new_page()
    lecturer.goto(f"{server}/lessons")
    lecturer.click("article:has-text('Partitioned devices') button")
    lecturer.wait_for_url("**/p/*")
    lecturer.wait_for_load_state()
    lecturer.click("button:has-text('Start a live room')")
    code = lecturer.inner_text(".room-panel .code")

    student = browser.new_context(
        bypass_csp=True, viewport={"width": 1280, "height": 720}
    ).new_page()
    student.goto(f"{server}/join")
    student.fill("#code", code.lower())
    student.click("button:has-text('Join')")
    student.wait_for_url(f"**/r/{code}")
    student.wait_for_load_state()

    lecturer.keyboard.press("PageDown")  # step 2 poses its question
    lecturer.wait_for_selector("button:has-text('Ask the class')")
    lecturer.click("button:has-text('Ask the class')")
    student.wait_for_selector("form[hx-post*='/answer'] input", timeout=10000)
    student.fill("form[hx-post*='/answer'] input", "64")
    student.click("form[hx-post*='/answer'] button")
    student.wait_for_selector(".answered")
    lecturer.wait_for_function(
        "document.querySelector('#answers').innerText.includes('1 answer')", timeout=10000
    )

    lecturer.click("[data-reveal]")
    student.wait_for_function(
        "document.querySelector('.follower-narration').innerText.includes('Answer: 64')",
        timeout=10000,
    )
    # the student's own answer, marked on their phone once revealed
    student.wait_for_selector(".answer .mine.right")
    end = LESSONS["3-partitioned"].steps[1].end  # where this step's playing stops
    student.wait_for_function(
        f"document.getElementById('stage-meta').dataset.k == '{end}'", timeout=15000
    )
    lecturer.wait_for_function(f"document.getElementById('scrubber').value == '{end + 1}'")

    student.keyboard.press("ArrowLeft")  # look back
    student.wait_for_selector(".live-badge.off")
    assert int(student.get_attribute("#stage-meta", "data-k")) == end - 1
    student.keyboard.press("l")  # back to live
    student.wait_for_selector(".live-badge.on")
    student.screenshot(path=artifacts / "follower.png")
    lecturer.screenshot(path=artifacts / "lecturer-with-room.png", full_page=True)
