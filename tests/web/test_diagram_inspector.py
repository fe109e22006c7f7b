"""The hop inspector words every detail for a student: no detail of any hop of a shipped
scenario, at any level or in any lesson, comes out as JSON."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader

from app.lessons.compile import load_lesson
from app.sim import Hop, load_scenario_file, simulate
from app.sim.scenario import LEVELS
from app.web.render import install_filters

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
LESSONS = sorted((ROOT / "scenarios" / "lessons").glob("*.yaml"))
CHIP = r'<span class="gchip g(\d+)"><i aria-hidden="true"></i>([^<]+)</span>'
JSON = re.compile(r'[\[{]\s*["\'\[{\]}]|"\s*:\s')  # {"a": …, ["vm1", [{…, [], {}


@pytest.fixture(scope="module")
def inspector():
    env = Environment(loader=FileSystemLoader(ROOT / "templates"), autoescape=True)
    install_filters(env)
    macro = env.get_template("diagram/parts.html").module.inspector
    return lambda hop, guests: str(macro(hop, None, guests))


def runs() -> Iterator[tuple[str, dict[str, int], list[Hop]]]:
    """Every hop the player can show of what ships: each scenario at its own levels and at
    each level, and each lesson with its steps' requests."""
    for path in SCENARIOS:
        scenario = load_scenario_file(path)
        guests = {g.id: i for i, g in enumerate(scenario.guests)}
        for level in (None, *LEVELS):
            yield (
                f"{path.stem} at {level or 'its levels'}",
                guests,
                simulate(scenario, [], level=level, max_hops=None).hops,
            )
    for path in LESSONS:
        lesson = load_lesson(path, ROOT / "scenarios")
        guests = {g.id: i for i, g in enumerate(lesson.scenario.guests)}
        yield f"lesson {path.stem}", guests, lesson.trace.hops


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def structured(detail: dict[str, Any]) -> set[str]:
    return {k for k, v in detail.items() if isinstance(v, dict | list | tuple)}


def test_no_detail_of_any_shipped_hop_is_shown_as_json(inspector):
    keys: set[str] = set()
    for run, guests, hops in runs():
        for hop in hops:
            shown = inspector(hop, guests)
            assert not JSON.search(text(shown)), (run, hop.seq, text(shown))
            keys |= structured(hop.detail)
    # the details this covers: every table, list and mapping the devices put in a hop
    assert {"table", "delivered_to", "owners", "guest_spool", "vmm_spool", "request"} <= keys


def first(key: str, match=lambda value: bool(value)) -> tuple[Hop, dict[str, int]]:
    for _, guests, hops in runs():
        for hop in hops:
            if key in hop.detail and match(hop.detail[key]):
                return hop, guests
    raise AssertionError(key)


def dd(shown: str, key: str) -> str:
    """The value shown for ``key`` (its <dd>)."""
    after = shown.split(f"<dt>{key.replace('_', ' ')}</dt>", 1)[1]
    return after.split(">", 1)[1].split("</dd>", 1)[0]


def test_a_list_of_guests_is_their_chips_joined_by_commas(inspector):
    hop, guests = first("delivered_to", lambda v: isinstance(v, list) and len(v) > 1)
    shown = dd(inspector(hop, guests), "delivered_to")
    chips = re.findall(CHIP, shown)
    assert [name for _, name in chips] == hop.detail["delivered_to"]
    assert [int(colour) for colour, _ in chips] == [guests[g] for g in hop.detail["delivered_to"]]
    assert text(shown).count(",") == len(chips) - 1
    hop, guests = first("not_delivered", lambda v: v == [])
    assert text(dd(inspector(hop, guests), "not_delivered")).strip() == "none"


def test_a_list_of_rows_is_a_table_with_its_headers(inspector):
    # a disk's mapping table
    hop, guests = first("table", lambda v: isinstance(v, list) and "start" in v[0])
    shown = dd(inspector(hop, guests), "table")
    assert re.findall(r'<th scope="col">([^<]+)</th>', shown) == ["guest", "start", "blocks"]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", shown)
    assert len(rows) == len(hop.detail["table"])
    for (guest, start, blocks), row in zip(rows, hop.detail["table"], strict=True):
        assert text(guest).strip() == row["guest"] and 'class="gchip' in guest
        assert (start, blocks) == (str(row["start"]), str(row["blocks"]))


def test_a_mapping_is_a_list_of_key_value_and_nests(inspector):
    hop, guests = first("owners", lambda v: isinstance(v, dict) and len(v) > 1)
    shown = dd(inspector(hop, guests), "owners")
    items = [text(li).split() for li in re.findall(r"<li>(.*?)</li>", shown)]
    assert items == [[f"{device}:", owner] for device, owner in hop.detail["owners"].items()]
    hop, guests = first("guest_spool", lambda v: isinstance(v, dict) and any(v.values()))
    shown = dd(inspector(hop, guests), "guest_spool")
    assert shown.startswith('<ul class="kv"><li><span class="gchip')
    assert '<table class="dtbl">' in shown
    assert '<th scope="col">state</th>' in shown


def test_times_in_a_detail_are_shown_as_the_inspectors_times(inspector):
    hop, guests = first("seek_us", lambda v: v > 0)
    shown = inspector(hop, guests)
    assert text(dd(shown, "seek_us")).strip() == f"{hop.detail['seek_us']:,} µs"
    nested = {"rows": [{"guest": "vm1", "wait_us": 12_500}], "x": {"done_us": 7}}
    shown = inspector(hop._replace(detail=nested), guests)
    assert "12.5 ms" in text(dd(shown, "rows")) and "7 µs" in text(dd(shown, "x"))


def test_the_inspector_names_the_hops_guest_once_and_a_guest_it_sends_to_as_such(inspector):
    """A virtual switch's port table names the guest a frame goes to: "to guest", beside the
    hop's own guest; a detail that only repeats the hop's guest is not listed again."""
    for _, guests, hops in runs():
        for hop in hops:
            shown = inspector(hop, guests)
            assert shown.count("<dt>guest</dt>") == 1, (hop.seq, shown)
            other = "guest" in hop.detail and hop.detail["guest"] != hop.guest
            assert ("<dt>to guest</dt>" in shown) == other, (hop.seq, shown)
    port_table = next(
        (h, g)
        for _, g, hs in runs()
        for h in hs
        if h.category == "virtual" and h.detail.get("guest") not in (None, h.guest)
    )
    hop, guests = port_table
    assert f"{hop.detail['guest']}</span>" in dd(inspector(hop, guests), "to guest")
