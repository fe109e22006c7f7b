"""What the core reads from its tables instead of restating them: the device modules'
handlers, controllers and costs, the composer's fields from the operations' models."""

from pathlib import Path
from typing import get_args

import pytest

from app.sim import LEVELS, load_scenario_file, simulate
from app.sim.costs import cost_model, device_costs
from app.sim.devices import gathered, handlers
from app.sim.registers import controllers
from app.sim.scenario import CATEGORY_OF_TYPE, OP_DEVICE_TYPES, OP_FIELDS, WorkloadItem

SHIPPED = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


def test_every_operation_on_every_device_type_it_may_address_has_one_handler():
    wanted = {(op, kind) for op, kinds in OP_DEVICE_TYPES.items() for kind in kinds}
    assert set(handlers()) == wanted


def test_every_device_type_is_handled_by_some_device_module():
    assert {kind for _, kind in handlers()} == set(CATEGORY_OF_TYPE)


@pytest.mark.parametrize("declaration", ["REGISTERS", "COSTS"])
def test_every_device_type_declares_its_controller_and_its_costs(declaration):
    # None (no register traps) and () (no time of its own) are declarations too: a new
    # device type says so rather than being left out
    assert set(gathered(declaration)) == set(CATEGORY_OF_TYPE)


def _device_types_in_shipped_runs(level):
    """Each shipped scenario run at ``level``: its trace and each request's device type."""
    for path in SHIPPED:
        scenario = load_scenario_file(path)
        trace = simulate(scenario, level=level)
        yield trace, {r.id: scenario.device(r.device).type for r in trace.requests}


def test_the_shipped_scenarios_run_every_device_type():
    seen = set()
    for _, kinds in _device_types_in_shipped_runs("io_operation"):
        seen |= set(kinds.values())
    assert seen == set(CATEGORY_OF_TYPE)


def test_a_device_type_names_its_controller_exactly_when_its_registers_trap():
    trapping = set()
    for trace, kinds in _device_types_in_shipped_runs("io_operation"):
        registers = [h for h in trace.hops if h.stage == "vmm_trap" and "port" in h.detail]
        trapping |= {kinds[h.request] for h in registers}
    assert trapping == {kind for kind, controller in controllers().items() if controller}


def test_a_device_type_declares_its_cost_lines_exactly_when_its_requests_take_device_time():
    timed = set()
    for level in LEVELS:
        for trace, kinds in _device_types_in_shipped_runs(level):
            timed |= {kinds[r.id] for r in trace.requests if r.device_us > 0}
    assert timed == {kind for kind, lines in device_costs().items() if lines}


def test_the_cost_model_shows_every_declared_line_once():
    model = cost_model()
    assert len(set(model)) == len(model)
    assert {line for lines in device_costs().values() for line in lines} <= set(model)


MODELS = {
    get_args(m.model_fields["op"].annotation)[0]: m for m in get_args(get_args(WorkloadItem)[0])
}


@pytest.mark.parametrize("op", sorted(OP_DEVICE_TYPES))
def test_the_composer_asks_every_field_an_operation_needs_and_only_its_own(op):
    model = MODELS[op]
    offered = set(OP_FIELDS[op])
    assert offered <= set(model.model_fields) - {"op", "device", "at_us", "level"}
    # every field a request cannot go without is asked
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    assert required - {"op", "device"} <= offered


def test_the_composer_leaves_a_send_buffer_to_its_default():
    assert OP_FIELDS["net_send"] == ("guest", "dst_ip", "bytes")
    assert OP_FIELDS["frame_arrives"] == ("dst_mac", "dst_ip", "bytes")
