"""The hop budget: a run that would pass it stops there and gives no trace at all."""

import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sim import HopBudgetExceeded, ScenarioError, compare_levels, load_scenario, simulate
from app.sim.scenario import Print

from .helpers import build
from .test_properties import scenarios

PRINTER = {"id": "lp0", "type": "printer"}
KBD = {"id": "kbd0", "type": "keyboard", "owner": "vm1"}


def prints(n: int, pages: int, level: str = "io_operation"):
    item = {"at_us": 0, "guest": "vm1", "op": "print", "device": "lp0", "pages": pages}
    return build([PRINTER, KBD], [item] * n, level=level)


@given(scenarios(), st.integers(0, 400))
def test_a_budgeted_run_is_the_whole_trace_or_the_error_never_a_part(scenario, budget):
    whole = simulate(scenario, max_hops=None)
    try:
        trace = simulate(scenario, max_hops=budget)
    except HopBudgetExceeded as error:
        assert len(whole.hops) > budget
        assert error.budget == budget
        assert f"more than {budget:,} hops (the budget)" in error.problems[0]
    else:
        assert len(trace.hops) <= budget
        assert trace.to_dict() == whole.to_dict()


def test_a_trace_of_exactly_the_budget_is_accepted_and_one_more_hop_is_not():
    hops = len(simulate(prints(2, 3), max_hops=None).hops)
    assert len(simulate(prints(2, 3), max_hops=hops).hops) == hops
    with pytest.raises(HopBudgetExceeded):
        simulate(prints(2, 3), max_hops=hops - 1)


def test_the_anchored_10000_print_scenario_is_refused_with_what_to_shrink():
    # The 70 KB scenario: one anchor repeats a 500-page I/O-operation print.
    text = (
        "name: anchors\nlevel: io_operation\n"
        "guests: [{id: vm1, os: linux, mac: '52:54:00:00:00:01', ip: 10.0.0.1}]\n"
        "devices: [{id: lp0, type: printer}]\n"
        "workload:\n"
        "  - &p {at_us: 0, guest: vm1, op: print, device: lp0, pages: 500}\n" + "  - *p\n" * 9_999
    )
    scenario = load_scenario(text)
    assert len(scenario.workload) == 10_000
    with pytest.raises(HopBudgetExceeded) as caught:
        simulate(scenario)  # the default budget: 200,000 hops; without one it ran for minutes
    (problem,) = caught.value.problems
    # each job is handed over whole before the next: 2,007 hops a job, so job 89 passes it
    assert problem.startswith("workload[89]: this scenario would make more than 200,000 hops")
    assert "print of 500 pages on lp0 at io_operation level: 8,000 traps a page" in problem
    assert "use fewer pages, or fewer items or commands, or a higher level" in problem


def test_the_error_names_the_command_that_passed_the_budget():
    scenario = prints(1, 1)
    hops = len(simulate(scenario, max_hops=None).hops)
    command = Print(at_us=0, guest="vm1", device="lp0", pages=2, op="print")
    with pytest.raises(HopBudgetExceeded) as caught:
        simulate(scenario, [command], max_hops=hops + 3)
    assert caught.value.origin == "command[0]"
    assert caught.value.problems[0].startswith(
        f"command[0]: this scenario would make more than {hops + 3:,} hops"
    )


def test_the_error_is_a_scenario_problem_so_every_caller_shows_it():
    with pytest.raises(ScenarioError):
        simulate(prints(3, 10), max_hops=20)


def test_compare_runs_each_level_within_the_budget():
    scenario = prints(1, 20, level="device_driver")
    assert len(simulate(scenario, max_hops=None).hops) < 40  # fine at its own level
    with pytest.raises(HopBudgetExceeded, match="io_operation level"):
        compare_levels(scenario, max_hops=40)


def test_a_hop_of_a_long_io_operation_print_holds_a_few_hundred_bytes():
    scenario = prints(20, 500)
    simulate(scenario, max_hops=None)  # warm: caches of the first run are not a trace's
    tracemalloc.start()
    trace = simulate(scenario, max_hops=None)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Each repeated register access was its own sentence and dict: ~790 B a hop.
    assert held / len(trace.hops) < 400
