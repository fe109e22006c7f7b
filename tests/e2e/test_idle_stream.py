"""A tab left playing at the end of its trace pauses itself and lets its stream go."""

import httpx2 as httpx

from app.settings import Settings

from ..databases import sqlite_url
from ..live_server import serving


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
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.goto(f"{server}/s/{sid}")
        page.click("#stage .play")
        page.wait_for_selector("#player[data-playing='1']", state="attached")
        page.wait_for_selector(
            f"#player[data-playing='0'] #stage-meta[data-k='{last}']",
            state="attached",
            timeout=15_000,
        )
        assert page.locator("#player[sse-connect]").count() == 0  # the stream is let go
        context.close()
