"""The HTML forms fuzzed as schemathesis fuzzes the JSON API (test_api_fuzz): every POST route
outside /api, read from the app's route table, is sent real and hostile field values at real
addresses (a session, an exercise, a room...) and answers below 500 — on both database lanes.

A route's fields are those it declares (FastAPI's Form and File parameters) and those of the
forms the app's own pages render for it, with the values those forms offer; its addresses are
those the pages link to. A new form route is fuzzed without a change here; one no page
reaches fails the test until the state made below reaches it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from app.settings import Settings
from app.store.accounts import add_instructor, find_instructor
from app.web.app import create_app

from .test_exercises import PASSWORD, answers_for

NESTED = "[" * 2000
HUGE_INT = "9" * 5000
LAUGHS = "\n".join(
    ["a0: &a0 [lol]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
)
YAML_BOMBS = [NESTED, f"name: x\nseed: {HUGE_INT}\n", LAUGHS, "name: a\x00b\nguests: []\n"]
HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    HUGE_INT,
    "-1",
    "0",
    str(2**31),
    str(2**63),
    str(10**30),
    "1e308",
    "-1e308",
    "inf",
    "nan",
    "{" * 2000,
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example")',
    "ü" * 300,
    "\u202e\U0001f600" * 50,
    "../../../etc/passwd",
    "x" * 50_000,
    *YAML_BOMBS,
]
FUZZ = settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
HTML = {"accept": "text/html"}


@dataclass
class Form:
    """What the pages say of one route: addresses that reach it, its fields and their values."""

    urls: set[str] = field(default_factory=set)
    values: dict[str, set[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    """Every place a page posts to (a form, an hx-post, a data-* address) and the fields of
    each form, with the values its inputs, hidden fields and options offer."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, set[str]], set[str]]] = []
        self.addresses: set[str] = set()
        self._form: tuple[dict[str, set[str]], set[str]] | None = None
        self._select: str | None = None
        self._by_id: dict[object, tuple[dict[str, set[str]], set[str]]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.addresses |= {v for v in a.values() if v.startswith("/")}
        posted = a.get("method", "").lower() == "post"
        posts = a.get("hx-post") or (a.get("action", "") if posted else "")
        if tag == "form":
            self._form = self._by_id.setdefault(a.get("id") or object(), ({}, set()))
            if posts:
                self.found.append((posts, *self._form))
        elif posts:  # a button posting on its own: fields of its form, if in one
            self.found.append((posts, *(self._form or ({}, set()))))
        owner = self._by_id.setdefault(a["form"], ({}, set())) if "form" in a else self._form
        if owner is None:
            return
        values, files = owner  # its form, or the one its form="..." names
        name = a.get("name")
        if tag in {"input", "textarea", "select", "button"} and name:
            values.setdefault(name, set())
            if "value" in a:
                values[name].add(a["value"])
            if a.get("type") == "file":
                files.add(name)
            self._select = name if tag == "select" else self._select
        elif tag == "option" and self._select:
            values[self._select].add(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass(frozen=True)
class Route:
    path: str
    fields: frozenset[str]  # as declared: Form and File parameters
    files: frozenset[str]

    def matches(self, url: str) -> bool:
        return re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", self.path), url) is not None


def post_routes(app: FastAPI) -> list[Route]:
    """Every route a page may post to, from the app's OpenAPI document (which lists every
    route but assets and /healthz): all of POST outside the JSON API (schemathesis's)."""
    document = app.openapi()
    schemas = document["components"]["schemas"]
    routes = []
    for path, operations in document["paths"].items():
        if "post" not in operations or path.startswith("/api/"):
            continue
        properties: dict[str, Any] = {}
        for body in operations["post"].get("requestBody", {}).get("content", {}).values():
            ref = body["schema"]["$ref"].rsplit("/", 1)[1]
            properties |= schemas[ref]["properties"]
        files = {n for n, p in properties.items() if "contentMediaType" in json.dumps(p)}
        routes.append(Route(path, frozenset(properties), frozenset(files)))
    return routes


class State:
    """The things a form route acts on, made the way people make them: an instructor signed
    in with an exercise (retries on), a session this browser owns and another views, a
    lesson presented at a question with a live room asking the class, a student's attempt,
    practice questions answered, a lesson studied. Every page seen on the way is kept, to
    read its forms."""

    def __init__(self, app: FastAPI, client: TestClient) -> None:
        self.app, self.client = app, client
        self.pages: list[str] = []
        self.bodies: dict[str, list[str]] = {}

    def _see(self, response: Any) -> Any:
        assert response.status_code == 200, (str(response.url), response.text[:300])
        self.pages.append(response.text)
        return response

    def make(self) -> None:
        c, see, iovlab = self.client, self._see, self.app.state.iovlab
        visitor = TestClient(self.app, client=("192.0.2.7", 50000))  # another browser
        email = f"fuzz-{uuid.uuid4().hex[:8]}@uni.example"  # whoever the database holds
        with Session(iovlab.engine) as db:
            if find_instructor(db, email=email) is None:
                add_instructor(db, email=email, password=PASSWORD)
        see(c.get("/instructor/login"))
        see(c.post("/instructor/login", data={"email": email, "password": PASSWORD}))
        made = see(
            c.post(
                "/instructor/exercises",
                data={"title": "Fuzzed", "scenario": "all-devices", "templates": ["chs", "frame"]}
                | {"variants": "2", "retries": "on"},
            )
        )
        exercise = _last(made)
        see(c.get("/"))
        session = see(c.post("/sessions", data={"scenario": "all-devices"}))
        see(visitor.get(str(session.url)))
        see(c.get(f"/s/{_last(session)}/contention"))
        see(c.get("/lessons"))
        name, lesson = next((n, x) for n, x in iovlab.lessons.items() if _asking(x) is not None)
        lesson_session = _last(see(c.post(f"/lessons/{name}/present")))
        see(c.post(f"/p/{lesson_session}/room"))
        asking = _asking(lesson)
        presenter = see(c.post(f"/p/{lesson_session}/step/{asking}", data={"phase": "ask"}))
        see(c.post(f"/p/{lesson_session}/room/ask"))
        code = re.search(r'class="code">(\w+)<', presenter.text)
        assert code, "the presenter shows its room's code"
        see(visitor.get(f"/r/{code[1]}"))
        see(c.get(f"/lessons/{name}/study/{asking + 1}"))
        taken = see(c.get(f"/x/{exercise}", params={"alias": "fuzzer"}))
        token = re.search(r'name="token" value="([^"]+)"', taken.text)
        assert token, "the exercise page holds a token"
        answers = {"alias": "fuzzer", "token": token[1]} | answers_for(c, exercise, "fuzzer")
        see(c.post(f"/x/{exercise}/attempts", data=answers))
        for shipped in iovlab.shipped:
            asked = _Forms()
            asked.feed(see(c.get(f"/practice/{shipped}")).text)
            (_, fields, _), *_ = [f for f in asked.found if f[0] == f"/practice/{shipped}"]
            given = {n: min(v - {""}, default="1") for n, v in fields.items()}
            see(c.post(f"/practice/{shipped}", data=given))  # graded, right or wrong
        export = c.get(f"/instructor/exercises/{exercise}/export").json()
        self.bodies = {
            "real": [json.dumps(export), next(iter(iovlab.shipped.values())).source],
            "hostile": [json.dumps(export | {"scenario": bomb}) for bomb in YAML_BOMBS],
        }

    def read_forms(self, routes: list[Route]) -> dict[str, Form]:
        """Each route's addresses, fields and values as the pages show them."""
        parser = _Forms()
        for page in self.pages:
            parser.feed(page)
        self._every_composer(parser)
        forms = {r.path: Form() for r in routes}
        for route in routes:
            form = forms[route.path]
            form.values, form.files = {name: set() for name in route.fields}, set(route.files)
            for url, values, file_fields in parser.found:
                if route.matches(urlsplit(url).path):
                    form.urls.add(urlsplit(url).path)
                    for name, seen in values.items():
                        form.values.setdefault(name, set()).update(seen)
                    form.files |= file_fields
            if not form.urls:  # posted by a script: an address the page hands it
                form.urls = _addresses_of(route, parser.addresses)
        return forms

    def _every_composer(self, parser: _Forms) -> None:
        """The composer shows the fields of one device's one op: read it for each of them."""
        composers = {url.removesuffix("commands") + "composer" for url, _, _ in parser.found}
        for composer in sorted(c for c in composers if c.endswith("/composer")):
            devices = _Forms()
            devices.feed(self.client.get(composer).text)
            for device in sorted({d for _, v, _ in devices.found for d in v.get("device", ())}):
                ops = _Forms()
                ops.feed(self.client.get(composer, params={"device": device}).text)
                for op in sorted({o for _, v, _ in ops.found for o in v.get("op", ())}):
                    parser.feed(self.client.get(composer, params={"device": device, "op": op}).text)

    def still_holds(self) -> bool:
        """Whether the fuzz left the state usable (a sign-out ends the sign-in, say)."""
        return self.client.get("/instructor", follow_redirects=False).status_code == 200


def _last(response: Any) -> str:
    """The id an answer's address ends with (a session's, an exercise's)."""
    return urlsplit(str(response.url)).path.rsplit("/", 1)[1]


def _asking(lesson: Any) -> int | None:
    """The first step of a lesson that asks a question."""
    return next((i for i, step in enumerate(lesson.steps) if step.question), None)


def _addresses_of(route: Route, addresses: set[str]) -> set[str]:
    """A route's addresses made from the pages': each path parameter from an address of the
    same route template, or a number (``{k}``) where the page leaves it to the script."""
    found = set()
    for address in addresses:
        path = urlsplit(address).path
        if route.matches(path):
            found.add(re.sub(r"\{k\}", "3", path) if "{k}" in path else path)
    return found


def _no_5xx(response: Any, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.text[:300])


def _values(seen: set[str]) -> st.SearchStrategy[str]:
    hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30))
    return st.one_of(st.sampled_from(sorted(seen)), hostile) if seen else hostile


@st.composite
def _requests(draw: Callable[..., Any], form: Form, bodies: dict[str, list[str]]) -> Any:
    """An address (now and then with a hostile segment) and a form: as a page fills it, with
    one field hostile, or each field real, hostile or left out; now and then a field more."""
    url = draw(st.sampled_from(sorted(form.urls)))
    if draw(st.integers(0, 5)) == 0:
        parts = url.split("/")
        where = draw(st.integers(1, len(parts) - 1))
        parts[where] = quote(draw(st.sampled_from(HOSTILE))[:2000], safe="")
        url = "/".join(parts) or "/"
    names = sorted(form.values)
    mode = draw(st.sampled_from(["as filled", "one hostile", "any"]))
    odd = draw(st.sampled_from(names)) if names and mode == "one hostile" else None
    data: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    for name in names:
        hostile = name == odd or (mode == "any" and draw(st.booleans()))
        if mode == "any" and not hostile and draw(st.booleans()):
            continue  # left out
        if name in form.files:
            real = bodies["real"]
            body = draw(st.sampled_from([*bodies["hostile"], *HOSTILE] if hostile else real))
            files[name] = ("upload.yaml", body.encode("utf-8"), "application/octet-stream")
        else:
            seen = sorted(form.values[name]) or ["1"]  # a field a person types: a number fits
            data[name] = draw(_values(set()) if hostile else st.sampled_from(seen))
    if draw(st.integers(0, 3)) == 0:
        data[draw(st.sampled_from(["op", "cursor", "alias", "q0.cylinder", "zzz"]))] = draw(
            _values(set())
        )
    return url, data, files


def _fuzz(
    client: TestClient, route: Route, form: Form, bodies: dict[str, list[str]]
) -> Counter[int]:
    """Fuzz one route; how often it answered each status."""
    statuses: Counter[int] = Counter()

    @FUZZ
    @given(request=_requests(form, bodies))
    def answers_below_500(request: tuple[str, dict[str, str], dict[str, Any]]) -> None:
        url, data, files = request
        response = client.post(url, data=data, files=files or None, headers=HTML)
        sent = {k: v[:60] for k, v in data.items()} | {k: f[1][:60] for k, f in files.items()}
        _no_5xx(response, f"POST {url[:200]} ({route.path}) {sent}")
        statuses[response.status_code] += 1

    answers_below_500()
    return statuses


@contextmanager
def _server(database_url: str) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(Settings(database_url=database_url, sessions_per_minute=10_000))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client


def test_every_form_route_answers_real_and_hostile_values_below_500(database_url):
    with _server(database_url) as (app, client):
        routes = post_routes(app)
        assert {"/sessions", "/s/{session_id}/commands", "/instructor/exercises"} <= {
            r.path for r in routes
        }
        state = State(app, client)
        state.make()
        forms = state.read_forms(routes)
        unreached = [
            r.path for r in routes if not forms[r.path].urls and not r.path.startswith("/lti/")
        ]
        assert not unreached, f"no page posts to {unreached}: make what they act on in State"
        for route in routes:
            form = forms[route.path]
            if not form.urls:  # LTI: a 404 without a registered LMS, whatever is sent
                form.urls = {re.sub(r"\{\w+\}", "x", route.path)}

            statuses = _fuzz(client, route, form, state.bodies)
            reached = set(statuses) - {403, 404, 405}
            assert reached or route.path.startswith("/lti/"), (route.path, statuses)
            if not state.still_holds():  # e.g. the sign-out: the next routes get a fresh state
                state.make()
                forms = state.read_forms(routes)
