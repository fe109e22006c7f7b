"""Golden traces: every shipped scenario's trace, stored as text and diffed.

A change that alters a trace on purpose regenerates them with `make golden`;
the diff of the golden files then shows exactly what changed, for review.
"""

import difflib
import os
from pathlib import Path

import pytest

from app.sim import format_text, load_scenario_file, simulate

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden"


def test_every_shipped_scenario_has_a_golden_trace():
    assert {p.stem for p in SCENARIOS} <= {p.stem for p in GOLDEN.glob("*.txt")} | _updating()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_trace_matches_its_golden_file(path):
    actual = format_text(simulate(load_scenario_file(path)))
    golden = GOLDEN / f"{path.stem}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(True),
            actual.splitlines(True),
            "golden",
            "now",
            n=1,
        )
    )
    assert not diff, f"{path.name} traces differently from its golden file:\n{diff}"


def _updating() -> set[str]:
    return {p.stem for p in SCENARIOS} if os.environ.get("UPDATE_GOLDEN") else set()
