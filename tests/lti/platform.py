"""An LMS for the tests, on loopback: it does what LTI 1.3 asks of a platform.

It starts a launch (third-party login initiation), answers the tool's OIDC
request with an id_token signed by its own RSA key, serves that key as a JWKS,
gives an access token only for a client assertion the tool signed with its key
(checked against the tool's JWKS), and records the scores posted to its line items.
For Deep Linking 2.0 it asks the tool for content (an LtiDeepLinkingRequest), takes
back only a response JWT the tool signed (checked against the tool's JWKS), and adds
each resource link to the course with the gradebook column its lineItem asks for.
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
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = ROLE + "membership#Learner"
INSTRUCTOR = ROLE + "membership#Instructor"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"


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
    users: dict[str, str] = field(
        default_factory=lambda: {"u-42": "Grace Hopper", "u-7": "Ada Lovelace"}
    )
    roles: dict[str, list[str]] = field(
        default_factory=lambda: {"u-42": [LEARNER], "u-7": [INSTRUCTOR]}
    )
    scores: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> scope
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # message hint -> launch
    links: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # course links
    # the course's gradebook: line item number -> its label, scoreMaximum and the scores posted
    lineitems: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {"7": {"label": "I/O virtualization", "scoreMaximum": 5}}
    )
    added: list[dict[str, Any]] = field(default_factory=list)  # activities deep linking added
    deep_link_data: str = "course-3/section-2"  # opaque, the tool must send it back

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

    @property
    def deep_link_return_url(self) -> str:
        return self.url + "/deep-links"

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

    def initiation(
        self,
        login_url: str,
        target: str,
        user: str = "u-42",
        message: str = RESOURCE_LINK,
        custom: dict[str, str] | None = None,
        lineitem: str = "7",
    ) -> dict[str, str]:
        """The parameters of a third-party login initiation for one user and one link (or,
        with ``message=DEEP_LINKING``, the instructor's "add an activity")."""
        hint = secrets.token_urlsafe(8)
        self.messages[hint] = {
            "target": target,
            "message": message,
            "custom": custom or {},
            "lineitem": lineitem,
        }
        return {
            "iss": self.issuer,
            "login_hint": user,
            "target_link_uri": target,
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }

    def course_link(self, login_url: str, target: str, user: str = "u-42", **launch: Any) -> str:
        """A link on a course page: opening it starts a launch in the browser, as an LMS does."""
        key = secrets.token_urlsafe(8)
        self.links[key] = (login_url, self.initiation(login_url, target, user, **launch))
        return f"{self.url}/course/{key}"

    def added_link(self, login_url: str, user: str = "u-42", index: int = -1) -> dict[str, str]:
        """The login initiation of an activity deep linking added, as a student opens it."""
        item = self.added[index]
        custom, lineitem = item.get("custom") or {}, item["lineitem"]
        return self.initiation(login_url, item["url"], user, custom=custom, lineitem=lineitem)

    def id_token(self, nonce: str, user: str, launch: dict[str, Any]) -> str:
        now = int(time.time())
        if launch["message"] == DEEP_LINKING:
            specific: dict[str, Any] = {
                DL + "deep_linking_settings": {
                    "deep_link_return_url": self.deep_link_return_url,
                    "accept_types": ["ltiResourceLink"],
                    "accept_presentation_document_targets": ["iframe", "window"],
                    "accept_multiple": False,
                    "data": self.deep_link_data,
                }
            }
        else:
            specific = {
                CLAIM + "resource_link": {"id": "link-1", "title": "I/O virtualization"},
                CLAIM + "custom": launch["custom"],
                AGS + "claim/endpoint": {
                    "scope": [AGS + "scope/score", AGS + "scope/lineitem.readonly"],
                    "lineitem": f"{self.url}/lineitems/{launch['lineitem']}",
                    "lineitems": self.url + "/lineitems",
                },
            }
        body = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": user,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": self.users.get(user, user),
            CLAIM + "message_type": launch["message"],
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": launch["target"],
            CLAIM + "roles": self.roles.get(user, [LEARNER]),
            **specific,
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
        if user not in self.users or hint not in self.messages:
            raise ValueError("unknown login_hint or lti_message_hint")
        token = self.id_token(query["nonce"], user, self.messages[hint])
        return query["redirect_uri"], {"id_token": token, "state": query["state"]}

    def jwks(self) -> dict[str, Any]:
        private = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))  # type: ignore[arg-type]
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def tool_key(self, token: str) -> Any:
        """The tool's public key that signed ``token``, from the tool's JWKS."""
        kid = jwt.get_unverified_header(token).get("kid")
        with urllib.request.urlopen(self.tool_jwks_url, timeout=5) as response:
            keys = json.load(response)["keys"]
        jwk = next((k for k in keys if k.get("kid") == kid), None)
        if jwk is None:
            raise ValueError(f"no key {kid!r} in the tool's JWKS")
        return RSAAlgorithm.from_jwk(json.dumps(jwk))

    def deep_linked(self, form: dict[str, str]) -> list[dict[str, Any]]:
        """The tool's LtiDeepLinkingResponse: verified, then each resource link added to the
        course with a new gradebook column of the lineItem's scoreMaximum."""
        token = form.get("JWT", "")
        claims = jwt.decode(
            token,
            self.tool_key(token),
            algorithms=["RS256"],
            audience=self.issuer,
            options={"require": ["iss", "aud", "exp", "iat", "nonce"]},
        )
        expected = {
            "iss": self.client_id,
            CLAIM + "message_type": "LtiDeepLinkingResponse",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            DL + "data": self.deep_link_data,
        }
        for key, value in expected.items():
            if claims.get(key) != value:
                raise ValueError(f"{key} must be {value!r}, not {claims.get(key)!r}")
        items = claims.get(DL + "content_items", [])
        for item in items:
            if item.get("type") != "ltiResourceLink":
                raise ValueError(f"only ltiResourceLink items are accepted, not {item.get('type')}")
            number = str(len(self.lineitems) + 100)
            self.lineitems[number] = {**item.get("lineItem", {}), "scores": []}
            self.added.append({**item, "lineitem": number})
        return items

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
        claims = jwt.decode(
            assertion,
            self.tool_key(assertion),
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

    def score(self, lineitem: str, authorization: str, content_type: str, body: bytes) -> None:
        token = authorization.removeprefix("Bearer ")
        if AGS + "scope/score" not in self.tokens.get(token, "").split():
            raise PermissionError("no access token with the score scope")
        if content_type != SCORE_TYPE:
            raise ValueError(f"Content-Type must be {SCORE_TYPE}")
        if lineitem not in self.lineitems:
            raise KeyError(f"no line item {lineitem}")
        score = json.loads(body)
        self.scores.append(score)
        self.lineitems[lineitem].setdefault("scores", []).append(score)


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
                elif self.path.startswith("/lineitems/") and self.path.endswith("/scores"):
                    platform.score(
                        self.path.split("/")[2],
                        self.headers.get("Authorization", ""),
                        self.headers.get("Content-Type", ""),
                        body,
                    )
                    self._send(200, "{}")
                elif self.path == "/deep-links":
                    form = dict(urllib.parse.parse_qsl(body.decode()))
                    titles = [str(i.get("title")) for i in platform.deep_linked(form)]
                    page = "<!doctype html><p>Added: " + html.escape(", ".join(titles)) + "</p>"
                    self._send(200, page, "text/html; charset=utf-8")
                else:
                    self._refuse(404, "not found")
            except PermissionError as error:
                self._refuse(401, str(error))
            except (ValueError, KeyError, jwt.InvalidTokenError) as error:
                self._refuse(400, str(error))

    return Handler
