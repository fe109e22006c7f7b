import itertools

from .helpers import DISK, of, run, status


def write(guest, block, count=1, at=0, **extra):
    item = {"at_us": at, "op": "disk_write", "guest": guest, "device": "disk0"}
    return item | {"block": block, "count": count} | extra


def test_mapping_adds_the_partition_start_and_computes_chs():
    trace = run([DISK], [write("vm2", 10)])
    (mapping,) = of(trace, "r1", "physical_mapping")
    assert mapping.detail["virtual_block"] == 10
    assert mapping.detail["partition_start"] == 4096
    assert mapping.detail["physical_block"] == 4106
    # 4 heads × 32 sectors: C = 4106 // 128, H = (4106 // 32) % 4, S = 4106 % 32 + 1
    assert (mapping.detail["cylinder"], mapping.detail["head"], mapping.detail["sector"]) == (
        32,
        0,
        11,
    )
    assert (
        mapping.detail["arithmetic"] == "vblock 10 + start 4096 = pblock 4106 → C 32 / H 0 / S 11"
    )
    (device,) = of(trace, "r1", "physical_device")
    assert device.actor == "disk0" and device.detail["physical_block"] == 4106
    assert status(trace, "r1") == "ok"


def test_chs_on_a_later_head_and_cylinder():
    trace = run([DISK], [write("vm1", 4095)])
    (mapping,) = of(trace, "r1", "physical_mapping")
    assert (mapping.detail["cylinder"], mapping.detail["head"], mapping.detail["sector"]) == (
        31,
        3,
        32,
    )


def test_request_past_the_partition_is_refused_without_touching_the_disk():
    trace = run([DISK], [write("vm1", 4095, count=2)])
    assert status(trace, "r1") == "out_of_range"
    assert of(trace, "r1", "physical_device") == []
    (mapping,) = of(trace, "r1", "physical_mapping")
    assert mapping.detail["in_bounds"] is False and mapping.detail["physical_block"] is None
    assert "past the end of vm1's 4096-block disk" in mapping.detail["reason"]


def test_guest_without_a_partition_gets_no_partition():
    disk = dict(DISK, partitions=[DISK["partitions"][0]])
    trace = run([disk], [write("vm2", 0)])
    assert status(trace, "r1") == "no_partition"
    assert of(trace, "r1", "physical_device") == []


def test_the_disk_serves_one_request_at_a_time_in_arrival_order():
    trace = run([DISK], [write("vm1", 0), write("vm2", 0), write("vm1", 100)])
    served = [h for h in trace.hops if h.stage == "physical_device"]
    assert [h.request for h in served] == ["r1", "r2", "r3"]
    for earlier, later in itertools.pairwise(served):
        assert later.t_us >= earlier.t_us + earlier.detail["service_us"]
    assert served[1].detail["waited_us"] > 0


def test_service_time_is_seek_plus_rotation_plus_transfer_and_seek_grows_with_distance():
    near = of(run([DISK], [write("vm1", 200)]), "r1", "physical_device")[0].detail
    far = of(run([DISK], [write("vm2", 4000)]), "r1", "physical_device")[0].detail
    for d in (near, far):
        assert d["service_us"] == d["seek_us"] + d["rotation_us"] + d["transfer_us"]
    assert far["from_cylinder"] == near["from_cylinder"] == 0
    assert far["seek_us"] > near["seek_us"] > 0


def test_device_time_and_overhead_are_reported_apart():
    trace = run([DISK], [write("vm1", 10)])
    (record,) = trace.requests
    (device,) = of(trace, "r1", "physical_device")
    assert record.device_us == device.detail["service_us"]
    assert record.overhead_us == sum(
        h.detail["cost_us"] for h in trace.hops if "cost_us" in h.detail
    )
    assert record.latency_us == record.overhead_us + record.device_us
