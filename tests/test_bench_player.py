"""The player's bench runs (a small run: two scenarios, a few steps), so it cannot rot; its
figures are for the README, not timed here (a shared machine's timings vary)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_player_bench_runs_and_reports_every_figure():
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "player.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for figure in ("bytes per hop event", "first page", "step to a new hop", "step to a played"):
        assert f"| {figure}" in run.stdout, figure
