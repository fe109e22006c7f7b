"""Properties every trace must have, on scenarios hypothesis generates."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from app.sim import LEVELS, Scenario, load_scenario_data, parse_item, simulate
from app.sim.trace import STATUSES

OPS = [
    "disk_read",
    "disk_write",
    "net_send_nic",
    "net_send_vsw",
    "frame",
    "print",
    "key",
    "read",
    "switch",
    "image",
    "vf",
]


@st.composite
def scenarios(draw) -> Scenario:
    n = draw(st.integers(1, 4))
    guests = [
        {
            "id": f"vm{i}",
            "os": draw(st.sampled_from(["linux", "windows"])),
            "mac": f"52:54:00:00:00:{i:02x}",
            "ip": f"10.0.0.{i}",
        }
        for i in range(1, n + 1)
    ]
    ids = [g["id"] for g in guests]
    sizes = draw(st.lists(st.integers(1, 300), min_size=n, max_size=n))
    partitions, start = [], draw(st.integers(0, 50))
    for guest, size in zip(ids, sizes, strict=True):
        partitions.append({"guest": guest, "start": start, "blocks": size})
        start += size + draw(st.integers(0, 20))
    blocks = -(-start // 64) * 64
    devices = [
        {
            "id": "disk0",
            "type": "disk",
            "blocks": blocks,
            "geometry": {"heads": 2, "sectors_per_track": 32},
            "partitions": partitions,
        },
        {"id": "nic0", "type": "nic"},
        {"id": "lp0", "type": "printer", "pages_per_minute": draw(st.integers(10, 60))},
        {
            "id": "vsw0",
            "type": "vswitch",
            "guests": draw(st.lists(st.sampled_from(ids), unique=True)),
        },
        {"id": "kbd0", "type": "keyboard", "owner": draw(st.sampled_from(ids))},
        {"id": "console", "type": "console_switch"},
        {
            "id": "disk1",
            "type": "disk",
            "blocks": 8192,
            "geometry": {"heads": 2, "sectors_per_track": 32},
        },
        {
            "id": "img0",
            "type": "image",
            "guest": ids[0],
            "disk": "disk1",
            "format": draw(st.sampled_from(["raw", "qcow2"])),
            "blocks": 1024,
            "cluster_blocks": 8,
            "extents": [{"start": 100, "blocks": 500}, {"start": 4000, "blocks": 548}],
        },
        {
            "id": "vf0",
            "type": "passthrough",
            "guest": ids[0],
            "interrupts": draw(st.sampled_from(["vmm", "posted"])),
            "memory": [{"gpa": 0, "hpa": 1 << 30, "bytes": 1 << 20}],
        },
    ]
    workload = draw(st.lists(_item(ids, sizes), max_size=25))
    return load_scenario_data(
        {
            "name": "generated",
            "level": draw(st.sampled_from(LEVELS)),
            "vmm": {"knows_os": draw(st.lists(st.sampled_from(["linux", "windows"]), unique=True))},
            "guests": guests,
            "devices": devices,
            "workload": workload,
        }
    )


def _item(ids, sizes):
    @st.composite
    def item(draw):
        op = draw(st.sampled_from(OPS))
        guest = draw(st.sampled_from(ids))
        base = {"at_us": draw(st.integers(0, 20_000))}
        if draw(st.booleans()):
            base["level"] = draw(st.sampled_from(LEVELS))
        size = max(sizes)
        if op in ("disk_read", "disk_write"):
            return base | {
                "op": op,
                "guest": guest,
                "device": "disk0",
                "block": draw(st.integers(0, size + 5)),
                "count": draw(st.integers(1, 8)),
            }
        if op in ("net_send_nic", "net_send_vsw"):
            device = "nic0" if op == "net_send_nic" else "vsw0"
            ip = draw(st.sampled_from([f"10.0.0.{i}" for i in range(1, 7)]))
            return base | {
                "op": "net_send",
                "guest": guest,
                "device": device,
                "dst_ip": ip,
                "bytes": draw(st.integers(1, 5000)),
            }
        if op == "frame":
            mac = draw(
                st.sampled_from(["ff:ff:ff:ff:ff:ff", "52:54:00:00:00:01", "52:54:00:00:00:09"])
            )
            return base | {"op": "frame_arrives", "device": "nic0", "dst_mac": mac, "bytes": 64}
        if op == "print":
            return base | {
                "op": "print",
                "guest": guest,
                "device": "lp0",
                "pages": draw(st.integers(1, 4)),
            }
        if op == "image":
            return base | {
                "op": draw(st.sampled_from(["disk_read", "disk_write"])),
                "guest": ids[0],
                "device": "img0",
                "block": draw(st.integers(0, 1030)),
                "count": draw(st.integers(1, 20)),
            }
        if op == "vf":
            return base | {
                "op": "net_send",
                "guest": ids[0],
                "device": "vf0",
                "dst_ip": "192.0.2.7",
                "bytes": draw(st.integers(1, 5000)),
                "buffer": draw(st.integers(0, (1 << 20) + 5000)),
            }
        if op == "key":
            return base | {"op": "key_press", "device": "kbd0", "key": "a"}
        if op == "read":
            return base | {"op": "key_read", "guest": guest, "device": "kbd0"}
        return base | {"op": "switch_owner", "device": "console", "target": "kbd0", "to": guest}

    return item()


@given(scenarios())
def test_same_inputs_give_the_same_trace(scenario):
    assert simulate(scenario).to_dict() == simulate(scenario).to_dict()


@given(scenarios())
def test_every_request_ends_in_exactly_one_status_reply_its_last_hop(scenario):
    trace = simulate(scenario)
    for record in trace.requests:
        hops = trace.hops_of(record.id)
        replies = [h for h in hops if h.stage == "status_reply"]
        assert len(replies) == 1 and hops[-1] is replies[0]
        assert replies[0].detail["status"] == record.status
        assert record.status in STATUSES


@given(scenarios())
def test_seq_strictly_rises_and_time_never_falls(scenario):
    hops = simulate(scenario).hops
    assert [h.seq for h in hops] == list(range(len(hops)))
    assert all(a.t_us <= b.t_us for a, b in itertools.pairwise(hops))


@given(scenarios())
def test_no_hop_touches_a_block_outside_the_requesting_guests_partition(scenario):
    disk = scenario.device("disk0")
    region = {p.guest: range(p.start, p.start + p.blocks) for p in disk.partitions}
    for hop in simulate(scenario).hops:
        if hop.stage == "physical_device" and hop.device == "disk0":
            first = hop.detail["physical_block"]
            touched = range(first, first + hop.detail["count"])
            assert touched[0] in region[hop.guest] and touched[-1] in region[hop.guest]


@given(scenarios())
def test_printer_pages_never_interleave_between_jobs(scenario):
    pages = [
        h.detail
        for h in simulate(scenario).hops
        if h.stage == "physical_device" and h.device == "lp0"
    ]
    finished: set[int] = set()
    current, expected = None, 1
    for page in pages:
        if page["job"] != current:
            assert current is None or expected > pages_of(pages, current)
            assert page["job"] not in finished
            if current is not None:
                finished.add(current)
            current, expected = page["job"], 1
        assert page["page"] == expected
        expected += 1


def pages_of(pages, job):
    return max(p["pages"] for p in pages if p["job"] == job)


@given(scenarios(), st.integers(0, 200), st.integers(1, 8))
def test_the_same_disk_request_traps_more_at_io_operation_than_device_driver(
    scenario, block, count
):
    guest = scenario.guests[0].id
    item = {"op": "disk_read", "guest": guest, "device": "disk0", "block": block, "count": count}
    data = scenario.model_dump() | {"workload": [item]}
    alone = load_scenario_data(data)
    io = simulate(alone, level="io_operation").requests[0]
    driver = simulate(alone, level="device_driver").requests[0]
    assert io.traps > driver.traps


@given(scenarios(), st.integers(0, 20_000), st.sampled_from(LEVELS))
def test_a_command_issued_at_t_leaves_every_hop_up_to_t_unchanged(scenario, t, level):
    guest = scenario.guests[0].id
    command = parse_item(
        scenario,
        {
            "at_us": t,
            "op": "disk_write",
            "guest": guest,
            "device": "disk0",
            "block": 0,
            "level": level,
        },
    )
    alone = simulate(scenario)
    before = [h for h in alone.hops if h.t_us <= t]
    with_command = simulate(scenario, [command])
    assert with_command.hops[: len(before)] == before
    assert len(with_command.requests) == len(alone.requests) + 1


@given(scenarios())
def test_at_the_system_call_level_no_guest_driver_hop_comes_before_the_trap(scenario):
    trace = simulate(scenario, level="system_call")
    for record in trace.requests:
        hops = trace.hops_of(record.id)
        stages = [h.stage for h in hops]
        if "vmm_trap" not in stages:
            continue
        first = stages.index("vmm_trap")
        # a passthrough device's driver is never caught (its exit is the interrupt's): only
        # a request the VMM catches at its system call is held to the rule
        if "syscall" in hops[first].detail:
            assert "guest_driver" not in stages[:first]
