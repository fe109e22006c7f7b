"""What the drawn player costs: bytes per hop event, the first page, a step in Chromium.

Starts iovlab in its own process (a fresh SQLite file, one worker), opens every shipped
scenario and measures on loopback:

- the bytes of every hop's event (``/s/{id}/hops/{k}``), median and p95 (and gzipped);
- the first page on the wire (the session page and every script and style it loads,
  compressed as served);
- in Chromium, a key press to the diagram updated, for a hop the page has not played
  (one request to the server) and for one it has (none).

    python bench/player.py [--steps N] [--quick] [--strict]
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402

SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
TARGET_MEDIAN_EVENT = 2048
TARGET_FIRST_PAGE = 100 * 1024
TARGET_NEW_STEP_MS = 50.0

# Chromium: every key press and the moment the player shows its hop (the position line)
STEP_PROBE = """() => {
  window.stepTimes = [];
  let pressed = 0;
  document.addEventListener('keydown', () => { pressed = performance.now(); }, true);
  new MutationObserver(() => {
    if (pressed) { window.stepTimes.push(performance.now() - pressed); pressed = 0; }
  }).observe(document.getElementById('position'), {childList: true, subtree: true});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "IOVLAB_SESSIONS_PER_MINUTE": "10000",
    }
    iovlab = str(Path(sys.executable).parent / "iovlab")
    subprocess.run([iovlab, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [iovlab, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("iovlab did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def event_bytes(client: httpx.Client, sessions: dict[str, str]) -> dict[str, list[int]]:
    sizes: dict[str, list[int]] = {"event": [], "event_gz": []}
    for sid in sessions.values():
        total = len(client.get(f"/api/sessions/{sid}/trace").json()["hops"])
        for k in range(total):
            body = client.get(f"/s/{sid}/hops/{k}").content
            sizes["event"].append(len(body))
            sizes["event_gz"].append(len(gzip.compress(body)))
    return sizes


def first_page(client: httpx.Client, sid: str) -> tuple[int, int]:
    """Bytes on the wire (compressed as served) and uncompressed, page and assets."""
    wire = raw = 0
    page = client.get(f"/s/{sid}", headers={"Accept-Encoding": "gzip"})
    wire += page.num_bytes_downloaded
    raw += len(page.content)
    for address in re.findall(r'(?:src|href)="(/(?:assets|static)/[^"]+)"', page.text):
        asset = client.get(address, headers={"Accept-Encoding": "gzip"})
        wire += asset.num_bytes_downloaded
        raw += len(asset.content)
    return wire, raw


def step_latency(url: str, sid: str, steps: int) -> tuple[list[float], list[float]]:
    """Key press → the player showing its hop: new hops, then the same hops again."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("IOVLAB_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(
            bypass_csp=True, viewport={"width": 1366, "height": 768}, reduced_motion="reduce"
        )
        page.goto(f"{url}/s/{sid}?at=0")
        page.evaluate(STEP_PROBE)

        def press(key: str, n: int) -> None:
            for _ in range(n):
                before = len(page.evaluate("window.stepTimes"))
                page.keyboard.press(key)
                page.wait_for_function(f"window.stepTimes.length > {before}")

        press("ArrowRight", steps)
        new = page.evaluate("window.stepTimes")
        press("ArrowLeft", steps - 1)
        press("ArrowRight", steps - 1)
        played = page.evaluate("window.stepTimes")[steps:]
        browser.close()
    return new, played


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="hops stepped in Chromium")
    parser.add_argument("--quick", action="store_true", help="two scenarios, a few steps")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a figure misses its target"
    )
    args = parser.parse_args()
    scenarios = ["partitioned", "spooled"] if args.quick else SCENARIOS
    steps = min(args.steps, 5) if args.quick else args.steps
    with tempfile.TemporaryDirectory() as folder:
        process, url = start_server(Path(folder))
        try:
            with httpx.Client(base_url=url, timeout=30) as client:
                sessions = {
                    name: client.post("/api/sessions", json={"scenario": name}).json()["id"]
                    for name in scenarios
                }
                sizes = event_bytes(client, sessions)
                wire, raw = first_page(client, sessions[scenarios[0]])
            new, played = step_latency(url, sessions[scenarios[0]], steps)
        finally:
            process.terminate()
            process.wait(timeout=10)
    median = statistics.median(sizes["event"])
    rows = [
        ("hop events measured", f"{len(sizes['event']):,} ({', '.join(scenarios)})", ""),
        (
            "bytes per hop event",
            f"median {median:,.0f}, p95 {percentile(sizes['event'], 95):,.0f}"
            f" (gzip: median {statistics.median(sizes['event_gz']):,.0f})",
            f"median ≤ {TARGET_MEDIAN_EVENT:,}",
        ),
        ("first page", f"{wire:,} bytes on the wire ({raw:,} uncompressed)", "≤ 102,400"),
        (
            "step to a new hop (key → shown)",
            f"median {statistics.median(new):.0f} ms, p95 {percentile(new, 95):.0f} ms",
            f"≤ {TARGET_NEW_STEP_MS:.0f} ms",
        ),
        (
            "step to a played hop",
            f"median {statistics.median(played):.1f} ms, p95 {percentile(played, 95):.1f} ms",
            "no server",
        ),
    ]
    print("| figure | value | target |\n| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    ok = (
        median <= TARGET_MEDIAN_EVENT
        and wire <= TARGET_FIRST_PAGE
        and statistics.median(new) <= TARGET_NEW_STEP_MS
    )
    print("all targets met" if ok else "a target missed")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
