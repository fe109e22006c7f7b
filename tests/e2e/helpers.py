import time

import httpx2 as httpx


def open_session(page, server, scenario):
    """A session made by this browser (its cookie makes it the owner), opened."""
    made = page.request.post(f"{server}/api/sessions", data={"scenario": scenario})
    sid = made.json()["id"]
    page.goto(f"{server}/s/{sid}")
    return sid


def k(page):
    """The hop the player shows, from 0 (-1: none yet)."""
    return int(page.eval_on_selector("#scrubber", "e => e.value")) - 1


def wait_for_k(page, value, timeout=30_000):
    """Until the player shows hop ``value`` (from 0) and its token has arrived."""
    page.wait_for_function(
        f"document.getElementById('scrubber').value == '{value + 1}'"
        " && !document.getElementById('token').dataset.moving",
        timeout=timeout,
    )


def wait_for_k_under_csp(page, value, seconds=30):
    """As ``wait_for_k``, on a page whose CSP forbids eval (Playwright's wait_for_function
    evaluates its predicate with eval, which Chromium 156 refuses under script-src 'self')."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if k(page) == value and page.get_attribute("#token", "data-moving") is None:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"the player did not settle on hop {value} (it shows {k(page)})")


def jump(page, sid, seq):
    """Open the session's page at hop ``seq`` (from 0), as its address does."""
    page.goto(f"{page.url.split('/s/')[0]}/s/{sid}?at={seq + 1}")
    wait_for_k(page, seq)


def hops(server, sid):
    return httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]


def compose(page, device, op, **fields):
    """Send a request with the composer, as a person does: choosing its device, then its
    operation, brings the composer again with that choice's fields, and the fields are filled
    in there. Filled in before that composer came, they were lost with the one it replaced:
    on a busy server the request sent was vm1's, not the chosen guest's, or had no block."""
    choose(page, "device", device)
    choose(page, "op", op)
    for name, value in fields.items():
        selector = f"#composer [name={name}]"
        if page.eval_on_selector(selector, "e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, str(value))
    page.click("#composer button[type=submit]")


def choose(page, name, value):
    """Choose the composer's device or operation, and wait for the composer that choice brings
    (htmx swaps #composer, and wires its choices up as it settles, when it drops htmx-added)."""
    replaced = page.query_selector("#composer")
    page.select_option(f"#composer select[name={name}]", value)
    page.wait_for_function(
        "old => !old.isConnected && document.querySelector('#composer:not(.htmx-added)')",
        arg=replaced,
    )


# Each station's text as far as its box shows it: the text's rectangles, each cut to the boxes
# that clip it (a piece clips at its padding's inner edge, static/player.css), and what those
# boxes cut off. Shared by the checks below.
STATION_TEXT = """
const visibleText = () => {
  const out = [];
  const clipOf = (el, piece) => {
    let box = null;
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
        const b = e.getBoundingClientRect();
        const k = e.offsetWidth ? b.width / e.offsetWidth : 1;  // the drawing's scale
        const px = v => (parseFloat(v) || 0) * k;
        const inner = (cs.overflowClipMargin || '').startsWith('content-box');
        const r = inner ? {
          left: b.left + px(cs.borderLeftWidth) + px(cs.paddingLeft),
          right: b.right - px(cs.borderRightWidth) - px(cs.paddingRight),
          top: b.top + px(cs.borderTopWidth) + px(cs.paddingTop),
          bottom: b.bottom - px(cs.borderBottomWidth) - px(cs.paddingBottom)} : b;
        box = box ? {left: Math.max(box.left, r.left), right: Math.min(box.right, r.right),
                     top: Math.max(box.top, r.top), bottom: Math.min(box.bottom, r.bottom)}
                  : {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
      }
      if (e === piece) break;
    }
    return box;
  };
  document.querySelectorAll('.st .pc').forEach(piece => {
    const station = piece.closest('.st').id;
    const texts = document.createTreeWalker(piece, NodeFilter.SHOW_TEXT);
    for (let n = texts.nextNode(); n; n = texts.nextNode()) {
      if (!n.data.trim() || n.parentElement.closest('.visually-hidden')) continue;
      if (!n.parentElement.getClientRects().length) continue;  // not drawn
      const clip = clipOf(n.parentElement, piece);
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        if (r.width < 0.5) continue;
        const seen = {left: Math.max(r.left, clip.left), right: Math.min(r.right, clip.right),
                      top: Math.max(r.top, clip.top), bottom: Math.min(r.bottom, clip.bottom)};
        // a line's text reaches a little above its line (the font's ascent): text is cut at
        // the sides and at the bottom, where a box runs out of room
        const cut = r.left < clip.left - 0.5 || r.right > clip.right + 0.5
          || r.bottom > clip.bottom + 0.5;
        out.push({station, text: n.data.trim(), seen, cut});
      }
    }
  });
  return out;
};
"""

# The station text the token's translucent halo lies over ([] when none): the halo's circle
# against each text's rectangle as its box shows it.
HALO_CLASHES = (
    "() => {"
    + STATION_TEXT
    + """
  const halo = document.querySelector('#token:not(.away) .halo, .column-view .tok .halo');
  if (!halo) return [];
  const h = halo.getBoundingClientRect();
  const c = {x: h.left + h.width / 2, y: h.top + h.height / 2, r: h.width / 2};
  return visibleText().filter(({seen}) => {
    if (seen.right - seen.left < 1 || seen.bottom - seen.top < 1) return false;
    const dx = Math.max(seen.left - c.x, 0, c.x - seen.right);
    const dy = Math.max(seen.top - c.y, 0, c.y - seen.bottom);
    return dx * dx + dy * dy < c.r * c.r;
  }).map(({station, text}) => station + ': ' + text);
}"""
)

# The station text its box cuts ([] when none): a word clipped by its box's edge, or a line
# the box ends an ellipsis short of; and a column's name or category its header cuts.
CUT_TEXT = (
    "() => {"
    + STATION_TEXT
    + """
  const cut = visibleText().filter(t => t.cut).map(({station, text}) => station + ': ' + text);
  document.querySelectorAll('#machine .column').forEach(g => {
    const frame = g.querySelector('.col-frame').getBoundingClientRect();
    const name = g.querySelector('.dev-name').getBoundingClientRect();
    if (name.left < frame.left - 0.5 || name.right > frame.right + 0.5) cut.push(g.id + ' name');
    const pill = g.querySelector('.cat-tag rect').getBoundingClientRect();
    const tag = g.querySelector('.cat-tag text').getBoundingClientRect();
    if (tag.left < pill.left || tag.right > pill.right) cut.push(g.id + ' category');
  });
  const first = document.querySelector('#machine .column .col-frame').getBoundingClientRect();
  document.querySelectorAll('#machine .gutter text').forEach(t => {
    const r = t.getBoundingClientRect();
    if (r.width && r.right > first.left) cut.push('gutter: ' + t.textContent);
  });
  return cut;
}"""
)

# What the token's request label hides of the stations' text, or where the drawing's edge cuts
# it off ([] when neither). A station's text counts as far as its box shows it.
LABEL_CLASHES = (
    "() => {"
    + STATION_TEXT
    + """
  const label = document.querySelector('#token .req');
  if (!label || !label.textContent.trim()) return [];
  const t = label.getBoundingClientRect();
  const covered = visibleText().filter(({seen}) =>
    seen.right - seen.left >= 1 && seen.bottom - seen.top >= 1
    && t.left < seen.right && seen.left < t.right && t.top < seen.bottom && seen.top < t.bottom
  ).map(({station, text}) => station + ': ' + text);
  const drawing = label.closest('svg').getBoundingClientRect();
  if (t.left < drawing.left - 0.5 || t.right > drawing.right + 0.5 || t.top < drawing.top - 0.5) {
    covered.push('cut off by the edge of the drawing');
  }
  return covered;
}"""
)

# The boxes whose text is cut ([] when none), each as its station and the text it holds: a line
# wider than the element it is in (scrollWidth past clientWidth, where an ellipsis or the box's
# edge ends it), or a text the page itself ends with an ellipsis. A box's words that wrap past
# its bottom are CUT_TEXT's.
BOX_TEXT_CUT = """() => Array.from(document.querySelectorAll('#machine .st .pc')).filter(pc => {
  const drawn = [pc, ...pc.querySelectorAll('*')]
    .filter(e => e.getClientRects().length && !e.closest('.visually-hidden'));
  const clips = e => getComputedStyle(e).overflowX !== 'visible';
  return drawn.some(e => e.scrollWidth > e.clientWidth + 1 && clips(e)
    || Array.from(e.childNodes).some(n => n.nodeType === 3 && n.data.trim().endsWith('\\u2026')));
}).map(pc => pc.id.slice(3) + ': ' + pc.textContent.replace(/\\s+/g, ' ').trim())"""

# How many lines each keyboard's name takes in its hardware box (1: "keyboard", never "key-board")
KEYBOARD_LINES = """() => Array.from(document.querySelectorAll('#machine .k-hw .pc .lbl'))
  .filter(e => e.textContent.replace(/\\u00ad/g, '') === 'keyboard')
  .map(e => new Set(Array.from(e.getClientRects()).map(r => Math.round(r.top))).size)"""
