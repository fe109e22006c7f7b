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
