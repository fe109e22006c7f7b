"""An instructor from the LMS, in a browser that enforces iovlab's Content-Security-Policy:
"add an activity" → sign in to iovlab → pick an exercise → the page hands the browser back
to the LMS, which adds it with its gradebook column; then opening it as an instructor says
whose results they are. Pages photographed in tests/artifacts/ at 1366×768 and on a phone."""

import json

import pytest

from app.settings import Settings

from ..databases import sqlite_url
from ..live_server import serving
from ..lti.platform import DEEP_LINKING, Platform, rsa_pair
from ..web.test_exercises import PASSWORD
from .conftest import watched_page
from .test_learning_paths import fits_the_phone, frames_exercise, shoot


@pytest.fixture
def strict_page(browser):
    """A page whose CSP is enforced (the shared one bypasses it), failing on any violation."""
    yield from watched_page(browser, viewport={"width": 1366, "height": 768})


def test_an_instructor_adds_an_exercise_from_the_lms_and_opens_it(strict_page, tmp_path, artifacts):
    page = strict_page
    private, public = rsa_pair()
    (tmp_path / "tool-private.pem").write_text(private)
    (tmp_path / "tool-public.pem").write_text(public)
    url = sqlite_url(tmp_path)
    exercise_id = frames_exercise(url)
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
