import itertools

from .helpers import of, run, status

LP = {"id": "lp0", "type": "printer", "pages_per_minute": 30}


def job(guest, pages, at=0):
    return {"at_us": at, "op": "print", "guest": guest, "device": "lp0", "pages": pages}


def test_each_page_is_a_physical_device_hop_at_the_printers_speed():
    trace = run([LP], [job("vm1", 3)])
    pages = of(trace, "r1", "physical_device")
    assert [h.detail["page"] for h in pages] == [1, 2, 3]
    assert {h.detail["job"] for h in pages} == {1}
    assert [b.t_us - a.t_us for a, b in itertools.pairwise(pages)] == [2_000_000] * 2
    assert status(trace, "r1") == "ok"


def test_a_second_guests_job_waits_for_the_whole_first_job():
    trace = run([LP], [job("vm1", 3), job("vm2", 2, at=10)])
    pages = [(h.guest, h.detail["page"]) for h in trace.hops if h.stage == "physical_device"]
    assert pages == [("vm1", 1), ("vm1", 2), ("vm1", 3), ("vm2", 1), ("vm2", 2)]
    (queued,) = of(trace, "r2", "physical_mapping")
    assert queued.detail["ahead"] == [1]


def test_job_passes_through_the_guest_spool_table_then_the_vmm_spool_table():
    trace = run([LP], [job("vm1", 1), job("vm2", 1, at=10)])
    guest_side = of(trace, "r2", "guest_driver")[0].detail
    assert guest_side["guest_spool"]["vm2"] == [
        {"job": 1, "pages": 1, "state": "spooling", "request": "r2"}
    ]
    vmm_side = of(trace, "r2", "device_model")[0].detail
    assert vmm_side["guest_spool"]["vm2"] == []
    assert [(r["file"], r["guest"], r["state"]) for r in vmm_side["vmm_spool"]] == [
        (1, "vm1", "printing"),
        (2, "vm2", "waiting"),
    ]
