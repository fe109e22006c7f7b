"""An instructor sets an exercise, two students answer it, the instructor reads the results."""

import re

from sqlmodel import Session

from app.settings import Settings
from app.store.accounts import add_instructor
from app.store.db import make_engine

from ..web.test_exercises import PASSWORD, two_aliases_with_different_variants


def test_instructor_creates_students_answer_instructor_reads(
    browser, server, artifacts, e2e_database
):
    with Session(make_engine(Settings(database_url=e2e_database).database_url)) as db:
        add_instructor(db, email="lecturer@example.org", password=PASSWORD)
    teacher = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 720})
    page = teacher.new_page()
    page.goto(f"{server}/instructor/login")
    page.fill("#email", "lecturer@example.org")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/instructor")
    page.select_option("#scenario", "all-devices")
    page.click("button:has-text('Create the exercise')")
    page.wait_for_url("**/instructor/exercises/*")
    exercise_id = page.url.rsplit("/", 1)[1]
    page.screenshot(path=artifacts / "exercise-created.png", full_page=True)

    first, second = two_aliases_with_different_variants(exercise_id)
    prompts = {}
    for alias, right in ((first, True), (second, False)):
        student = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 720})
        sp = student.new_page()
        sp.goto(f"{server}/x/{exercise_id}")
        sp.fill("#alias", alias)
        sp.click("button:has-text('Start')")
        sp.wait_for_selector("form.questions")
        prompts[alias] = sp.locator(".question p").all_inner_texts()
        for field in sp.locator(
            "form.questions input[name^=q], form.questions select[name^=q]"
        ).all():
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(index=1)
            else:
                field.fill("1")
        if right:
            fill_right_answers(sp, exercise_id, alias, e2e_database)
        sp.click("button:has-text('Submit my answers')")
        sp.wait_for_url("**/a/*")
        assert sp.locator(".explain").count() >= 1
        sp.screenshot(
            path=artifacts / f"exercise-result-{'right' if right else 'wrong'}.png", full_page=True
        )
        student.close()
    assert prompts[first] != prompts[second]

    page.reload()
    text = page.inner_text("main")
    assert first in text and second in text and "100%" in text
    assert page.locator("a:has-text('Results CSV')").count() == 1
    page.screenshot(path=artifacts / "exercise-results.png", full_page=True)
    teacher.close()


def fill_right_answers(page, exercise_id, alias, database_url):
    import json

    from app.exercises.variants import variant_of, variant_questions
    from app.sim import load_scenario
    from app.store.exercises import get_exercise

    with Session(make_engine(database_url)) as db:
        exercise = get_exercise(db, exercise_id)
    variant = variant_of(exercise_id, alias, exercise.variants)
    questions = variant_questions(
        load_scenario(exercise.source), json.loads(exercise.templates), exercise_id, variant
    )
    for i, q in enumerate(questions):
        for f in q.fields:
            selector = f"[name='q{i}.{f.name}']"
            if f.kind == "choice":
                page.select_option(selector, q.answer[f.name])
            else:
                page.fill(selector, q.answer[f.name])
    assert re.match(r"^[\w-]+$", exercise_id)
