"""Whose each region of a partitioned disk is: named inside it when the name fits, else by a
chip under the bar joined to it by a leader, no two chips on one another, no two leaders
crossing."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from app.diagram.layout import layout
from app.diagram.pieces import Pieces
from app.diagram.profiles import LAPTOP, PHONE, PROJECTOR
from app.diagram.regions import CHIP, GAP, PAD, callouts, inside, text_em
from app.sim import load_scenario_file, simulate

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


def test_a_region_names_what_fits_in_it():
    name, full = CHIP + text_em("vm1") + PAD, CHIP + text_em("vm1 · C 0–31") + PAD
    assert inside("vm1", "C 0–31", full) == "full"
    assert inside("vm1", "C 0–31", full - 0.1) == "name"
    assert inside("vm1", "C 0–31", name) == "name"
    assert inside("vm1", "C 0–31", name - 0.1) == ""


@pytest.mark.parametrize("count", [1, 2, 3, 4, 6, 10])
@pytest.mark.parametrize("at", [0.0, 40.0, 90.0])
def test_chips_under_the_bar_keep_apart_in_the_regions_order_and_their_leaders_never_cross(
    count, at
):
    bar = 15.0
    regions = [(f"vm{i + 1}", at + i * 1.0, 1.0) for i in range(count)]  # narrow, side by side
    sizes = [CHIP + text_em(g) for g, _, _ in regions]
    placed = callouts(regions, bar)
    if placed is None:  # the row cannot hold them: they are named in order instead
        assert sum(sizes) + GAP * (count - 1) > bar
        return
    assert [c.guest for c in placed] == [g for g, _, _ in regions]
    spans = [(c.x * bar / 100, c.x * bar / 100 + w) for c, w in zip(placed, sizes, strict=True)]
    for (_, b), (c, _) in pairwise(spans):
        assert b + GAP <= c + 0.01  # apart, in order
    assert spans[0][0] >= -0.01 and spans[-1][1] <= bar + 0.01
    for c, (a, b) in zip(placed, spans, strict=True):
        assert a - 0.01 <= c.anchor * bar / 100 <= b + 0.01  # the leader reaches its chip
    anchors = [c.anchor for c in placed]
    assert anchors == sorted(anchors)  # leaders from regions in order to chips in order


def test_a_chip_stands_under_its_region_when_nothing_is_in_the_way():
    (one,) = callouts([("vm3", 30.0, 2.0)], 20.0)
    assert one.anchor == one.middle == 31.0


@pytest.mark.parametrize("profile", [LAPTOP, PROJECTOR, PHONE], ids=lambda p: p.name)
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_region_of_a_shipped_disk_is_named(path, profile):
    scenario = load_scenario_file(path)
    pieces = Pieces(scenario, simulate(scenario, []), layout(scenario, profile))
    for piece in pieces.initial.values():
        if piece["kind"] != "disk":
            continue
        named = {c[0] for c in piece["callouts"]} | set(piece["legend"])
        for guest, *_, shown in piece["regions"]:
            assert shown or guest in named, (guest, piece)
