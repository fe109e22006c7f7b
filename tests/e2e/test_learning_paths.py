"""The ways in, walked in a browser: a student studies a lesson alone; an instructor sets an
exercise from the defaults; two students answer it, one partly right; a student launched from
an LMS has their score arrive in its gradebook. Every page is photographed at 1366×768 and at
a phone's 390 px, in tests/artifacts/."""

import json
import re
from pathlib import Path

import pytest
from sqlmodel import Session

from app.exercises.variants import student_questions
from app.settings import Settings
from app.store.accounts import add_instructor
from app.store.db import make_engine
from app.store.exercises import create_exercise, get_exercise
from app.store.lti import get_launch
from app.web.exercises.lti import lms_alias

from ..databases import sqlite_url
from ..live_server import serving
from ..lti.platform import Platform, rsa_pair
from ..web.test_exercises import PASSWORD, two_aliases_with_different_variants

ROOT = Path(__file__).resolve().parents[2]
WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def shoot(page, artifacts, name):
    """The page as it is now, on a laptop and on a phone, where nothing makes the whole page
    scroll sideways (a wide table scrolls in its own box)."""
    page.set_viewport_size(WIDE)
    page.screenshot(path=artifacts / f"{name}-1366.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=artifacts / f"{name}-390.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(WIDE)
    assert width <= PHONE["width"], f"{name}: {width} px wide on a {PHONE['width']}-px phone"


def fits_the_phone(page):
    """Nothing wider than the phone's screen makes the whole page scroll sideways."""
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(WIDE)
    return width <= PHONE["width"]


def test_home_then_a_lesson_studied_alone_wrong_then_right(page, server, artifacts):
    page.set_viewport_size(WIDE)
    page.goto(server)
    for way in ("Explore a machine", "Study a lesson", "Practise", "Join a class"):
        assert page.locator(".way h2", has_text=way).count() == 1
    assert fits_the_phone(page)
    shoot(page, artifacts, "home")
    page.click(".way >> text=Lessons")
    page.wait_for_url("**/lessons")
    shoot(page, artifacts, "lessons")
    page.click("a[href='/lessons/1-why-virtualize/study']")
    page.wait_for_url("**/study/1")
    page.click("text=Next step →")
    page.click("text=Next step →")
    page.wait_for_url("**/study/3")
    assert page.locator("text=Answer first").count() == 1
    shoot(page, artifacts, "study-question")
    page.fill("#given", "10")
    page.click("button:has-text('Check')")
    page.wait_for_selector(".verdict.wrong")
    assert "4106" in page.inner_text(".verdict")
    shoot(page, artifacts, "study-wrong")
    page.fill("#given", "4106")
    page.click("button:has-text('Check')")
    page.wait_for_selector(".verdict.right")
    assert page.locator("ol.replay li.answer").count() == 1
    assert fits_the_phone(page)
    shoot(page, artifacts, "study-right")
    page.goto(f"{server}/lessons")
    assert page.locator("text=Resume at step 3").count() == 1


def sign_in(page, server):
    page.goto(f"{server}/instructor")
    page.wait_for_url("**/instructor/login?next=/instructor")
    page.fill("#email", "lecturer@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/instructor")


def right_answers(database_url, exercise_id, alias):
    engine = make_engine(database_url)
    with Session(engine) as db:
        exercise = get_exercise(db, exercise_id)
        source, templates = exercise.source, json.loads(exercise.templates)
        variants = exercise.variants
    engine.dispose()
    _, made = student_questions(source, templates, exercise_id, variants, alias)
    return made


def answer(page, questions, change=None):
    for i, q in enumerate(questions):
        for f in q.fields:
            value = q.answer[f.name]
            if change and (i, f.name) in change:
                value = change[(i, f.name)]
            selector = f"[name='q{i}.{f.name}']"
            if f.kind == "choice":
                page.select_option(selector, value)
            else:
                page.fill(selector, value)


def test_an_exercise_from_the_defaults_answered_by_two_students_and_read(
    page, browser, server, artifacts, e2e_database
):
    engine = make_engine(e2e_database)
    with Session(engine) as db:
        add_instructor(db, email="lecturer@example.org", password=PASSWORD)
    engine.dispose()
    sign_in(page, server)
    shoot(page, artifacts, "author-defaults")
    # a mistake: a scenario the ticked questions do not fit, and a title typed
    page.fill("#title", "Week 3: disks and frames")
    page.select_option("#scenario", "dedicated")
    page.click("button:has-text('Publish the exercise')")
    page.wait_for_selector(".problems")
    assert page.input_value("#title") == "Week 3: disks and frames"
    assert page.input_value("#scenario") == "dedicated"
    assert page.locator("input[name=templates]:checked").count() == 3
    shoot(page, artifacts, "author-error")
    page.select_option("#scenario", "all-devices")
    page.click("button:has-text('Preview variant 1')")
    page.wait_for_selector(".preview li")
    assert page.locator(".preview li").count() == 3
    shoot(page, artifacts, "author-preview")
    page.click("button:has-text('Publish the exercise')")
    page.wait_for_url(re.compile(r".*/instructor/exercises/[\w-]+$"))
    exercise_id = page.url.rsplit("/", 1)[1]

    first, second = two_aliases_with_different_variants(exercise_id)
    for alias, partly in ((first, False), (second, True)):
        student = browser.new_context(bypass_csp=True, viewport=WIDE)
        sp = student.new_page()
        sp.goto(f"{server}/x/{exercise_id}")
        sp.fill("#alias", alias)
        sp.click("button:has-text('Start')")
        sp.wait_for_selector("form.questions")
        questions = right_answers(e2e_database, exercise_id, alias)
        assert questions[0].template == "chs"
        change = {(0, "sector"): str(int(questions[0].answer["sector"]) - 1)} if partly else None
        answer(sp, questions, change)
        if partly:
            shoot(sp, artifacts, "student-answering")
        sp.click("button:has-text('Submit my answers')")
        sp.wait_for_url("**/a/*")
        expected = "92%" if partly else "100%"  # 0.75 + 1 + 1 of 3 points
        assert expected in sp.inner_text("h1")
        if partly:
            assert "0.75 of 1 point" in sp.inner_text("main")
            shoot(sp, artifacts, "student-result-partly")
        student.close()

    page.reload()
    text = page.inner_text("main")
    assert first in text and second in text
    assert "2.75 / 3" in text and "3 / 3" in text
    assert "sectors counted from 0" in text
    shoot(page, artifacts, "results")
    page.click(f"a:has-text('{second}')")
    page.wait_for_url("**/attempts/*")
    assert "✗" in page.inner_text("main") and "sectors counted from 0" in page.inner_text("main")
    shoot(page, artifacts, "results-one-student")


@pytest.fixture
def lms(tmp_path):
    with Platform() as platform:
        private, public = rsa_pair()
        (tmp_path / "tool-private.pem").write_text(private)
        (tmp_path / "tool-public.pem").write_text(public)
        config = tmp_path / "lti.json"
        config.write_text(
            json.dumps(
                platform.registration(
                    str(tmp_path / "tool-private.pem"), str(tmp_path / "tool-public.pem")
                )
            )
        )
        yield platform, config


def frames_exercise(url: str) -> int:
    """An instructor (t@uni.example) and their exercise "Frames" in the database at ``url``."""
    engine = make_engine(url)
    with Session(engine) as db:
        teacher = add_instructor(db, email="t@uni.example", password=PASSWORD)
        exercise_id = create_exercise(
            db,
            instructor_id=teacher.id,
            title="Frames",
            source=(ROOT / "scenarios" / "all-devices.yaml").read_text(),
            templates=["frame", "status"],
            variants=4,
            due_at=None,
            retries=False,
        ).id
    engine.dispose()
    assert exercise_id is not None
    return exercise_id


def test_a_launch_from_the_lms_an_attempt_and_the_score_in_its_gradebook(
    page, lms, tmp_path, artifacts
):
    platform, config = lms
    url = sqlite_url(tmp_path)
    exercise_id = frames_exercise(url)
    engine = make_engine(url)
    with serving(Settings(database_url=url, lti_config=config)) as tool:
        platform.tool_jwks_url = f"{tool}/lti/jwks.json"
        platform.redirect_uris.append(f"{tool}/lti/launch")
        link = platform.course_link(f"{tool}/lti/login", f"{tool}/x/{exercise_id}")
        page.goto(link)
        page.wait_for_url(re.compile(r".*/lti/x/[\w-]+$"))
        assert "Hello Grace Hopper" in page.inner_text("main")
        shoot(page, artifacts, "lti-exercise")
        with Session(engine) as db:
            alias = lms_alias(get_launch(db, page.url.rsplit("/", 1)[1]))
        answer(page, right_answers(url, exercise_id, alias))
        page.click("button:has-text('Submit my answers')")
        page.wait_for_url("**/a/*")
        assert "sent to your course's gradebook" in page.inner_text("main")
        shoot(page, artifacts, "lti-result")
    engine.dispose()
    (score,) = platform.scores
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("u-42", 2, 2)
    assert platform.refusals == []
