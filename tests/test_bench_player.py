"""The player's bench runs (a small run: two scenarios, a few steps) and meets its targets."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_player_bench_runs_and_meets_its_targets():
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "player.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "| bytes per hop event | median" in run.stdout
