from app.sim import simulate
from app.sim.compare import figures_by_category, traps_per_page
from app.sim.diff import diff_hops

from .helpers import DISK, build

VSW = {"id": "vsw0", "type": "vswitch", "guests": ["vm1", "vm2"]}
NIC = {"id": "nic0", "type": "nic"}
LP = {"id": "lp0", "type": "printer"}
GUESTS = {"vm1", "vm2"}
TYPES = {"disk0": "disk", "nic0": "nic", "vsw0": "vswitch", "lp0": "printer"}


def test_nic_and_virtual_switch_differ_by_the_physical_device_hop():
    scenario = build(
        [NIC, VSW],
        [
            {
                "op": "net_send",
                "guest": "vm1",
                "device": "nic0",
                "dst_ip": "10.0.0.2",
                "bytes": 200,
            },
            {
                "at_us": 1000,
                "op": "net_send",
                "guest": "vm1",
                "device": "vsw0",
                "dst_ip": "10.0.0.2",
                "bytes": 200,
            },
        ],
    )
    trace = simulate(scenario)
    rows = diff_hops(trace.hops_of("r1"), trace.hops_of("r2"), GUESTS, TYPES)
    only_nic = [r.a.stage for r in rows if r.kind == "only_a"]
    assert "physical_device" in only_nic
    assert all(r.b.stage != "physical_device" for r in rows if r.b is not None)


def test_two_levels_differ_by_their_traps():
    scenario = build([DISK], [{"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 1}])
    io = simulate(scenario, level="io_operation").hops
    driver = simulate(scenario, level="device_driver").hops
    rows = diff_hops(io, driver, GUESTS, TYPES)
    extra = [r.a for r in rows if r.kind == "only_a"]
    assert len(extra) == 9 - 1 and {h.stage for h in extra} == {"vmm_trap"}
    assert not [r for r in rows if r.kind == "only_b"]


def test_figures_by_category_and_traps_per_printed_page():
    scenario = build(
        [DISK, LP],
        [
            {"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 1},
            {"op": "print", "guest": "vm1", "device": "lp0", "pages": 2},
        ],
    )
    traces = {level: simulate(scenario, level=level) for level in ("io_operation", "device_driver")}
    figures = figures_by_category(traces)
    assert figures["partitioned"]["io_operation"].traps == 9
    assert figures["spooled"]["device_driver"].traps == 1
    ((request, pages, per_page),) = traps_per_page(traces["io_operation"])
    assert (request, pages) == ("r2", 2) and per_page == (2 * 8000 + 1) / 2
