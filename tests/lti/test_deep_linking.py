"""Deep Linking 2.0 and roles, the tool's side against the loopback platform: the LMS asks
for content, the tool answers with a resource link it signed, and the platform adds it
with its gradebook column."""

import pytest
import requests
from sqlmodel import Session

from app.lti import deep_linking
from app.lti.adapter import Incoming
from app.lti.tool import LtiError, is_staff, launch, login
from app.store.models import LtiValueRow

from .conftest import LAUNCH_URL, Form
from .platform import DEEP_LINKING, INSTRUCTOR, LEARNER, ROLE

ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
EXERCISE = deep_linking.Exercise(
    id="abc123", title="Disks", url="http://127.0.0.1:9/x/abc123", points=5.0
)


def deep_link_launch(platform, config, values, user="u-7"):
    params = platform.initiation(
        "http://127.0.0.1:9/lti/login", LAUNCH_URL, user, message=DEEP_LINKING
    )
    redirect = login(config, values, Incoming(params, {}, secure=False), LAUNCH_URL)
    form = Form(requests.get(redirect.url, timeout=5).text)
    cookies = {c.name: c.value for c in redirect.cookies}
    return launch(config, values, Incoming(form.fields, cookies, secure=False))


@pytest.mark.parametrize(
    ("roles", "staff"),
    [
        ([INSTRUCTOR], True),
        ([ROLE + "membership#ContentDeveloper"], True),
        ([ROLE + "membership/Instructor#TeachingAssistant"], True),  # a sub-role alone
        ([ROLE + "membership#Administrator"], True),
        ([ROLE + "system/person#Administrator", LEARNER], True),
        (["Instructor"], True),  # the short names of LTI 1.1, still sent by some LMSs
        ([LEARNER], False),
        # an instructor elsewhere in the institution, a student in this course
        ([ROLE + "institution/person#Instructor", LEARNER], False),
        ([ROLE + "membership#Mentor"], False),
        ([], False),
    ],
)
def test_who_runs_a_course_is_told_by_the_course_roles(roles, staff):
    assert is_staff({ROLES: roles}) is staff


def test_a_deep_linking_request_says_what_the_lms_accepts(platform, tool):
    config, values = tool
    facts = deep_link_launch(platform, config, values)
    assert facts.is_deep_link and facts.staff and facts.name == "Ada Lovelace"
    assert facts.deep_linking["deep_link_return_url"] == platform.deep_link_return_url
    assert facts.deployment_id == platform.deployment_id and facts.exercise is None


def test_the_chosen_exercise_reaches_the_platform_signed_with_its_gradebook_column(platform, tool):
    config, values = tool
    picking = deep_linking.start(values, deep_link_launch(platform, config, values))
    answer = deep_linking.answer(config, values, picking, EXERCISE)
    assert answer.return_url == platform.deep_link_return_url
    (item,) = platform.deep_linked({"JWT": answer.jwt})  # verified against the tool's JWKS
    assert platform.refusals == []
    assert (item["type"], item["title"], item["url"]) == ("ltiResourceLink", "Disks", EXERCISE.url)
    assert item["custom"] == {"exercise": "abc123"}
    assert item["lineItem"] == {"scoreMaximum": 5.0, "label": "Disks", "resourceId": "abc123"}
    (added,) = platform.added
    assert platform.lineitems[added["lineitem"]]["scoreMaximum"] == 5.0


def test_a_response_not_signed_by_the_tool_is_refused_by_the_platform(platform, tool):
    config, values = tool
    picking = deep_linking.start(values, deep_link_launch(platform, config, values))
    header, body, _ = deep_linking.answer(config, values, picking, EXERCISE).jwt.split(".")
    with pytest.raises(Exception, match="Signature"):
        platform.deep_linked({"JWT": f"{header}.{body}.{'A' * 342}"})
    assert platform.added == []


def test_a_picking_opens_in_its_own_browser_answers_once_and_expires(platform, tool):
    config, values = tool
    picking = deep_linking.start(values, deep_link_launch(platform, config, values))
    assert deep_linking.find(values, picking.id, picking.browser) == picking
    assert deep_linking.find(values, picking.id, None) is None  # another browser
    assert deep_linking.find(values, picking.id, "x" * 24) is None
    bound = deep_linking.signed_in(values, picking, 3)
    assert deep_linking.find(values, picking.id, picking.browser).instructor_id == 3
    deep_linking.answer(config, values, bound, EXERCISE)
    with pytest.raises(LtiError, match="sent already"):
        deep_linking.answer(config, values, bound, EXERCISE)
    assert deep_linking.find(values, picking.id, picking.browser) is None
    later = deep_linking.start(values, deep_link_launch(platform, config, values))
    db: Session = values.db
    row = db.get(LtiValueRow, "iovlab-pick-" + later.id)
    row.expires_at = row.expires_at.replace(year=2000)
    db.add(row)
    db.commit()
    assert deep_linking.find(values, later.id, later.browser) is None
