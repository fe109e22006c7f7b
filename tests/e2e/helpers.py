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


def jump(page, sid, seq):
    """Open the session's page at hop ``seq`` (from 0), as its address does."""
    page.goto(f"{page.url.split('/s/')[0]}/s/{sid}?at={seq + 1}")
    wait_for_k(page, seq)


def hops(server, sid):
    return httpx.get(f"{server}/api/sessions/{sid}/trace").json()["hops"]


def compose(page, device, op, **fields):
    page.select_option("#composer select[name=device]", device)
    page.wait_for_selector(f"#composer select[name=op] option[value={op}]", state="attached")
    page.select_option("#composer select[name=op]", op)
    for name, value in fields.items():
        selector = f"#composer [name={name}]"
        page.wait_for_selector(selector, state="attached")
        if page.eval_on_selector(selector, "e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, str(value))
    page.click("#composer button[type=submit]")


# What the token's request label hides of the stations' text, or where the drawing's edge cuts
# it off ([] when neither). A station's text counts as far as its box shows it: a line the box
# clips ends at the box's edge.
LABEL_CLASHES = """() => {
  const label = document.querySelector('#token .req');
  if (!label || !label.textContent.trim()) return [];
  const t = label.getBoundingClientRect();
  const covered = [];
  document.querySelectorAll('.st .pc').forEach(piece => {
    const edge = piece.getBoundingClientRect();
    const texts = document.createTreeWalker(piece, NodeFilter.SHOW_TEXT);
    for (let n = texts.nextNode(); n; n = texts.nextNode()) {
      if (!n.data.trim() || n.parentElement.closest('.visually-hidden')) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        const left = Math.max(r.left, edge.left), right = Math.min(r.right, edge.right);
        const top = Math.max(r.top, edge.top), bottom = Math.min(r.bottom, edge.bottom);
        if (right - left < 1 || bottom - top < 1) continue;
        if (t.left < right && left < t.right && t.top < bottom && top < t.bottom) {
          covered.push(piece.closest('.st').id + ': ' + n.data.trim());
        }
      }
    }
  });
  const drawing = label.closest('svg').getBoundingClientRect();
  if (t.left < drawing.left - 0.5 || t.right > drawing.right + 0.5 || t.top < drawing.top - 0.5) {
    covered.push('cut off by the edge of the drawing');
  }
  return covered;
}"""
