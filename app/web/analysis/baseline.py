"""The compare page's baseline: the bare machine and virtio under load.

What each level adds as a share of the native latency, by category, and the
traps per request against offered load at the device-driver level.
"""

from __future__ import annotations

from typing import Any

from app.sessions import Live
from app.sim import Trace, simulate
from app.sim.compare import baseline_by_category
from app.sim.loadcurve import first_of_each_kind, load_curve
from app.sim.scenario import CATEGORIES


def baseline_context(live: Live, traces: dict[str, Trace]) -> dict[str, Any]:
    native = simulate(live.scenario, live.commands, native=True)
    by_category = baseline_by_category(traces, native)
    return {
        "baseline": [(c, by_category[c]) for c in CATEGORIES if c in by_category],
        "load_curves": [
            (f"{item.op} on {item.device}", load_curve(live.scenario, item))
            for item in first_of_each_kind(live.scenario)
        ],
    }
