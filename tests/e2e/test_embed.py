"""A course page on another site frames a session's embed view; Chromium refuses to frame
any other page of iovlab."""

import functools
import http.server
import threading

import httpx2 as httpx
import pytest

from ..live_server import free_port


@pytest.fixture
def course_site(tmp_path):
    """Another site (another origin on this machine) that serves a course page."""
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=tmp_path)
    handler.log_message = lambda *args: None
    site = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield tmp_path, f"http://localhost:{port}"
    site.shutdown()
    site.server_close()


def test_another_site_frames_the_embed_view_and_nothing_else(
    browser, server, course_site, artifacts
):
    folder, site = course_site
    sid = httpx.post(f"{server}/api/sessions", json={"scenario": "partitioned"}).json()["id"]
    (folder / "course.html").write_text(
        f"""<!doctype html><title>Course</title><h1>Week 5: I/O virtualization</h1>
        <iframe id="embed" src="{server}/embed/s/{sid}" width="1200" height="560"></iframe>
        <iframe id="full" src="{server}/s/{sid}" width="600" height="120"></iframe>"""
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/course.html")
    embedded = page.frame_locator("#embed")
    embedded.locator("#machine").wait_for()
    embedded.locator("[data-act=next]").click()
    embedded.locator("#position", has_text="hop 1 of").wait_for()
    page.wait_for_timeout(300)
    full = page.frame_locator("#full")
    assert full.locator("#machine").count() == 0  # refused by frame-ancestors 'none'
    page.screenshot(path=artifacts / "embedded-in-a-course-page.png")
    context.close()
