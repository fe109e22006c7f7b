from .helpers import of, run, status

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


def test_reading_a_device_one_does_not_own_gives_not_owner():
    trace = run([KBD], [{"op": "key_read", "guest": "vm2", "device": "kbd0"}])
    assert status(trace, "r1") == "not_owner"
    assert of(trace, "r1", "physical_mapping")[0].detail["owner"] == "vm1"


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
    assert status(trace, "r3") == "not_owner"
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
