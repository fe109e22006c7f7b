"""Script planted in every field a user can write — scenario name and description, a key
the keyboard does not have and an unknown scenario key echoed in a problem, an exercise
title, a student's alias and answers, a room answer, a sign-in e-mail — is shown as text
and never runs in Chromium.

The browser here ignores the Content-Security-Policy (bypass_csp), so only escaping stands
between the payload and execution."""

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from app.store.accounts import add_instructor
from app.store.db import make_engine

from ..web.test_exercises import PASSWORD

LONG = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'
SHORT = "<svg onload=X=1>"  # a key is at most 16 characters (and this one is refused)
SCENARIO = f"""
name: '{LONG}'
description: 'About {LONG}'
level: device_driver
guests:
  - {{id: vm1, os: linux, mac: "52:54:00:00:00:01", ip: "10.0.0.1"}}
devices:
  - {{id: kbd0, type: keyboard, owner: vm1}}
workload:
  - {{at_us: 0, op: key_press, device: kbd0, key: '!'}}
"""


@pytest.fixture
def hostile(browser):
    """A browser page that records anything a payload would do if it ran."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    ran: list[str] = []
    page.on("dialog", lambda dialog: (ran.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda m: ran.append(m.text) if "pwned" in m.text else None)

    def check(where):
        page.wait_for_load_state()
        flags = page.evaluate("[window.pwned, window.X]")
        assert flags == [None, None] and ran == [], where

    yield page, check
    context.close()


def test_a_scenario_with_script_in_its_fields_shows_it_as_text(hostile, server, artifacts):
    page, check = hostile
    page.goto(f"{server}/")
    page.fill("#scenario_yaml", SCENARIO)
    page.click("button:has-text('Open my scenario')")
    page.wait_for_url("**/s/*")
    assert page.inner_text("h1") == LONG
    check("session page")
    page.keyboard.press("End")
    page.wait_for_selector("#log li:has-text('0x2A')")
    page.click("#log li:has-text('0x2A') button")
    # the player fetches the clicked hop; the inspector already holds the last hop's numbers
    expect(page.locator("#inspector")).to_contain_text("0x2A")
    check("inspector")
    page.screenshot(path=artifacts / "hostile-session.png")
    sid = page.url.split("?")[0].rsplit("/", 1)[1]  # the address carries the hop shown
    for path in (f"/s/{sid}/compare", f"/s/{sid}/contention", f"/embed/s/{sid}"):
        page.goto(f"{server}{path}")
        assert LONG in page.inner_text("body"), path
        check(path)


def test_a_scenario_key_made_of_script_is_named_in_the_problem_as_text(hostile, server):
    page, check = hostile
    page.goto(f"{server}/")
    page.fill("#scenario_yaml", SCENARIO + f"'{LONG}': 1\n")
    page.click("button:has-text('Open my scenario')")
    page.wait_for_selector("#problems")
    assert LONG in page.inner_text("#problems")
    check("problems")


def test_a_key_made_of_script_is_named_in_the_problem_as_text(hostile, server):
    page, check = hostile
    page.goto(f"{server}/")
    page.fill("#scenario_yaml", SCENARIO.replace("key: '!'", f"key: '{SHORT}'"))
    page.click("button:has-text('Open my scenario')")
    page.wait_for_selector("#problems")
    assert f"workload[0].key: '{SHORT}' is not a key" in page.inner_text("#problems")
    check("key problem")


def test_exercise_title_alias_and_answers_made_of_script_stay_text(
    hostile, server, e2e_database, artifacts
):
    page, check = hostile
    engine = make_engine(e2e_database)
    with Session(engine) as db:
        add_instructor(db, email="hostile@example.org", password=PASSWORD)
    engine.dispose()
    page.goto(f"{server}/instructor/login")
    page.fill("#email", "hostile@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/instructor")
    page.fill("#title", LONG)
    page.select_option("#scenario", "all-devices")
    page.click("button:has-text('Publish the exercise')")
    page.wait_for_url("**/instructor/exercises/*")
    exercise_url = page.url
    assert LONG in page.inner_text("main")
    check("results page")
    page.goto(f"{server}/instructor")
    check("instructor home")

    page.goto(exercise_url.replace("/instructor/exercises/", "/x/"))
    page.fill("#alias", LONG)
    page.click("button:has-text('Start')")
    page.wait_for_selector("form.questions")
    check("questions")
    for field in page.locator("form.questions input[name^=q]").all():
        field.fill(LONG)
    page.click("button:has-text('Submit my answers')")
    page.wait_for_selector(".question .problems")  # not numbers: refused, kept as typed
    check("refused answers")
    for field in page.locator("form.questions input[name^=q][inputmode=decimal]").all():
        field.fill("1")
    for field in page.locator("form.questions select[name^=q]").all():
        field.select_option(index=1)
    page.click("button:has-text('Submit my answers')")
    page.wait_for_url("**/a/*")
    assert LONG in page.inner_text("main")
    check("student's result")

    page.goto(exercise_url)
    assert page.inner_text("main").count(LONG) >= 2  # the title and the alias, as text
    check("results with the student's answers")
    page.screenshot(path=artifacts / "hostile-results.png", full_page=True)


def test_a_room_answer_and_a_sign_in_email_made_of_script_stay_text(hostile, browser, server):
    page, check = hostile
    page.goto(f"{server}/lessons")
    page.click("article:has-text('Partitioned devices') button")
    page.wait_for_url("**/p/*")
    sid = page.url.rsplit("/", 1)[1]
    page.click("button:has-text('Start a live room')")
    page.wait_for_selector(".code")
    code = page.inner_text(".code").strip()
    stepped = page.request.post(
        f"{server}/p/{sid}/step/1", form={"phase": "ask"}, headers={"Origin": server}
    )
    assert stepped.ok, stepped.status
    asked = page.request.post(f"{server}/p/{sid}/room/ask", headers={"Origin": server})
    assert asked.ok, asked.status

    student_context = browser.new_context(bypass_csp=True)
    student = student_context.new_page()
    student.goto(f"{server}/r/{code}")
    student.wait_for_load_state("networkidle")  # htmx has taken over the form
    student.fill("input[name=value]", LONG[:100])
    with student.expect_response(lambda r: r.url.endswith("/answer")) as sent:
        student.click("button:has-text('Send')")
    assert sent.value.status == 200, sent.value.status
    student.wait_for_selector(".answered")
    assert LONG in student.inner_text(".answered")
    assert student.evaluate("[window.pwned, window.X]") == [None, None]
    student_context.close()

    page.goto(f"{server}/p/{sid}/room/answers")
    assert LONG in page.inner_text("body")
    check("the lecturer's answers")

    page.goto(f"{server}/instructor/login")
    page.evaluate("document.getElementById('email').type = 'text'")  # past the browser's check
    page.fill("#email", LONG)
    page.fill("#password", "wrong password!")
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    check("sign-in refused")
