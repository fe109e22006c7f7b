"""A tab left playing at the end of its trace pauses itself and lets its stream go."""

import httpx2 as httpx

from app.settings import Settings

from ..databases import sqlite_url
from ..live_server import serving
from .helpers import wait_for_k


def test_the_player_pauses_itself_when_its_stream_goes_idle(browser, tmp_path):
    settings = Settings(
        database_url=sqlite_url(tmp_path),
        hop_interval_s=0.02,
        stream_poll_s=0.05,
        stream_idle_s=0.5,
    )
    with serving(settings) as server:
        sid = httpx.post(f"{server}/api/sessions", json={"scenario": "shared"}).json()["id"]
        last = len(httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]) - 1
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.goto(f"{server}/s/{sid}")
        page.click("[data-act=play]")
        page.wait_for_selector("#player2[data-playing='1']", state="attached")
        wait_for_k(page, last, timeout=15_000)
        # the stream is let go: the player pauses itself
        page.wait_for_selector("#player2[data-playing='0']", state="attached", timeout=15_000)
        assert page.inner_text("[data-act=play]") == "▶ Play"
        context.close()
