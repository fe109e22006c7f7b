"""A tool configuration registered with the loopback platform, and a JWKS the platform can read."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .platform import Platform, rsa_pair


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
