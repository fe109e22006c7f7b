"""An instructor from the LMS, in a browser that enforces iovlab's Content-Security-Policy:
"add an activity" → sign in to iovlab → pick an exercise → the page hands the browser back
to the LMS, which adds it with its gradebook column; then opening it as an instructor says
whose results they are. Pages photographed in tests/artifacts/ at 1366×768 and on a phone."""

import json

import pytest
from sqlmodel import Session

from app.settings import Settings
from app.store.accounts import add_instructor
from app.store.db import make_engine
from app.store.exercises import create_exercise

from ..databases import sqlite_url
from ..live_server import serving
from ..lti.platform import DEEP_LINKING, Platform, rsa_pair
from ..web.test_exercises import PASSWORD
from .test_learning_paths import ROOT, fits_the_phone, shoot


@pytest.fixture
def strict_page(browser):
    """A page whose CSP is enforced (the shared one bypasses it), failing on any violation."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    context.close()
    assert errors == [], errors


def test_an_instructor_adds_an_exercise_from_the_lms_and_opens_it(strict_page, tmp_path, artifacts):
    page = strict_page
    private, public = rsa_pair()
    (tmp_path / "tool-private.pem").write_text(private)
    (tmp_path / "tool-public.pem").write_text(public)
    url = sqlite_url(tmp_path)
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
    with Platform() as platform:
        config = tmp_path / "lti.json"
        keys = (str(tmp_path / "tool-private.pem"), str(tmp_path / "tool-public.pem"))
        config.write_text(json.dumps(platform.registration(*keys)))
        with serving(Settings(database_url=url, lti_config=config)) as tool:
            platform.tool_jwks_url = f"{tool}/lti/jwks.json"
            platform.redirect_uris.append(f"{tool}/lti/launch")
            login = f"{tool}/lti/login"
            page.goto(
                platform.course_link(login, f"{tool}/lti/launch", "u-7", message=DEEP_LINKING)
            )
            page.wait_for_url("**/lti/pick/*")
            assert "Ada Lovelace, your course asks iovlab" in page.inner_text("main")
            assert fits_the_phone(page)
            shoot(page, artifacts, "lti-pick-sign-in")
            page.fill("#email", "t@uni.example")
            page.fill("#password", PASSWORD)
            page.click("button:has-text('Sign in')")
            page.wait_for_selector("button:has-text('Add “Frames”')")
            assert "2 points" in page.inner_text("main") and fits_the_phone(page)
            shoot(page, artifacts, "lti-pick-exercises")
            page.click("button:has-text('Add “Frames”')")
            page.wait_for_url(platform.deep_link_return_url)  # posted on by iovlab.js
            assert "Added: Frames" in page.inner_text("body")
            (item,) = platform.added
            assert item["lineItem"]["scoreMaximum"] == 2
            assert [r for r in platform.refusals if "favicon" not in r] == []

            # signed in while picking, in a window of its own: the launch opens the results
            page.goto(platform.course_link(login, f"{tool}/x/{exercise_id}", "u-7"))
            page.wait_for_url(f"{tool}/instructor/exercises/{exercise_id}")
            assert "Frames" in page.inner_text("h1") and "No attempt yet" in page.inner_text("main")
            shoot(page, artifacts, "lti-instructor-launch-results")

            page.context.clear_cookies()  # another browser, not signed in to iovlab
            page.goto(platform.course_link(login, f"{tool}/x/{exercise_id}", "u-7"))
            page.wait_for_url(f"{tool}/lti/teach/{exercise_id}")
            assert "for the instructor who made it" in page.inner_text("main")
            assert fits_the_phone(page)
            shoot(page, artifacts, "lti-instructor-launch-signed-out")
