"""The loopback platform, the tool registered with it (alone, or served by iovlab with an
exercise), and the auto-posting forms a browser would send on."""

import json
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import Session

from app.exercises.settings import QuestionSettings, dump_settings
from app.lti.tool import load_config, tool_jwks
from app.settings import Settings
from app.store.accounts import add_instructor
from app.store.db import make_engine
from app.store.exercises import create_exercise
from app.store.lti import LtiValues

from ..databases import sqlite_url
from ..live_server import serving
from .platform import Platform, rsa_pair

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "scenarios" / "all-devices.yaml").read_text()
CROSS_SITE = {"Sec-Fetch-Site": "cross-site"}  # what a browser says of a form from the LMS


@pytest.fixture(scope="session")
def tool_keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lti-keys")
    private, public = rsa_pair()
    (folder / "tool-private.pem").write_text(private)
    (folder / "tool-public.pem").write_text(public)
    return folder


@pytest.fixture
def platform():
    with Platform() as running:
        yield running


def write_config(platform, tool_keys, folder):
    """The tool's configuration, as the LMS administrator fills it in."""
    path = folder / "lti.json"
    registration = platform.registration(
        str(tool_keys / "tool-private.pem"), str(tool_keys / "tool-public.pem")
    )
    path.write_text(json.dumps(registration))
    return path


def serve_json(document):
    """Serve one JSON document on loopback (the tool's JWKS, when the test has no tool server)."""
    body = json.dumps(document).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"


LAUNCH_URL = "http://127.0.0.1:9/lti/launch"
TARGET = "http://127.0.0.1:9/x/abc123"


class Form(HTMLParser):
    """The hidden fields of the platform's auto-posting form."""

    def __init__(self, page):
        super().__init__()
        self.action, self.fields = "", {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs["action"]
        if tag == "input":
            self.fields[attrs["name"]] = attrs["value"]


@pytest.fixture
def tool(platform, tool_keys, tmp_path):
    """The tool alone, no web server: its configuration and the values it keeps, with its
    JWKS served for the platform."""
    config = load_config(str(write_config(platform, tool_keys, tmp_path)))
    server, platform.tool_jwks_url = serve_json(tool_jwks(config))
    platform.redirect_uris.append(LAUNCH_URL)
    engine = make_engine(sqlite_url(tmp_path))
    with Session(engine) as db:
        yield config, LtiValues(db)
    server.shutdown()
    server.server_close()
    engine.dispose()


@pytest.fixture
def served(platform, tool_keys, tmp_path):
    """iovlab served on loopback, registered with the platform, with one instructor's
    exercise (4 points of C/H/S, 1 of frame): (base URL, engine, the exercise's id)."""
    url = sqlite_url(tmp_path)
    engine = make_engine(url)
    with Session(engine) as db:
        teacher = add_instructor(db, email="t@uni.example", password="a long password")
        exercise = create_exercise(
            db,
            instructor_id=teacher.id,
            title="Disks",
            source=SOURCE,
            templates=["chs", "frame"],
            variants=4,
            due_at=None,
            retries=False,
            settings=dump_settings({"chs": QuestionSettings(points=4)}),
        )
        exercise_id = exercise.id
    settings = Settings(database_url=url, lti_config=write_config(platform, tool_keys, tmp_path))
    with serving(settings) as base:
        platform.tool_jwks_url = f"{base}/lti/jwks.json"
        platform.redirect_uris.append(f"{base}/lti/launch")
        yield base, engine, exercise_id
    engine.dispose()
