import httpx2 as httpx


def open_session(page, server, scenario):
    sid = httpx.post(f"{server}/api/sessions", json={"scenario": scenario}).json()["id"]
    page.goto(f"{server}/s/{sid}")
    return sid


def k(page):
    return int(page.get_attribute("#stage-meta", "data-k"))


def wait_for_k(page, value):
    page.wait_for_function(f"document.getElementById('stage-meta').dataset.k == '{value}'")


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
