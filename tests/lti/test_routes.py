"""The whole LTI flow through iovlab's routes, a real server and the loopback platform:
login initiation, the signed launch, the attempt with the LMS identity, the score posted."""

import json
import re
from datetime import UTC, datetime, timedelta

import requests
from sqlmodel import Session, select

from app.exercises.variants import student_questions
from app.settings import Settings
from app.store.exercises import attempts_of, get_exercise
from app.store.lti import LAUNCH_HOURS, get_launch
from app.store.models import LtiLaunchRow
from app.web.exercises.lti import lms_alias

from ..databases import sqlite_url
from ..live_server import serving
from .conftest import CROSS_SITE, Form, serve_json


def launch_from_the_lms(platform, base, exercise_id):
    """A browser sent by the LMS: login initiation, the OIDC hop, the auto-posted launch."""
    browser = requests.Session()
    start = browser.post(
        f"{base}/lti/login",
        data=platform.initiation(f"{base}/lti/login", f"{base}/x/{exercise_id}"),
        headers=CROSS_SITE,
        allow_redirects=False,
    )
    assert start.status_code == 302, start.text
    answer = browser.get(start.headers["location"])
    assert answer.status_code == 200, platform.refusals
    form = Form(answer.text)
    landed = browser.post(form.action, data=form.fields, headers=CROSS_SITE, allow_redirects=False)
    assert landed.status_code == 303, landed.text
    return browser, base + landed.headers["location"]


def questions_for(engine, page_url, exercise_id):
    """The questions the launched student was given, and their alias."""
    with Session(engine) as db:
        alias = lms_alias(get_launch(db, page_url.rsplit("/", 1)[1]))
        stored = get_exercise(db, exercise_id)
    templates = json.loads(stored.templates)
    _, made = student_questions(stored.source, templates, exercise_id, stored.variants, alias)
    return made, alias


def test_a_student_launched_from_the_lms_is_graded_and_the_score_reaches_the_gradebook(
    platform, served
):
    base, engine, exercise_id = served
    browser, page_url = launch_from_the_lms(platform, base, exercise_id)
    page = browser.get(page_url)
    assert page.status_code == 200 and "Hello Grace Hopper" in page.text
    assert 'name="alias"' not in page.text  # no alias to type, or to forge
    chs, frame = questions_for(engine, page_url, exercise_id)[0]
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    answers = {f"q0.{k}": v for k, v in chs.answer.items()}
    answers["q0.sector"] = str(int(chs.answer["sector"]) - 1)  # 3 of 4 fields right
    answers["q1.receiver"] = frame.answer["receiver"]
    done = browser.post(
        f"{page_url}/attempts", data={**answers, "token": token}, allow_redirects=False
    )
    assert done.status_code == 303
    result = browser.get(base + done.headers["location"]).text
    assert "Your score was sent to your course's gradebook." in result
    (score,) = platform.scores
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("u-42", 4.0, 5.0)
    with Session(engine) as db:
        (attempt,) = attempts_of(db, exercise_id)
    assert attempt.alias.startswith("grace hopper #") and attempt.score == 0.8


def test_a_score_the_gradebook_refused_is_shown_to_the_student_and_the_instructor(platform, served):
    base, engine, exercise_id = served
    browser, page_url = launch_from_the_lms(platform, base, exercise_id)
    token = re.search(r'name="token" value="([^"]+)"', browser.get(page_url).text).group(1)
    (chs, frame), _ = questions_for(engine, page_url, exercise_id)
    answers = {f"q0.{k}": v for k, v in chs.answer.items()} | {
        "q1.receiver": frame.answer["receiver"]
    }
    server, platform.tool_jwks_url = serve_json({"keys": []})  # the LMS lost the tool's key
    try:
        result = browser.post(f"{page_url}/attempts", data={**answers, "token": token}).text
    finally:
        server.shutdown()
        server.server_close()
    assert "gradebook did not take the score" in result and platform.scores == []
    teacher = requests.Session()
    teacher.post(
        f"{base}/instructor/login", data={"email": "t@uni.example", "password": "a long password"}
    )
    results = teacher.get(f"{base}/instructor/exercises/{exercise_id}").text
    assert "LMS gradebook" in results and ">refused<" in results
    assert "grace hopper #" in results and "the gradebook refused the score" in results


def test_answers_that_are_not_answers_are_refused_and_nothing_is_sent(platform, served):
    base, engine, exercise_id = served
    browser, page_url = launch_from_the_lms(platform, base, exercise_id)
    token = re.search(r'name="token" value="([^"]+)"', browser.get(page_url).text).group(1)
    refused = browser.post(
        f"{page_url}/attempts", data={"token": token, "q0.cylinder": "abc"}, allow_redirects=False
    )
    assert refused.status_code == 422
    assert "cylinder: &#39;abc&#39; is not a number" in refused.text
    assert "physical block: give an answer" in refused.text
    assert 'value="abc"' in refused.text  # what was typed is kept
    with Session(engine) as db:
        assert attempts_of(db, exercise_id) == []
    assert platform.scores == []


def test_a_launch_is_over_after_a_day_and_says_to_open_it_from_the_lms_again(platform, served):
    base, engine, exercise_id = served
    browser, page_url = launch_from_the_lms(platform, base, exercise_id)
    assert browser.get(page_url).status_code == 200
    with Session(engine) as db:
        row = db.get(LtiLaunchRow, page_url.rsplit("/", 1)[1])
        row.created_at = datetime.now(UTC) - timedelta(hours=LAUNCH_HOURS, minutes=1)
        db.add(row)
        db.commit()
    over = browser.get(page_url)
    assert over.status_code == 404 and "a launch lasts a day" in over.text
    again, page_url = launch_from_the_lms(platform, base, exercise_id)  # pruning the old one
    assert again.get(page_url).status_code == 200
    with Session(engine) as db:
        assert len(list(db.exec(select(LtiLaunchRow)))) == 1


def test_a_forged_or_replayed_launch_is_refused(platform, served):
    base, _, exercise_id = served
    browser = requests.Session()
    start = browser.post(
        f"{base}/lti/login",
        data=platform.initiation(f"{base}/lti/login", f"{base}/x/{exercise_id}"),
        headers=CROSS_SITE,
        allow_redirects=False,
    )
    form = Form(browser.get(start.headers["location"]).text)
    first = browser.post(form.action, data=form.fields, headers=CROSS_SITE, allow_redirects=False)
    assert first.status_code == 303
    again = browser.post(form.action, data=form.fields, headers=CROSS_SITE, allow_redirects=False)
    assert again.status_code == 400 and "Nonce" in again.text
    stranger = requests.post(form.action, data=form.fields, headers=CROSS_SITE)
    assert stranger.status_code == 400  # no state cookie: not the browser that logged in


def test_the_tool_publishes_its_key_and_other_cross_site_posts_stay_refused(platform, served):
    base, _, _ = served
    keys = requests.get(f"{base}/lti/jwks.json").json()["keys"]
    assert keys and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    refused = requests.post(f"{base}/instructor/login", data={}, headers=CROSS_SITE)
    assert refused.status_code == 403


def test_without_an_lti_configuration_the_routes_are_not_there(tmp_path):
    with serving(Settings(database_url=sqlite_url(tmp_path))) as base:
        assert requests.get(f"{base}/lti/jwks.json").status_code == 404
        assert requests.post(f"{base}/lti/launch", data={}).status_code == 404
