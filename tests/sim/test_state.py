"""The machine's state at hop k, checked against what the hops themselves say, on
scenarios hypothesis generates."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.sim import simulate
from app.sim.machine import SPOOL_ROWS_SHOWN
from app.sim.state import fold, initial_state, state_at, states

from .helpers import build
from .test_properties import scenarios


def test_a_switched_keyboard_keeps_the_input_queued_for_its_first_owner():
    console = {"id": "console", "type": "console_switch"}
    keyboard = {"id": "kbd0", "type": "keyboard", "owner": "vm1"}
    scenario = build(
        [keyboard, console],
        [
            {"at_us": 0, "op": "key_press", "device": "kbd0", "key": "a"},
            {
                "at_us": 100,
                "op": "switch_owner",
                "device": "console",
                "target": "kbd0",
                "to": "vm2",
            },
            {"at_us": 200, "op": "key_press", "device": "kbd0", "key": "b"},
        ],
    )
    end = state_at(scenario, simulate(scenario), 10_000)
    assert end.owners == {"kbd0": "vm2"}
    assert end.inputs["kbd0"].queues == {"vm1": ("a",), "vm2": ("b",)}
    assert end.inputs["kbd0"].last_input == "b"


@settings(max_examples=60)
@given(scenarios())
def test_the_owner_at_hop_k_is_the_one_the_last_switch_before_k_gave(scenario):
    trace = simulate(scenario)
    switched = {r.id for r in trace.requests if r.op == "switch_owner"}
    given_to = {
        h.request: h.detail["owner"]
        for h in trace.hops
        if h.request in switched and h.stage == "status_reply"
    }
    owner = scenario.devices[4].owner  # kbd0
    for state, hop in zip(states(scenario, trace), [None, *trace.hops], strict=True):
        if hop is not None and hop.request in switched and hop.stage == "physical_mapping":
            owner = given_to[hop.request]
        assert state.owners["kbd0"] == owner


@settings(max_examples=60)
@given(scenarios())
def test_input_goes_to_the_owner_the_vmm_looked_up_and_queues_say_their_length(scenario):
    trace = simulate(scenario)
    before = initial_state(scenario)
    ops = {r.id: r.op for r in trace.requests}
    for hop in trace.hops:
        after = fold(before, [hop], ops)
        if hop.device == "kbd0" and hop.stage == "physical_mapping":
            assert before.owners["kbd0"] == hop.detail["owner"]
        if hop.device == "kbd0" and "queued" in hop.detail:
            queue = after.inputs["kbd0"].queues[hop.guest]
            assert len(queue) == hop.detail["queued"]
            if ops[hop.request] == "key_read" and hop.detail["input"] is not None:
                assert before.inputs["kbd0"].queues[hop.guest][0] == hop.detail["input"]
        before = after


@settings(max_examples=60)
@given(scenarios())
def test_spool_tables_hold_each_job_from_its_hand_over_until_printed(scenario):
    trace = simulate(scenario)
    printed, started, in_vmm, taken = set(), set(), set(), []
    outs = {r.id: r for r in trace.requests if r.op == "print_out"}
    for state, hop in zip(list(states(scenario, trace))[1:], trace.hops, strict=True):
        if hop.request in outs:
            file = int(outs[hop.request].origin.removeprefix("spool file "))
            started.add(file)
            if hop.stage == "status_reply":
                printed.add(file)
        if hop.device == "lp0" and hop.stage == "device_model":
            taken.append(hop.detail["file"])
            in_vmm.add((hop.guest, hop.detail["guest_job"]))
        tables = state.printers["lp0"].tables
        waiting = [file for file in taken if file not in printed]
        assert [row["file"] for row in tables["vmm_spool"]] == waiting[:SPOOL_ROWS_SHOWN]
        assert tables["vmm_spool_length"] == len(waiting)
        for row in tables["vmm_spool"]:
            assert row["file"] not in printed
            assert (row["state"] == "printing") == (row["file"] in started)
        for guest, rows in tables["guest_spool"].items():
            assert not {(guest, row["job"]) for row in rows} & in_vmm


@settings(max_examples=60)
@given(scenarios())
def test_the_arm_stands_at_the_cylinder_of_the_last_disk_access_served(scenario):
    trace = simulate(scenario)
    cylinder, served = 0, 0
    for state, hop in zip(list(states(scenario, trace))[1:], trace.hops, strict=True):
        lit = hop.device == "disk0" and hop.stage == "physical_device"
        if lit:
            cylinder, served = hop.detail["cylinder"], served + 1
        disk = state.disks["disk0"]
        assert (disk.cylinder, disk.served) == (cylinder, served)
        assert disk.lit == (hop.detail if lit else None)


@settings(max_examples=60)
@given(scenarios())
def test_at_the_end_traps_and_pages_add_up_to_the_requests(scenario):
    trace = simulate(scenario)
    end = state_at(scenario, trace, len(trace.hops))
    assert end.traps == sum(r.traps for r in trace.requests)
    printed = sum(
        h.detail["pages"] for h in trace.hops if h.stage == "status_reply" and h.actor == "lp0"
    )
    assert end.printers["lp0"].pages_out == printed
    pages = [h.detail for h in trace.hops if h.device == "lp0" and h.stage == "physical_device"]
    assert end.printers["lp0"].tray == tuple(pages[-10:])
    sent = [h for h in trace.hops if h.device == "nic0" and h.stage == "physical_device"]
    assert end.wires["nic0"].count == len(sent)
    assert end.wires["nic0"].frames == tuple(sent[-10:])
    copies = [r for r in trace.requests if r.device == "vsw0" and r.status == "ok"]
    assert end.vswitches["vsw0"].copies == len(copies)


@settings(max_examples=30)
@given(scenarios(), st.data())
def test_stepping_on_from_any_hop_gives_the_state_made_from_the_start(scenario, data):
    trace = simulate(scenario)
    j = data.draw(st.integers(-1, len(trace.hops) - 1))
    k = data.draw(st.integers(j, len(trace.hops) - 1))
    ops = {r.id: r.op for r in trace.requests}
    stepped = fold(state_at(scenario, trace, j), trace.hops[j + 1 : k + 1], ops)
    assert stepped == state_at(scenario, trace, k)


@settings(max_examples=60)
@given(scenarios())
def test_each_guests_traps_add_up_to_its_requests(scenario):
    trace = simulate(scenario)
    end = state_at(scenario, trace, len(trace.hops))
    for guest in scenario.guests:
        mine = sum(r.traps for r in trace.requests if r.guest == guest.id)
        assert end.traps_by_guest[guest.id] == mine
