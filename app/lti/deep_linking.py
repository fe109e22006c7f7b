"""Deep Linking 2.0: from the LMS's "add an activity", an instructor picks one of their
exercises and it goes back to the course as an LTI resource link with its gradebook column.

The LMS's request is validated like any launch (``tool.launch``); what it says is kept
as a *picking* for an hour, under an id the instructor's browser alone holds (in the
address and in a cookie set at the launch), while they sign in to iovlab and choose.
The answer is a JWT the tool signs with its own key, posted by the browser to the
LMS's return address; a picking answers once.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from pylti1p3.tool_config.json_file import ToolConfJsonFile

from .adapter import Values
from .tool import LaunchFacts, LtiError

PICK_SECONDS = 3600
COOKIE = "iovlab_pick"  # set for the picking's own address only, so parallel pickings coexist
_KEY = "iovlab-pick-"
_ID = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"


@dataclass(frozen=True, slots=True)
class Picking:
    """A deep-linking request waiting for the instructor's choice."""

    id: str
    browser: str  # the secret of the cookie set at the launch: the same browser must choose
    issuer: str
    client_id: str
    deployment_id: str
    settings: dict[str, Any]  # the LMS's deep_linking_settings claim
    name: str  # the instructor's name in the LMS
    until: float  # epoch seconds
    instructor_id: int | None = None  # the iovlab instructor once signed in

    @property
    def accepts_links(self) -> bool:
        return "ltiResourceLink" in self.settings.get("accept_types", [])

    @property
    def return_url(self) -> str:
        return str(self.settings.get("deep_link_return_url", ""))


@dataclass(frozen=True, slots=True)
class Exercise:
    """What becomes the content item: the link's title, its target, and the gradebook column."""

    id: str
    title: str
    url: str  # the exercise's student address, /x/<id>, which a launch opens
    points: float  # the points possible: the column's scoreMaximum


@dataclass(frozen=True, slots=True)
class Answer:
    """The signed response, for the browser to post to the LMS."""

    return_url: str
    jwt: str


def start(values: Values, facts: LaunchFacts) -> Picking:
    """Keep a validated deep-linking request until the instructor chooses."""
    if not facts.is_deep_link:
        raise LtiError("not a deep-linking request")
    picking = Picking(
        id=secrets.token_urlsafe(18),
        browser=secrets.token_urlsafe(18),
        issuer=facts.issuer,
        client_id=facts.client_id,
        deployment_id=facts.deployment_id,
        settings=facts.deep_linking,
        name=facts.name,
        until=time.time() + PICK_SECONDS,
    )
    _keep(values, picking)
    return picking


def find(values: Values, pick_id: str, browser: str | None) -> Picking | None:
    """The picking under ``pick_id`` if it is still open and ``browser`` is its cookie."""
    if not _ID.match(pick_id):
        return None
    stored = values.get(_KEY + pick_id)
    if not isinstance(stored, dict):
        return None
    picking = Picking(**stored)
    if browser is None or not secrets.compare_digest(picking.browser, browser):
        return None
    return picking


def signed_in(values: Values, picking: Picking, instructor_id: int) -> Picking:
    """The instructor who chooses: kept with the picking, since an LMS often shows the
    tool in a frame, where the browser keeps iovlab's own sign-in cookie from it."""
    chosen = Picking(**{**asdict(picking), "instructor_id": instructor_id})
    _keep(values, chosen)
    return chosen


def answer(config: ToolConfJsonFile, values: Values, picking: Picking, chosen: Exercise) -> Answer:
    """The LtiDeepLinkingResponse for one exercise, signed by the tool; the picking is used up."""
    if not picking.accepts_links:
        raise LtiError("the LMS does not accept a resource link here")
    registration = config.find_registration_by_params(picking.issuer, picking.client_id)
    if registration is None:
        raise LtiError(f"no registration for {picking.issuer} ({picking.client_id})")
    if not values.take(_KEY + picking.id):
        raise LtiError("this choice was sent already: add the activity again from the LMS")
    column = (
        LineItem()
        .set_score_maximum(chosen.points)
        .set_label(chosen.title)
        .set_resource_id(chosen.id)
    )
    item = (
        DeepLinkResource()
        .set_title(chosen.title)
        .set_url(chosen.url)
        .set_custom_params({"exercise": chosen.id})
        .set_lineitem(column)
    )
    link = DeepLink(registration, picking.deployment_id, picking.settings)  # type: ignore[arg-type]
    message = link.get_message_jwt([item])
    if message.get(_DATA) is None:  # the LMS's data is echoed back only when it sent some
        message.pop(_DATA, None)
    return Answer(picking.return_url, link.encode_jwt(message))  # type: ignore[no-untyped-call]


def _keep(values: Values, picking: Picking) -> None:
    left = max(1, round(picking.until - time.time()))
    values.set(_KEY + picking.id, asdict(picking), left)
