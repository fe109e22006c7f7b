"""A dropped hop stream resumes in Chromium from Last-Event-ID, without loss or duplication:
once when the network drops the connection, once when the server is killed and restarted."""

import time

import httpx2 as httpx
import pytest

from ..databases import sqlite_url
from ..server_process import ServerProcess
from ..tcp_proxy import TcpProxy
from .helpers import k, wait_for_k

SETTINGS = {
    "IOVLAB_HOP_INTERVAL_S": "0.06",
    "IOVLAB_STREAM_POLL_S": "0.05",
    "IOVLAB_SESSIONS_PER_MINUTE": "1000",
}


@pytest.fixture
def behind_a_proxy(tmp_path):
    """iovlab in its own process, reached through a connection the test can drop."""
    server = ServerProcess(sqlite_url(tmp_path), **SETTINGS).start()
    with TcpProxy(("127.0.0.1", server.port)) as proxy:
        yield server, proxy, f"http://127.0.0.1:{proxy.port}"
    server.stop()


def wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.02)


def test_the_browser_resumes_a_dropped_stream_without_loss_or_duplication(browser, behind_a_proxy):
    server, proxy, base = behind_a_proxy
    sid = httpx.post(f"{base}/api/sessions", json={"scenario": "all-devices"}).json()["id"]
    total = len(httpx.get(f"{base}/api/sessions/{sid}/trace").json()["hops"])
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/healthz")  # any page of the site: the stream is same-origin
    page.evaluate(
        """url => {
            window.seen = []; window.opened = 0;
            const source = new EventSource(url);
            source.onopen = () => window.opened++;
            source.addEventListener('hop', e => window.seen.push(Number(e.lastEventId)));
        }""",
        f"/s/{sid}/stream?from=0&speed=1",  # 60 ms a hop: the server dies with ~40 still to send
    )

    def seen():
        return page.evaluate("window.seen")

    wait_until(lambda: len(seen()) >= 10)
    proxy.cut()  # the network drops the connection
    wait_until(lambda: len(seen()) >= 30)
    server.kill()  # the server dies mid-stream, and comes back
    assert len(seen()) < total, "the stream ended before the server died: nothing to resume"
    time.sleep(0.3)
    server.start()
    wait_until(lambda: len(seen()) >= total)
    time.sleep(0.3)  # nothing more, nothing twice
    assert seen() == list(range(total))
    assert page.evaluate("window.opened") >= 3
    context.close()


def test_the_player_plays_on_to_the_end_after_a_drop(browser, behind_a_proxy, artifacts):
    _, proxy, base = behind_a_proxy
    sid = httpx.post(f"{base}/api/sessions", json={"scenario": "shared"}).json()["id"]
    last = len(httpx.get(f"{base}/api/sessions/{sid}/trace").json()["hops"]) - 1
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{base}/s/{sid}")
    page.click("[data-act=play]")
    page.wait_for_function("Number(document.getElementById('scrubber').value) >= 5")
    proxy.cut()
    wait_for_k(page, last)
    assert k(page) == last
    # every hop was applied once, in order: the log has each line once
    lines = page.eval_on_selector_all("#log li", "ls => ls.map(l => Number(l.dataset.k))")
    assert lines == list(range(last + 1))
    page.screenshot(path=artifacts / "resumed-after-drop.png")
    context.close()
