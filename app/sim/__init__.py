"""The pure simulation core: a deterministic VMM, its guests and devices.

Imports nothing of the web or the database, reads no clock and no global
random generator; ``simulate(scenario, commands)`` fully determines a trace.
"""

from .budget import DEFAULT_MAX_HOPS, HopBudgetExceeded
from .compare import compare_levels, format_comparison
from .loading import (
    ScenarioError,
    load_scenario,
    load_scenario_data,
    load_scenario_file,
    parse_item,
)
from .scenario import LEVELS, Scenario, WorkloadItem
from .simulate import simulate
from .textformat import format_text
from .trace import Hop, RequestRecord, Trace

__all__ = [
    "DEFAULT_MAX_HOPS",
    "LEVELS",
    "Hop",
    "HopBudgetExceeded",
    "RequestRecord",
    "Scenario",
    "ScenarioError",
    "Trace",
    "WorkloadItem",
    "compare_levels",
    "format_comparison",
    "format_text",
    "load_scenario",
    "load_scenario_data",
    "load_scenario_file",
    "parse_item",
    "simulate",
]
