"""An instructor from the LMS, through iovlab's routes, a real server and the loopback
platform: Deep Linking adds one of their exercises to the course with its gradebook column
(and a student's score then lands in that column), and an instructor's launch opens the
exercise's results for its owner, not an attempt."""

import re

import requests
from sqlmodel import Session, select

from app.store.accounts import add_instructor
from app.store.exercises import attempts_of, create_exercise
from app.store.models import LtiLaunchRow

from .conftest import CROSS_SITE, SOURCE, Form
from .platform import DEEP_LINKING
from .test_routes import questions_for

TEACHER = {"email": "t@uni.example", "password": "a long password"}
COLLEAGUE = {"email": "c@uni.example", "password": "another long password"}


def arrive(base, params, browser=None):
    """A browser sent by the LMS: login initiation, the OIDC hop, the auto-posted launch."""
    browser = browser or requests.Session()
    start = browser.post(
        f"{base}/lti/login", data=params, headers=CROSS_SITE, allow_redirects=False
    )
    assert start.status_code == 302, start.text
    form = Form(browser.get(start.headers["location"]).text)
    landed = browser.post(form.action, data=form.fields, headers=CROSS_SITE, allow_redirects=False)
    return browser, landed


def add_an_activity(platform, base, browser=None, user="u-7"):
    """The instructor's "add an activity" in the LMS: a deep-linking request to the tool."""
    params = platform.initiation(f"{base}/lti/login", f"{base}/lti/launch", user, DEEP_LINKING)
    browser, landed = arrive(base, params, browser)
    assert landed.status_code == 303 and "/lti/pick/" in landed.headers["location"], landed.text
    return browser, base + landed.headers["location"]


def colleague_exercise(engine):
    with Session(engine) as db:
        colleague = add_instructor(db, **COLLEAGUE)
        row = create_exercise(
            db,
            instructor_id=colleague.id,
            title="Printers of a colleague",
            source=SOURCE,
            templates=["print_order"],
            variants=1,
            due_at=None,
            retries=False,
        )
        return row.id


def signed_in(base, account):
    browser = requests.Session()
    done = browser.post(f"{base}/instructor/login", data=account, allow_redirects=False)
    assert done.status_code == 303
    return browser


def test_an_instructor_adds_an_exercise_from_the_lms_and_a_student_is_graded_in_its_column(
    platform, served
):
    base, engine, exercise_id = served
    colleague_exercise(engine)
    browser, pick_url = add_an_activity(platform, base)
    page = browser.get(pick_url)
    assert page.status_code == 200 and "Ada Lovelace, your course asks iovlab" in page.text
    wrong = browser.post(f"{pick_url}/signin", data={**TEACHER, "password": "not it"})
    assert wrong.status_code == 401 and "do not match an instructor" in wrong.text
    assert 'value="t@uni.example"' in wrong.text  # what was typed is kept
    browser.post(f"{pick_url}/signin", data=TEACHER)
    page = browser.get(pick_url).text
    assert "Add “Disks”" in page and "5 points" in page
    assert "colleague" not in page  # only their own exercises
    returned = browser.post(pick_url, data={"exercise": exercise_id})
    assert returned.status_code == 200
    form = Form(returned.text)
    assert form.action == platform.deep_link_return_url and set(form.fields) == {"JWT"}
    # the page may post its form to the LMS, and only there: one policy, that says so
    policy = returned.headers["content-security-policy"]
    assert (
        policy.endswith(f"form-action 'self' {platform.url}") and policy.count("default-src") == 1
    )
    added = requests.post(form.action, data=form.fields)  # the browser posts it on
    assert added.status_code == 200 and "Added: Disks" in added.text, platform.refusals
    (item,) = platform.added
    assert item["url"] == f"{base}/x/{exercise_id}" and item["custom"] == {"exercise": exercise_id}
    column = platform.lineitems[item["lineitem"]]
    assert (column["label"], column["scoreMaximum"]) == ("Disks", 5.0)

    student, landed = arrive(base, platform.added_link(f"{base}/lti/login"))
    page_url = base + landed.headers["location"]
    page = student.get(page_url).text
    (chs, frame), _ = questions_for(engine, page_url, exercise_id)
    answers = {f"q0.{k}": v for k, v in chs.answer.items()} | {
        "q1.receiver": frame.answer["receiver"]
    }
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    student.post(f"{page_url}/attempts", data={**answers, "token": token})
    (score,) = column["scores"]
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("u-42", 5.0, 5.0)


def test_an_instructor_signed_in_to_iovlab_picks_at_once_among_their_own(platform, served):
    base, engine, exercise_id = served
    theirs_not = colleague_exercise(engine)
    browser, pick_url = add_an_activity(platform, base, signed_in(base, TEACHER))
    page = browser.get(pick_url).text
    assert "Signed in to iovlab as t@uni.example" in page and 'name="password"' not in page
    refused = browser.post(pick_url, data={"exercise": theirs_not})
    assert refused.status_code == 404 and "exercise: you have none called" in refused.text
    assert browser.post(pick_url, data={"exercise": exercise_id}).status_code == 200
    again = browser.post(pick_url, data={"exercise": exercise_id})
    assert again.status_code == 404 and "add the activity again from the LMS" in again.text


def test_a_choice_opens_only_in_the_browser_the_lms_sent(platform, served):
    base, _, exercise_id = served
    _, pick_url = add_an_activity(platform, base)
    stranger = signed_in(base, TEACHER)  # even an instructor, with the address in hand
    assert stranger.get(pick_url).status_code == 404
    assert stranger.post(pick_url, data={"exercise": exercise_id}).status_code == 404
    assert platform.added == []


def test_a_learner_cannot_add_an_activity(platform, served):
    base, _, _ = served
    params = platform.initiation(f"{base}/lti/login", f"{base}/lti/launch", "u-42", DEEP_LINKING)
    _, landed = arrive(base, params)
    assert (
        landed.status_code == 403 and "only instructors of the course add activities" in landed.text
    )


def test_an_instructor_launch_opens_the_results_for_the_owner_and_no_attempt(platform, served):
    base, engine, exercise_id = served
    colleague_exercise(engine)
    link = f"{base}/x/{exercise_id}"

    browser, landed = arrive(base, platform.initiation(f"{base}/lti/login", link, "u-7"))
    assert landed.headers["location"] == f"/lti/teach/{exercise_id}"
    page = browser.get(base + landed.headers["location"])
    assert page.status_code == 200 and "for the instructor who made it" in page.text
    assert f"/instructor/login?next=/instructor/exercises/{exercise_id}" in page.text

    owner = signed_in(base, TEACHER)
    _, landed = arrive(base, platform.initiation(f"{base}/lti/login", link, "u-7"), owner)
    results = owner.get(base + landed.headers["location"])
    assert results.url == f"{base}/instructor/exercises/{exercise_id}"
    assert results.status_code == 200 and "Results CSV" in results.text

    other = signed_in(base, COLLEAGUE)
    _, landed = arrive(base, platform.initiation(f"{base}/lti/login", link, "u-7"), other)
    page = other.get(base + landed.headers["location"])
    assert page.status_code == 403 and "c@uni.example, who did not make" in page.text
    with Session(engine) as db:
        assert list(db.exec(select(LtiLaunchRow))) == [] and attempts_of(db, exercise_id) == []
    assert platform.scores == []
