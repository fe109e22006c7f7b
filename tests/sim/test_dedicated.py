import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sim import ScenarioError

from .helpers import GUESTS, build, of, run, status

KBD = {"id": "kbd0", "type": "keyboard", "owner": "vm1"}
MOUSE = {"id": "mouse0", "type": "mouse", "owner": "vm2"}
CONSOLE = {"id": "console", "type": "console_switch"}


def test_a_key_press_reaches_only_the_owner():
    trace = run([KBD], [{"op": "key_press", "device": "kbd0", "key": "a"}])
    assert status(trace, "r1") == "ok"
    (mapping,) = of(trace, "r1", "physical_mapping")
    assert mapping.detail["owner"] == "vm1"
    received = of(trace, "r1", "guest_driver")
    assert [h.actor for h in received] == ["vm1"]
    assert trace.requests[0].guest == "vm1"


def test_a_mouse_movement_reaches_its_owner():
    trace = run([MOUSE], [{"op": "mouse_move", "device": "mouse0", "dx": 5, "dy": -3}])
    assert [h.actor for h in of(trace, "r1", "guest_driver")] == ["vm2"]


def test_a_guest_that_does_not_own_the_keyboard_reads_nothing_and_is_not_refused():
    trace = run([KBD], [{"op": "key_read", "guest": "vm2", "device": "kbd0"}])
    assert status(trace, "r1") == "ok"
    (reply,) = of(trace, "r1", "status_reply")
    assert reply.detail["input"] is None
    assert "new input goes to kbd0's owner, vm1" in reply.summary


def test_the_owner_reads_the_key_it_was_given():
    trace = run(
        [KBD],
        [
            {"op": "key_press", "device": "kbd0", "key": "q"},
            {"at_us": 100, "op": "key_read", "guest": "vm1", "device": "kbd0"},
            {"at_us": 200, "op": "key_read", "guest": "vm1", "device": "kbd0"},
        ],
    )
    assert of(trace, "r2", "status_reply")[0].detail["input"] == "q"
    assert of(trace, "r3", "status_reply")[0].detail["input"] is None


def test_switch_owner_moves_ownership_at_its_simulated_time():
    trace = run(
        [KBD, CONSOLE],
        [
            {"at_us": 0, "op": "key_press", "device": "kbd0", "key": "a"},
            {"at_us": 50, "op": "switch_owner", "device": "console", "target": "kbd0", "to": "vm2"},
            {"at_us": 60, "op": "key_read", "guest": "vm1", "device": "kbd0"},
            {"at_us": 70, "op": "key_press", "device": "kbd0", "key": "b"},
        ],
    )
    assert [r.guest for r in trace.requests] == ["vm1", "vm2", "vm1", "vm2"]
    assert of(trace, "r3", "status_reply")[0].detail["input"] == "a"  # delivered before the switch
    assert [h.actor for h in of(trace, "r4", "guest_driver")] == ["vm2"]
    switch = of(trace, "r2", "physical_mapping")[0]
    assert (switch.detail["owner_before"], switch.detail["owner"]) == ("vm1", "vm2")
    assert switch.category == "virtual"


def test_input_nobody_owns_is_dropped():
    trace = run(
        [{"id": "kbd0", "type": "keyboard"}], [{"op": "key_press", "device": "kbd0", "key": "x"}]
    )
    assert status(trace, "r1") == "dropped"
    assert trace.requests[0].guest is None


@pytest.mark.parametrize("level", ["io_operation", "device_driver"])
def test_a_read_below_the_system_call_level_is_answered_by_the_guest_os_without_a_trap(level):
    trace = run(
        [KBD],
        [
            {"op": "key_press", "device": "kbd0", "key": "q"},
            {"at_us": 100, "op": "key_read", "guest": "vm1", "device": "kbd0"},
        ],
        level=level,
    )
    read = of(trace, "r2")
    assert [h.stage for h in read] == ["guest_app", "guest_driver", "status_reply"]
    assert all(h.actor == "vm1" for h in read)
    assert trace.requests[1].traps == 0 and trace.requests[1].overhead_us == 0
    assert read[-1].detail["input"] == "q"


def test_a_read_at_the_system_call_level_is_the_one_trapped_call():
    trace = run(
        [KBD],
        [
            {"op": "key_press", "device": "kbd0", "key": "q"},
            {"at_us": 100, "op": "key_read", "guest": "vm1", "device": "kbd0"},
        ],
        level="system_call",
    )
    read = of(trace, "r2")
    assert [h.stage for h in read] == ["guest_app", "vmm_trap", "device_model", "status_reply"]
    assert read[1].detail["syscall"] == "read"
    assert trace.requests[1].traps == 1
    assert read[-1].detail["input"] == "q"


def test_a_key_press_is_read_from_the_controller_once_two_traps_per_scan_code_byte():
    trace = run([KBD], [{"op": "key_press", "device": "kbd0", "key": "a"}], level="io_operation")
    ports = [h.detail["port"] for h in of(trace, "r1", "vmm_trap")]
    assert ports == ["0x64", "0x60"]
    assert trace.requests[0].traps == 2


def test_a_key_that_needs_shift_sends_shift_around_it_and_costs_more_traps():
    keys = [
        {"at_us": 10 * i, "op": "key_press", "device": "kbd0", "key": k}
        for i, k in enumerate(["a", "A", "!"])
    ]
    trace = run([KBD], keys, level="io_operation")
    a, big_a, bang = trace.requests
    assert big_a.traps > a.traps
    assert (a.traps, big_a.traps) == (2, 6)
    data = [h.detail["value"] for h in of(trace, bang.id, "vmm_trap") if h.detail["port"] == "0x60"]
    assert data == [0x2A, 0x02, 0xAA]  # left shift make, the '1' key, left shift break
    assert of(trace, big_a.id, "physical_device")[0].detail["scancodes"] == ["0x2A", "0x1E", "0xAA"]


def test_a_key_the_keyboard_does_not_have_is_refused_with_its_field_path():
    with pytest.raises(ScenarioError) as error:
        build([KBD], [{"op": "key_press", "device": "kbd0", "key": "é"}])
    assert any(p.startswith("workload[0].key: 'é' is not a key") for p in error.value.problems)


KEY_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("press"), st.sampled_from(["a", "B", "!", "7"])),
        st.tuples(st.just("switch"), st.sampled_from(["vm1", "vm2"])),
        st.tuples(st.just("read"), st.sampled_from(["vm1", "vm2"])),
    ),
    max_size=20,
)


@given(KEY_STEPS, st.sampled_from(["io_operation", "device_driver", "system_call"]))
def test_input_stays_with_the_guest_it_was_delivered_to_across_switches(steps, level):
    workload = []
    for i, (kind, arg) in enumerate(steps):
        at = {"at_us": 100 * i}
        if kind == "press":
            workload.append(at | {"op": "key_press", "device": "kbd0", "key": arg})
        elif kind == "switch":
            workload.append(
                at | {"op": "switch_owner", "device": "console", "target": "kbd0", "to": arg}
            )
        else:
            workload.append(at | {"op": "key_read", "guest": arg, "device": "kbd0"})
    both_linux = [dict(g, os="linux") for g in GUESTS]
    trace = run([KBD, CONSOLE], workload, level=level, guests=both_linux)
    delivered: dict[str, list[str]] = {"vm1": [], "vm2": []}
    read: dict[str, list[str]] = {"vm1": [], "vm2": []}
    for record, item in zip(trace.requests, workload, strict=True):
        (reply,) = of(trace, record.id, "status_reply")
        assert record.status == "ok"
        if item["op"] == "key_press":
            delivered[reply.detail["delivered_to"]].append(item["key"])
        elif item["op"] == "key_read" and reply.detail["input"] is not None:
            read[record.guest].append(reply.detail["input"])
    for guest in ("vm1", "vm2"):
        assert read[guest] == delivered[guest][: len(read[guest])]
