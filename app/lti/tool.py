"""The tool side of LTI 1.3, on pylti1p3: OIDC login initiation, launch validation,
and a score posted through Assignment and Grade Services (LTI Advantage).

The LMS administrator registers iovlab once (see README, "Teaching from an LMS");
the values they get from the LMS go in a pylti1p3 JSON configuration file that
``IOVLAB_LTI_CONFIG`` names, beside the tool's RSA key pair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.roles import AbstractRole, DesignerRole, TeacherRole, TeachingAssistantRole
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.tool_config.json_file import ToolConfJsonFile

from .adapter import Cookie, Cookies, Incoming, Login, PlainRequest, Session, Values
from .adapter import Launch as LibraryLaunch

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
DEEP_LINKING_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DEEP_LINKING = "LtiDeepLinkingRequest"
RESOURCE_LINK = "LtiResourceLinkRequest"
# The exercise a link opens: its student address, /x/<id>, as the link's target.
_EXERCISE_PATH = re.compile(r"/x/([A-Za-z0-9_-]{1,40})/?$")


class LtiError(Exception):
    """A login or launch the tool refuses; the message says why, for the LMS's logs."""


class _Administrator(AbstractRole):
    """An administrator of the whole LMS or of the institution, who may open any course."""

    _system_roles = ("Administrator", "SysAdmin")
    _institution_roles = ("Administrator",)


_STAFF = (TeacherRole, TeachingAssistantRole, DesignerRole, _Administrator)


def is_staff(body: dict[str, Any]) -> bool:
    """Whether the launch's roles make its user one who runs the course rather than takes it:
    an Instructor (a teaching assistant among them), a ContentDeveloper or an Administrator
    of the course, or an administrator of the LMS or institution. Only the course's roles and the
    administrators count: an LMS also names a user's roles anywhere in the institution (an
    instructor of another course launching as a student here is a student here)."""
    return any(role(body).check() for role in _STAFF)


@dataclass(frozen=True, slots=True)
class LoginRedirect:
    url: str
    cookies: list[Cookie]


@dataclass(frozen=True, slots=True)
class LaunchFacts:
    """What a validated launch says: who the user is in the LMS and in what role, the
    exercise the link opens and where its scores go, or what a deep-linking LMS accepts."""

    issuer: str
    client_id: str
    subject: str
    name: str
    exercise: str | None
    ags: dict[str, Any]
    message: str = RESOURCE_LINK
    staff: bool = False  # an Instructor, ContentDeveloper or Administrator, see is_staff
    deployment_id: str = ""
    deep_linking: dict[str, Any] = field(default_factory=dict)  # the settings claim

    @property
    def is_deep_link(self) -> bool:
        """The LMS asks the instructor to pick an activity (Deep Linking 2.0), not to open one."""
        return self.message == DEEP_LINKING

    @property
    def can_post_score(self) -> bool:
        return bool(self.ags.get("lineitem")) and SCORE_SCOPE in self.ags.get("scope", [])


def load_config(path: str) -> ToolConfJsonFile:
    try:
        return ToolConfJsonFile(path)
    except Exception as error:  # the library raises bare Exceptions for a bad file
        raise LtiError(f"LTI configuration {path}: {error}") from error


def tool_jwks(config: ToolConfJsonFile) -> dict[str, Any]:
    """The tool's public keys, for the LMS to check the tool's signed requests."""
    return dict(config.get_jwks())


def login(
    config: ToolConfJsonFile, values: Values, incoming: Incoming, launch_url: str
) -> LoginRedirect:
    """Answer the LMS's third-party login initiation with a redirect to its OIDC endpoint."""
    cookies = Cookies(incoming)
    oidc = Login(PlainRequest(incoming), config, Session(values), cookies)
    try:
        url = oidc.redirect(launch_url)
    except Exception as error:  # the library raises bare Exception for an unknown issuer too
        raise LtiError(str(error)) from error
    return LoginRedirect(url, cookies.to_set)


def launch(
    config: ToolConfJsonFile,
    values: Values,
    incoming: Incoming,
    http: requests.Session | None = None,
) -> LaunchFacts:
    """Validate a launch as LTI 1.3 says (state, signature from the LMS's keys, nonce,
    deployment, message) and use its nonce up, so the same id_token cannot launch twice."""
    library = LibraryLaunch(
        PlainRequest(incoming), config, Session(values), Cookies(incoming), requests_session=http
    )
    try:
        body = library.get_launch_data()
    except requests.RequestException as error:
        raise LtiError(f"the LMS's keys could not be fetched: {error}") from error
    except Exception as error:  # LtiException, and bare Exception for an unknown issuer
        raise LtiError(str(error)) from error
    if not values.take(f"lti1p3-nonce-{body['nonce']}"):
        raise LtiError("this launch was used already")
    facts = _facts(dict(body))
    if facts.message not in (RESOURCE_LINK, DEEP_LINKING):
        raise LtiError(
            f"iovlab answers a resource link or a deep-linking request, not {facts.message}"
        )
    return facts


def _facts(body: dict[str, Any]) -> LaunchFacts:
    custom = body.get(CLAIM + "custom") or {}
    target = str(body.get(CLAIM + "target_link_uri", ""))
    found = _EXERCISE_PATH.search(target.split("?")[0])
    exercise = str(custom.get("exercise", "")) or (found.group(1) if found else None)
    audience = body["aud"]
    name = body.get("name") or " ".join(
        p for p in (body.get("given_name"), body.get("family_name")) if p
    )
    return LaunchFacts(
        issuer=str(body["iss"]),
        client_id=str(audience[0] if isinstance(audience, list) else audience),
        subject=str(body["sub"]),
        name=str(name or body.get("email") or "LMS user"),
        exercise=exercise or None,
        ags=dict(body.get(AGS_CLAIM) or {}),
        message=str(body.get(CLAIM + "message_type", "")),
        staff=is_staff(body),
        deployment_id=str(body.get(CLAIM + "deployment_id", "")),
        deep_linking=dict(body.get(DEEP_LINKING_CLAIM) or {}),
    )


def post_score(
    config: ToolConfJsonFile,
    facts: LaunchFacts,
    earned: float,
    possible: float,
    when: datetime,
    http: requests.Session | None = None,
) -> None:
    """Send an attempt's points to the LMS gradebook: the tool signs a client assertion
    for an access token, then posts the score to the launch's line item."""
    if not facts.can_post_score:
        raise LtiError("the LMS gave this launch no gradebook column to post to")
    registration = config.find_registration_by_params(facts.issuer, facts.client_id)
    if registration is None:
        raise LtiError(f"no registration for {facts.issuer} ({facts.client_id})")
    service = AssignmentsGradesService(ServiceConnector(registration, http), facts.ags)  # type: ignore[arg-type]
    grade = (
        Grade()
        .set_score_given(round(earned, 4))
        .set_score_maximum(possible)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(when.isoformat())
        .set_user_id(facts.subject)
    )
    try:
        service.put_grade(grade)
    except (LtiException, requests.RequestException) as error:
        raise LtiError(f"the gradebook refused the score: {error}") from error
