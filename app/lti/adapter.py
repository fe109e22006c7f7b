"""pylti1p3 speaks to Django and Flask; this is its glue for any web framework.

The web hands over a request as plain values (its form or query parameters, its
cookies, whether it came over HTTPS) and gets back plain values (a URL, the
cookies to set). What the library keeps between the OIDC login and the launch
goes to ``Values``, which the store backs so that every worker sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pylti1p3.cookie import CookieService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService
from pylti1p3.tool_config.abstract import ToolConfAbstract

ONE_HOUR = 3600


class Values(Protocol):
    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, seconds: int) -> None: ...

    def take(self, key: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Incoming:
    """What the tool reads of a request."""

    params: Mapping[str, str]
    cookies: Mapping[str, str]
    secure: bool


@dataclass(frozen=True, slots=True)
class Cookie:
    name: str
    value: str
    max_age: int
    # A launch is a cross-site POST from the LMS: over HTTPS the state cookie must be
    # SameSite=None to come back with it.
    secure: bool

    @property
    def samesite(self) -> str:
        return "none" if self.secure else "lax"


class PlainRequest(Request):
    def __init__(self, incoming: Incoming) -> None:
        self.incoming = incoming

    @property
    def session(self) -> dict[str, Any]:
        return {}

    def is_secure(self) -> bool:
        return self.incoming.secure

    def get_param(self, key: str) -> str:
        return self.incoming.params.get(key, "")


@dataclass
class Cookies(CookieService):
    incoming: Incoming
    to_set: list[Cookie] = field(default_factory=list)

    def get_cookie(self, name: str) -> str | None:
        return self.incoming.cookies.get(f"{self._cookie_prefix}-{name}")

    def set_cookie(self, name: str, value: str | int, exp: int | None = ONE_HOUR) -> None:
        full = f"{self._cookie_prefix}-{name}"
        self.to_set.append(Cookie(full, str(value), exp or ONE_HOUR, self.incoming.secure))


class Storage(LaunchDataStorage[Any]):
    """No session id: the state cookie already ties a launch to the browser that logged in."""

    def __init__(self, values: Values) -> None:
        super().__init__()
        self.values = values

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return self.values.get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self.values.set(self._prepare_key(key), value, exp or ONE_HOUR)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None


class Session(SessionService):
    def __init__(self, values: Values) -> None:  # the base would want a framework session
        self.data_storage = Storage(values)


class PlainRedirect(Redirect[str]):
    def __init__(self, location: str) -> None:
        self.location = location

    def do_redirect(self) -> str:
        return self.location

    def do_js_redirect(self) -> str:
        return self.location

    def set_redirect_url(self, location: str) -> None:
        self.location = location

    def get_redirect_url(self) -> str:
        return self.location


class Login(OIDCLogin[PlainRequest, ToolConfAbstract[Any], Session, Cookies, str]):
    def get_redirect(self, url: str) -> Redirect[str]:
        return PlainRedirect(url)


class Launch(MessageLaunch[PlainRequest, ToolConfAbstract[Any], Session, Cookies]):
    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)
