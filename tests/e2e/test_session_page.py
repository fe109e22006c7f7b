"""What a lecturer and a student do on a session's page, in a real browser."""

import time
from pathlib import Path

import httpx2 as httpx

from .helpers import compose, hops, jump, k, open_session, wait_for_k, wait_for_k_under_csp

AXE = Path(__file__).parent / "vendor" / "axe-core-4.11.4.min.js"


def test_open_a_shipped_scenario_from_the_home_page(page, server):
    page.goto(server)
    page.click("button:has-text('Open partitioned')")
    page.wait_for_url("**/s/*")
    assert page.inner_text("h1") == "One disk, three partitions"
    assert page.locator("#st-hw-disk0").is_visible()


def test_a_disk_write_reaches_the_disk_and_lights_its_block(page, server, artifacts):
    sid = open_session(page, server, "partitioned")
    page.keyboard.press("End")
    wait_for_k(page, len(hops(server, sid)) - 1)
    record_every_hop_shown(page)
    compose(page, "disk0", "disk_write", guest="vm2", block=10, count=1)
    page.wait_for_function("(window.shown || []).includes('hw-disk0')", timeout=15000)
    shown = page.evaluate("window.shown")
    assert shown.index("app-vm2-disk0") < shown.index("bus-disk0") < shown.index("hw-disk0")
    trace = hops(server, sid)
    at_disk = next(h for h in reversed(trace) if h["stage"] == "physical_device")
    jump(page, sid, at_disk["seq"])
    assert page.get_attribute("#st-hw-disk0", "aria-current") == "step"
    disk = page.inner_text("#pc-hw-disk0")
    assert "C 64 / H 0" in disk and "S 11" in disk
    assert page.locator("#pc-hw-disk0 .sec.lit").count() == 1
    page.screenshot(path=artifacts / "partitioned-disk-write.png")


def record_every_hop_shown(page):
    """Keep the station each hop lit, as the player reached it (across the page reload the
    composer's request brings, in the session storage)."""
    page.evaluate("""sessionStorage.setItem('record', '1');""")
    page.add_init_script(
        """if (sessionStorage.getItem('record')) {
          window.shown = [];
          // a station's class changes only when it is lit or unlit: unlit before, lit now
          new MutationObserver(records => records.forEach(r => {
            if (r.target.id.startsWith('st-') && !/\\blit\\b/.test(r.oldValue || '')) {
              window.shown.push(r.target.id.slice(3));
            }
          })).observe(document, {
            subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['class']
          });
        }"""
    )


def test_step_back_and_forward_with_the_keyboard(page, server):
    sid = open_session(page, server, "shared")
    total = len(hops(server, sid))
    for expected in (0, 1, 2):
        page.keyboard.press("ArrowRight")
        wait_for_k(page, expected)
    page.keyboard.press("ArrowLeft")
    wait_for_k(page, 1)
    page.keyboard.press("End")
    wait_for_k(page, total - 1)
    page.keyboard.press("Home")
    wait_for_k(page, -1)
    assert page.locator("[data-act=back]").is_disabled()


def test_a_refused_request_shows_where_the_vmm_refused_it(page, server, artifacts):
    sid = open_session(page, server, "partitioned")
    page.keyboard.press("End")
    wait_for_k(page, len(hops(server, sid)) - 1)
    compose(page, "disk0", "disk_read", guest="vm3", block=4095, count=4)
    # the page plays the new request to its end (30 s, as wait_for_k: a loaded CI machine)
    page.wait_for_selector("#token.refused", state="attached", timeout=30_000)
    assert "status out of range" in page.inner_text("#now")
    trace = hops(server, sid)
    request = trace[-1]["request"]
    refused = next(
        h["seq"] for h in trace if h["request"] == request and h["stage"] == "physical_mapping"
    )
    assert not any(h["request"] == request and h["stage"] == "physical_device" for h in trace)
    jump(page, sid, refused)
    assert "reach past the end of vm3's 4096-block disk" in page.inner_text(
        "#pc-map-disk0 .pc-arith.refused"
    )
    page.screenshot(path=artifacts / "partitioned-refused.png")


# The composer's answers arrive late, as from a busy server: each is held until a field of the
# composer is typed in (or 600 ms have passed), the moment at which a field filled in before the
# composer a choice brings would be lost with the composer it replaces.
SLOW_COMPOSER = """(() => {
  let held = [];
  document.addEventListener('input', event => {
    if (event.target.matches('#composer input')) setTimeout(() => held.splice(0).forEach(f => f()));
  }, true);
  const open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.toComposer = String(url).includes('/composer');
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    const onload = this.onload;
    if (this.toComposer && onload) {
      this.onload = function (event) {
        let arrived = false;
        const arrive = () => { if (!arrived) { arrived = true; onload.call(this, event); } };
        held.push(arrive);
        setTimeout(arrive, 600);
      };
    }
    return send.apply(this, args);
  };
})();"""


def test_the_request_sent_is_the_one_composed_when_the_composer_answers_late(page, server):
    """The fields are filled in the composer the chosen operation brings, however late it comes:
    the request sent is vm3's read past its partition, not vm1's read or one without a block."""
    page.add_init_script(SLOW_COMPOSER)
    sid = open_session(page, server, "partitioned")
    page.keyboard.press("End")
    before = len(hops(server, sid))
    wait_for_k(page, before - 1)
    with page.expect_response(f"**/s/{sid}/commands") as answer:
        compose(page, "disk0", "disk_read", guest="vm3", block=4095, count=4)
    assert answer.value.status == 204, page.inner_text("#composer")
    assert_sent_vm3s_read_past_its_partition(server, sid, before)


def assert_sent_vm3s_read_past_its_partition(server, sid, before):
    """The request the composer sent (its first hop is hop ``before``) is vm3's read of 4
    blocks from 4095, as composed."""
    sent = httpx.get(f"{server}/api/sessions/{sid}/trace").json()
    first = sent["hops"][before]
    request = next(r for r in sent["requests"] if r["id"] == first["request"])
    assert (request["guest"], request["op"]) == ("vm3", "disk_read")
    assert (first["detail"]["virtual_block"], first["detail"]["count"]) == (4095, 4)


def test_what_a_student_fills_in_while_the_composer_comes_is_kept(page, server):
    """A student picks the operation and goes on at once: on a busy server the composer that
    choice brings arrives after the guest and the numbers are filled in, and keeps them, so
    Send issues the request composed (it was vm1's, or one without a block)."""
    page.add_init_script(SLOW_COMPOSER)
    sid = open_session(page, server, "partitioned")
    page.keyboard.press("End")
    before = len(hops(server, sid))
    wait_for_k(page, before - 1)
    replaced = page.query_selector("#composer")
    page.select_option("#composer select[name=op]", "disk_read")  # its composer comes late
    page.select_option("#composer select[name=guest]", "vm3")
    page.fill("#composer [name=block]", "4095")
    page.fill("#composer [name=count]", "4")
    page.wait_for_function("old => !old.isConnected", arg=replaced)
    page.wait_for_selector("#composer:not(.htmx-added)")
    assert page.input_value("#composer select[name=guest]") == "vm3"
    assert page.input_value("#composer [name=block]") == "4095"
    with page.expect_response(f"**/s/{sid}/commands") as answer:
        page.click("#composer button[type=submit]")
    assert answer.value.status == 204, page.inner_text("#composer")
    assert_sent_vm3s_read_past_its_partition(server, sid, before)


def test_the_second_print_job_waits_for_the_whole_first(page, server, artifacts):
    sid = open_session(page, server, "spooled")
    trace = hops(server, sid)
    waiting = next(
        h["seq"] for h in trace if h["guest"] == "vm2" and h["stage"] == "physical_mapping"
    )
    jump(page, sid, waiting)
    rows = page.locator("#pc-map-lp0 .file").all_inner_texts()
    # the printer has taken vm1's whole file; vm2's waits in the VMM's spool table
    assert [r.split("·")[-1].strip() for r in rows] == ["printing", "waiting"]
    assert "waits behind file 1 (vm1)" in page.inner_text("#now")
    page.keyboard.press("End")
    wait_for_k(page, len(trace) - 1)
    tray = page.eval_on_selector_all("#pc-hw-lp0 .page", "ps => ps.map(p => p.title)")
    assert tray == [
        "vm1 · file 1 · p1/3",
        "vm1 · file 1 · p2/3",
        "vm1 · file 1 · p3/3",
        "vm2 · file 2 · p1/2",
        "vm2 · file 2 · p2/2",
        "vm3 · file 3 · p1/1",
    ]
    page.screenshot(path=artifacts / "spooled-end.png")


def test_play_streams_hops_and_pause_stops_them(page, server):
    sid = open_session(page, server, "all-devices")
    page.click("[data-act=play]")
    page.wait_for_function("Number(document.getElementById('scrubber').value) >= 4")
    assert page.get_attribute("#player2", "data-playing") == "1"
    page.keyboard.press(" ")
    page.wait_for_selector("#player2[data-playing='0']", state="attached")
    page.wait_for_timeout(300)
    stopped = k(page)
    page.wait_for_timeout(400)
    assert k(page) == stopped
    total = len(hops(server, sid))
    summary = hops(server, sid)[stopped]["summary"]
    assert page.inner_text("#announcer") == f"hop {stopped + 1} of {total}: {summary}"


def test_the_event_log_filters_and_opens_the_inspector(page, server):
    sid = open_session(page, server, "shared")
    page.keyboard.press("End")
    wait_for_k(page, len(hops(server, sid)) - 1)
    page.select_option("select[data-filter=stage]", "status_reply")
    visible = page.locator("#log li:visible")
    assert visible.count() == 7
    first = visible.nth(0)
    seq = int(first.get_attribute("data-k"))
    first.locator("button").click()
    wait_for_k(page, seq)
    assert "status reply" in page.inner_text("#inspector")


def test_the_session_page_has_no_serious_accessibility_violations(page, server):
    for scenario in ("all-devices",):
        sid = open_session(page, server, scenario)
        jump(page, sid, 30)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == []


def test_the_page_fits_a_projector_and_a_laptop_without_sideways_scrolling(browser, server):
    for width, height in ((1280, 720), (1920, 1080)):
        context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
        page = context.new_page()
        open_session(page, server, "all-devices")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()


def test_reduced_motion_replaces_movement_by_highlighting(browser, server):
    context = browser.new_context(
        bypass_csp=True, viewport={"width": 1280, "height": 720}, reduced_motion="reduce"
    )
    page = context.new_page()
    open_session(page, server, "partitioned")
    page.keyboard.press("ArrowRight")
    wait_for_k(page, 0)
    page.evaluate(
        """window.places = [];
        new MutationObserver(() => window.places.push(
          document.getElementById('token').getAttribute('transform')
        )).observe(document.getElementById('token'), {attributes: true});"""
    )
    page.keyboard.press("ArrowRight")
    wait_for_k(page, 1)
    # the token jumps: its one new place is the next station, with nothing in between
    assert len(set(page.evaluate("window.places"))) == 1
    assert page.locator(".st.lit").count() == 1
    context.close()


def test_the_pages_work_under_the_content_security_policy(browser, server):
    """No bypass here: htmx, the SSE extension and iovlab.js run with script-src 'self'."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    open_session(page, server, "shared")
    page.keyboard.press("ArrowRight")
    wait_for_k_under_csp(page, 0)
    page.click("[data-act=play]")
    page.wait_for_selector("#player2[data-playing='1']", state="attached")
    deadline = time.monotonic() + 10  # streamed hops arrive through the event stream
    while k(page) <= 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert k(page) > 2
    page.goto(f"{server}/lessons")
    page.click("article:has-text('Partitioned devices') button")
    page.wait_for_url("**/p/*")
    page.wait_for_load_state()
    page.keyboard.press("PageDown")
    page.wait_for_selector("#narration[data-step='1']", state="attached")
    assert violations == []
    context.close()
