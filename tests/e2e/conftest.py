"""Browser tests: Debian's Chromium driven by Playwright against a real server.

The browser is ``$IOVLAB_CHROMIUM`` or /usr/bin/chromium (`make test` installs
it when missing); Playwright's own browser download is never used.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from app.settings import Settings

from ..databases import sqlite_url
from ..live_server import serving

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def e2e_database(tmp_path_factory):
    return sqlite_url(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="package")
def server(e2e_database):
    settings = Settings(
        database_url=e2e_database,
        hop_interval_s=0.05,
        stream_poll_s=0.05,
        sessions_per_minute=10_000,
        streams_per_client=1000,
    )
    with serving(settings) as url:
        yield url


@pytest.fixture(scope="package")
def browser():
    executable = os.environ.get("IOVLAB_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watched_page(browser, **options):
    """A page that fails its test on a script error or a Content Security Policy violation."""
    context = browser.new_context(**options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture
def page(browser):
    yield from watched_page(browser, bypass_csp=True, viewport={"width": 1280, "height": 720})


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
