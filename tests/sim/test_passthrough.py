import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sim import LEVELS, ScenarioError

from .helpers import build, of, run, status

GIB = 1 << 30


def vf(guest="vm1", interrupts="vmm", hpa=4 * GIB, **extra):
    return {
        "id": f"vf-{guest}",
        "type": "passthrough",
        "guest": guest,
        "interrupts": interrupts,
        "memory": [{"gpa": 0, "hpa": hpa, "bytes": GIB}],
    } | extra


def send(guest="vm1", buffer=0x200000, nbytes=1500, at=0):
    return {
        "at_us": at,
        "op": "net_send",
        "guest": guest,
        "device": f"vf-{guest}",
        "dst_ip": "192.0.2.7",
        "bytes": nbytes,
        "buffer": buffer,
    }


@pytest.mark.parametrize("level", LEVELS)
def test_the_guests_driver_touches_the_device_with_no_trap_at_any_level(level):
    trace = run([vf(interrupts="posted")], [send()], force_level=level)
    assert of(trace, "r1", "vmm_trap") == []
    assert trace.requests[0].traps == 0 and trace.requests[0].overhead_us == 0
    assert status(trace, "r1") == "ok"


def test_the_iommu_translates_guest_physical_to_host_physical():
    trace = run([vf()], [send(buffer=0x200000)])
    (mapping,) = of(trace, "r1", "physical_mapping")
    assert mapping.actor == "iommu"
    assert mapping.detail["stretches"] == [
        {"region": 0, "gpa": "0x200000", "hpa": "0x100200000", "bytes": 1500}
    ]
    (sent,) = of(trace, "r1", "physical_device")
    assert "host-physical 0x100200000" in sent.summary and sent.detail["wire_us"] == 13


def test_a_dma_past_the_guests_memory_ends_in_iommu_fault_naming_the_address():
    trace = run([vf()], [send(buffer=GIB - 1024)])
    assert status(trace, "r1") == "iommu_fault"
    assert of(trace, "r1", "physical_device") == []
    (reply,) = of(trace, "r1", "status_reply")
    assert reply.detail["fault_address"] == "0x40000000"


def test_frames_before_a_stray_one_still_go_out():
    trace = run([vf()], [send(buffer=GIB - 2000, nbytes=4000)])
    assert [h.detail["frame"] for h in of(trace, "r1", "physical_device")] == [1]
    (reply,) = of(trace, "r1", "status_reply")
    assert reply.detail["frame"] == 2 and reply.detail["status"] == "iommu_fault"


def test_an_interrupt_through_the_vmm_costs_an_exit_and_an_injection_posted_costs_nothing():
    through = run([vf(interrupts="vmm")], [send()]).requests[0]
    posted = run([vf(interrupts="posted")], [send()]).requests[0]
    # exit 1 µs + injection 1 µs (the guest's EOI needs no exit with a virtual APIC)
    assert (through.traps, through.overhead_us) == (1, 2)
    assert (posted.traps, posted.overhead_us) == (0, 0)
    assert through.device_us == posted.device_us == 13


def test_only_the_assigned_guest_may_use_the_device():
    with pytest.raises(ScenarioError) as error:
        build([vf()], [send() | {"guest": "vm2"}])
    assert error.value.problems == [
        "workload[0].guest: vf-vm1 is vm1's assigned device; vm2 cannot use it"
    ]


def test_two_guests_memory_may_not_share_host_pages():
    with pytest.raises(ScenarioError) as error:
        build([vf(), vf("vm2", hpa=4 * GIB + GIB // 2)])
    assert error.value.problems == ["devices[1].memory[0]: host-physical memory overlaps vm1's"]


def test_memory_regions_are_whole_pages():
    region = {"gpa": 0, "hpa": 4096 + 1, "bytes": GIB}
    with pytest.raises(ScenarioError) as error:
        build([vf(memory=[region])])
    assert error.value.problems == [
        "devices[0].memory[0].hpa: the IOMMU maps whole 4 KiB pages; not a multiple of 4096"
    ]


def test_a_buffer_is_only_for_a_passthrough_device():
    nic = {"id": "nic0", "type": "nic"}
    item = send() | {"device": "nic0"}
    with pytest.raises(ScenarioError) as error:
        build([nic], [item])
    assert error.value.problems == [
        "workload[0].buffer: only a passthrough device reads guest memory by DMA; nic0 is a nic"
    ]


regions = st.lists(st.tuples(st.integers(0, 64), st.integers(1, 16)), min_size=1, max_size=4).map(
    lambda runs: [
        {
            "gpa": (sum(g + n for g, n in runs[:i]) + g) * 4096 * 16,
            "hpa": (i + 1) * GIB,
            "bytes": n * 4096,
        }
        for i, (g, n) in enumerate(runs)
    ]
)


@given(regions, st.integers(0, 80 * 4096 * 16), st.integers(1, 9000))
def test_the_iommu_never_lets_a_dma_outside_the_guests_memory_through(memory, buffer, nbytes):
    trace = run([vf(memory=memory, interrupts="posted")], [send(buffer=buffer, nbytes=nbytes)])

    def inside(address):
        return any(r["gpa"] <= address < r["gpa"] + r["bytes"] for r in memory)

    for hop in of(trace, "r1", "physical_mapping"):
        for s in hop.detail["stretches"]:
            gpa, hpa = int(s["gpa"], 16), int(s["hpa"], 16)
            region = memory[s["region"]]
            assert region["gpa"] <= gpa and gpa + s["bytes"] <= region["gpa"] + region["bytes"]
            assert hpa - region["hpa"] == gpa - region["gpa"]
        if hop.detail["fault_address"] is not None:
            assert not inside(int(hop.detail["fault_address"], 16))
    sent = sum(h.detail["bytes"] for h in of(trace, "r1", "physical_device"))
    every_byte_inside = all(inside(a) for a in range(buffer, buffer + nbytes, 512)) and inside(
        buffer + nbytes - 1
    )
    assert (status(trace, "r1") == "ok") == every_byte_inside
    assert sent == nbytes if every_byte_inside else sent < nbytes
