"""The tool side of LTI 1.3 against a platform on loopback that signs and verifies as the
specification says: login initiation, the signed launch, and the score posted back."""

import urllib.parse
from datetime import UTC, datetime

import pytest
import requests

from app.lti.adapter import Incoming
from app.lti.tool import LtiError, launch, login, post_score

from .conftest import LAUNCH_URL, TARGET, Form, serve_json


def through_platform(platform, config, values, user="u-42"):
    """Login initiation -> the platform's OIDC answer -> the form the browser would post."""
    params = platform.initiation("http://127.0.0.1:9/lti/login", TARGET, user)
    redirect = login(config, values, Incoming(params, {}, secure=False), LAUNCH_URL)
    answer = requests.get(redirect.url, timeout=5)
    assert answer.status_code == 200, platform.refusals
    form = Form(answer.text)
    assert form.action == LAUNCH_URL
    cookies = {c.name: c.value for c in redirect.cookies}
    return form.fields, cookies, redirect


def test_login_redirects_to_the_platform_with_state_nonce_and_a_state_cookie(platform, tool):
    config, values = tool
    _, _, redirect = through_platform(platform, config, values)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect.url).query))
    assert redirect.url.startswith(platform.url + "/auth?")
    assert query["redirect_uri"] == LAUNCH_URL and query["client_id"] == platform.client_id
    assert query["response_mode"] == "form_post" and query["nonce"]
    (cookie,) = redirect.cookies
    assert cookie.name == f"lti1p3-{query['state']}" and cookie.value == query["state"]
    assert cookie.samesite == "lax" and not cookie.secure  # SameSite=None needs HTTPS


def test_a_signed_launch_names_the_student_the_exercise_and_the_gradebook(platform, tool):
    config, values = tool
    form, cookies, _ = through_platform(platform, config, values)
    facts = launch(config, values, Incoming(form, cookies, secure=False))
    assert (facts.issuer, facts.client_id) == (platform.issuer, platform.client_id)
    assert (facts.subject, facts.name, facts.exercise) == ("u-42", "Grace Hopper", "abc123")
    assert facts.can_post_score and facts.ags["lineitem"] == platform.lineitem


def test_a_launch_is_refused_without_the_state_cookie_twice_or_with_a_forged_token(platform, tool):
    config, values = tool
    form, cookies, _ = through_platform(platform, config, values)
    with pytest.raises(LtiError, match="State not found"):
        launch(config, values, Incoming(form, {}, secure=False))
    launch(config, values, Incoming(form, cookies, secure=False))
    with pytest.raises(LtiError, match="Nonce"):
        launch(config, values, Incoming(form, cookies, secure=False))
    form, cookies, _ = through_platform(platform, config, values)
    header, body, _ = form["id_token"].split(".")
    forged = {**form, "id_token": f"{header}.{body}.{'A' * 342}"}
    with pytest.raises(LtiError, match="decode"):
        launch(config, values, Incoming(forged, cookies, secure=False))


def test_an_unknown_platform_is_refused_at_login(platform, tool):
    config, values = tool
    params = {**platform.initiation("x", TARGET), "iss": "https://lms.example"}
    with pytest.raises(LtiError):
        login(config, values, Incoming(params, {}, secure=False), LAUNCH_URL)


def test_the_score_reaches_the_platform_with_a_token_it_granted_to_the_tool(platform, tool):
    config, values = tool
    form, cookies, _ = through_platform(platform, config, values)
    facts = launch(config, values, Incoming(form, cookies, secure=False))
    post_score(config, facts, 3.5, 5, datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    assert platform.refusals == []
    (score,) = platform.scores
    assert score["userId"] == "u-42"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (3.5, 5)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")


def test_a_tool_whose_key_the_platform_does_not_know_gets_no_token(platform, tool, tool_keys):
    config, values = tool
    form, cookies, _ = through_platform(platform, config, values)
    facts = launch(config, values, Incoming(form, cookies, secure=False))
    server, platform.tool_jwks_url = serve_json({"keys": []})
    try:
        with pytest.raises(LtiError, match="gradebook refused"):
            post_score(config, facts, 1, 1, datetime(2026, 11, 26, tzinfo=UTC))
    finally:
        server.shutdown()
        server.server_close()
    assert platform.scores == [] and "no key" in platform.refusals[-1]
