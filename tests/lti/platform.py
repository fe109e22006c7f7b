"""An LMS for the tests, on loopback: it does what LTI 1.3 asks of a platform.

It starts a launch (third-party login initiation), answers the tool's OIDC
request with an id_token signed by its own RSA key, serves that key as a JWKS,
gives an access token only for a client assertion the tool signed with its key
(checked against the tool's JWKS), and records the scores posted to its line item.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def rsa_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class Platform:
    client_id: str = "iovlab-tool"
    deployment_id: str = "deployment-1"
    tool_jwks_url: str = ""
    redirect_uris: list[str] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=lambda: {"u-42": "Grace Hopper"})
    scores: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> scope
    targets: dict[str, str] = field(default_factory=dict)  # message hint -> target link
    links: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # course links

    def __post_init__(self) -> None:
        self.private_pem, _ = rsa_pair()
        self.kid = "platform-key-1"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Platform:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    @property
    def lineitem(self) -> str:
        return self.url + "/lineitems/7"

    def registration(self, private_key_file: str, public_key_file: str) -> dict[str, Any]:
        """What the LMS administrator copies into the tool's configuration."""
        return {
            self.issuer: [
                {
                    "default": True,
                    "client_id": self.client_id,
                    "auth_login_url": self.url + "/auth",
                    "auth_token_url": self.token_url,
                    "key_set_url": self.url + "/jwks",
                    "private_key_file": private_key_file,
                    "public_key_file": public_key_file,
                    "deployment_ids": [self.deployment_id],
                }
            ]
        }

    def initiation(self, login_url: str, target: str, user: str = "u-42") -> dict[str, str]:
        """The parameters of a third-party login initiation for one user and one link."""
        hint = secrets.token_urlsafe(8)
        self.targets[hint] = target
        return {
            "iss": self.issuer,
            "login_hint": user,
            "target_link_uri": target,
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def course_link(self, login_url: str, target: str, user: str = "u-42") -> str:
        """A link on a course page: opening it starts a launch in the browser, as an LMS does."""
        key = secrets.token_urlsafe(8)
        self.links[key] = (login_url, self.initiation(login_url, target, user))
        return f"{self.url}/course/{key}"

    def id_token(self, nonce: str, user: str, target: str, **extra: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": user,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": self.users.get(user, user),
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": target,
            CLAIM + "resource_link": {"id": "link-1", "title": "I/O virtualization"},
            CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            AGS + "claim/endpoint": {
                "scope": [AGS + "scope/score", AGS + "scope/lineitem.readonly"],
                "lineitem": self.lineitem,
                "lineitems": self.url + "/lineitems",
            },
            **extra,
        }
        return jwt.encode(body, self.private_pem, algorithm="RS256", headers={"kid": self.kid})

    def authorize(self, query: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The OIDC authorization: (where to post, the form) or ValueError with the reason."""
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self.client_id,
        }
        for key, value in expected.items():
            if query.get(key) != value:
                raise ValueError(f"{key} must be {value!r}")
        if query.get("redirect_uri") not in self.redirect_uris:
            raise ValueError("redirect_uri is not registered")
        user, hint = query.get("login_hint", ""), query.get("lti_message_hint", "")
        if user not in self.users or hint not in self.targets:
            raise ValueError("unknown login_hint or lti_message_hint")
        token = self.id_token(query["nonce"], user, self.targets[hint])
        return query["redirect_uri"], {"id_token": token, "state": query["state"]}

    def jwks(self) -> dict[str, Any]:
        private = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))  # type: ignore[arg-type]
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def grant(self, form: dict[str, str]) -> dict[str, Any]:
        """client_credentials with a JWT client assertion, checked against the tool's JWKS."""
        if form.get("grant_type") != "client_credentials":
            raise ValueError("grant_type must be client_credentials")
        if (
            form.get("client_assertion_type")
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            raise ValueError("client_assertion_type must be jwt-bearer")
        assertion = form.get("client_assertion", "")
        kid = jwt.get_unverified_header(assertion).get("kid")
        with urllib.request.urlopen(self.tool_jwks_url, timeout=5) as response:
            keys = json.load(response)["keys"]
        jwk = next((k for k in keys if k.get("kid") == kid), None)
        if jwk is None:
            raise ValueError(f"no key {kid!r} in the tool's JWKS")
        claims = jwt.decode(
            assertion,
            RSAAlgorithm.from_jwk(json.dumps(jwk)),  # type: ignore[arg-type]
            algorithms=["RS256"],
            audience=self.token_url,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
        )
        if claims["iss"] != self.client_id or claims["sub"] != self.client_id:
            raise ValueError("the assertion is not from the registered client")
        scope = form.get("scope", "")
        token = secrets.token_urlsafe(16)
        self.tokens[token] = scope
        return {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": scope}

    def score(self, authorization: str, content_type: str, body: bytes) -> None:
        token = authorization.removeprefix("Bearer ")
        if AGS + "scope/score" not in self.tokens.get(token, "").split():
            raise PermissionError("no access token with the score scope")
        if content_type != SCORE_TYPE:
            raise ValueError(f"Content-Type must be {SCORE_TYPE}")
        self.scores.append(json.loads(body))


def auto_post(action: str, form: dict[str, str]) -> str:
    """The page a platform answers the OIDC request with: a form the browser posts at once."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in form.items()
    )
    return (
        f'<!doctype html><form id="f" method="post" action="{html.escape(action)}">{inputs}'
        f'<button>Continue</button></form><script>document.getElementById("f").submit()</script>'
    )


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: str, content_type: str = "application/json") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _refuse(self, status: int, reason: str) -> None:
            platform.refusals.append(f"{self.path.split('?')[0]}: {reason}")
            self._send(status, json.dumps({"error": reason}))

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/jwks":
                self._send(200, json.dumps(platform.jwks()))
            elif path.startswith("/course/") and path[8:] in platform.links:
                login_url, params = platform.links[path[8:]]
                self._send(200, auto_post(login_url, params), "text/html; charset=utf-8")
            elif path == "/auth":
                try:
                    action, form = platform.authorize(dict(urllib.parse.parse_qsl(query)))
                except ValueError as error:
                    self._refuse(400, str(error))
                    return
                self._send(200, auto_post(action, form), "text/html; charset=utf-8")
            else:
                self._refuse(404, "not found")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                if self.path == "/token":
                    form = dict(urllib.parse.parse_qsl(body.decode()))
                    self._send(200, json.dumps(platform.grant(form)))
                elif self.path == "/lineitems/7/scores":
                    platform.score(
                        self.headers.get("Authorization", ""),
                        self.headers.get("Content-Type", ""),
                        body,
                    )
                    self._send(200, "{}")
                else:
                    self._refuse(404, "not found")
            except PermissionError as error:
                self._refuse(401, str(error))
            except (ValueError, KeyError, jwt.InvalidTokenError) as error:
                self._refuse(400, str(error))

    return Handler
