"""The bare machine: the same workload with no VMM, the baseline of its cost."""

from hypothesis import given

from app.sim import compare_levels, simulate
from app.sim.compare import NATIVE, fractions_by_category, overhead_fraction

from .helpers import DISK, build, of
from .test_properties import scenarios

NIC = {"id": "nic0", "type": "nic"}
VSW = {"id": "vsw0", "type": "vswitch", "guests": ["vm1", "vm2"]}
WRITE = {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 10}
SEND = {"op": "net_send", "guest": "vm1", "device": "nic0", "dst_ip": "192.0.2.7", "bytes": 1500}


@given(scenarios())
def test_the_native_lane_never_has_a_trap_nor_a_step_of_the_vmm(scenario):
    trace = simulate(scenario, native=True)
    assert trace.level == "native"
    assert all(r.traps == 0 and r.overhead_us == 0 for r in trace.requests)
    assert not [h for h in trace.hops if h.actor == "vmm" or h.stage == "vmm_trap"]


def test_a_native_request_goes_from_the_guests_driver_to_the_device_and_back():
    trace = simulate(build([DISK], [WRITE]), native=True)
    stages = [h.stage for h in of(trace, "r1")]
    assert stages == ["guest_app", "guest_driver", "physical_device", "status_reply"]
    (reply,) = of(trace, "r1", "status_reply")
    assert reply.actor == "vm1"


def test_overhead_fraction_is_noise_for_a_disk_and_most_of_the_time_for_a_frame():
    scenario = build([DISK, NIC], [WRITE, SEND | {"at_us": 100_000}])
    result = compare_levels(scenario)
    send = result[("net_send", "nic0")]
    # 1,538 bytes × 8 ÷ 1,000 Mb/s = 12.3 → 13 µs; e1000 at the I/O level: 3 traps × 5 µs + 1
    assert send[NATIVE].mean("latency_us") == 13
    assert overhead_fraction(send["io_operation"], send[NATIVE]) == 16 / 13
    assert overhead_fraction(send["device_driver"], send[NATIVE]) == 3 / 13
    write = result[("disk_write", "disk0")]
    assert overhead_fraction(write["device_driver"], write[NATIVE]) < 0.01
    by_category = fractions_by_category(scenario, result)
    assert by_category["shared"]["device_driver"] == 3 / 13
    # block 10 = S 11 at t = 0: rotation 10 × 8,333 ÷ 32 = 2,604 + transfer 260; 9 traps × 5 + 1
    assert by_category["partitioned"]["io_operation"] == 46 / 2_864


def test_a_virtual_device_has_no_native_lane():
    scenario = build([VSW], [SEND | {"device": "vsw0", "dst_ip": "10.0.0.2", "bytes": 200}])
    native = compare_levels(scenario)[("net_send", "vsw0")][NATIVE]
    assert native.requests == 0 and native.mean("latency_us") is None
