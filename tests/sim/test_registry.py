"""What the core reads from its tables instead of restating them: the device modules'
handlers, controllers, costs and checks, the composer's fields from the operations' models."""

import copy
from pathlib import Path
from typing import get_args

import pytest
import yaml

from app.sim import (
    LEVELS,
    ScenarioError,
    load_scenario_data,
    load_scenario_file,
    parse_item,
    simulate,
)
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


GHOST = "ghost"  # a name no shipped scenario gives a guest or a device


def _names(value, path, keys, names):
    """Where ``value`` (a file's data, at ``path``) holds one of ``names``: each place's
    field path and the keys that reach it."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _names(inner, f"{path}.{key}", (*keys, key), names)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _names(inner, f"{path}[{index}]", (*keys, index), names)
    elif isinstance(value, str) and value in names:
        yield path, keys


def _renamed(data, keys):
    """A copy of ``data`` whose value at ``keys`` names the ghost instead."""
    data = copy.deepcopy(data)
    *parents, last = keys
    inner = data
    for key in parents:
        inner = inner[key]
    inner[last] = GHOST
    return data


def _refused_at(path, load, *args):
    try:
        load(*args)
    except ScenarioError as error:
        return any(p.startswith(f"{path}: ") and repr(GHOST) in p for p in error.problems)
    return False


def test_every_field_naming_a_guest_or_another_device_is_checked():
    # A device or a request that names one the machine lacks is refused at that field,
    # whatever its type: a new device type's or operation's references need their checks.
    unchecked, tried = [], 0
    for file in SHIPPED:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        scenario = load_scenario_data(data)
        names = {g.id for g in scenario.guests} | {d.id for d in scenario.devices}
        for index, device in enumerate(data.get("devices", [])):
            fields = {k: v for k, v in device.items() if k != "id"}
            for path, keys in _names(fields, f"devices[{index}]", ("devices", index), names):
                tried += 1
                if not _refused_at(path, load_scenario_data, _renamed(data, keys)):
                    unchecked.append(f"{file.name}: {path}")
        for item in data.get("workload", []):
            for path, keys in _names(item, "command", (), names):
                tried += 1
                if not _refused_at(path, parse_item, scenario, _renamed(item, keys)):
                    unchecked.append(f"{file.name}: {item['op']} {path}")
    assert tried and unchecked == []
