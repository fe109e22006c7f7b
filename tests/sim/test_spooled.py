import itertools

from hypothesis import given
from hypothesis import strategies as st

from app.sim.jobs import print_outs

from .helpers import of, run, status

LP = {"id": "lp0", "type": "printer", "pages_per_minute": 30}


def job(guest, pages, at=0):
    return {"at_us": at, "op": "print", "guest": guest, "device": "lp0", "pages": pages}


def print_request(trace, guest, n=0):
    """The id of ``guest``'s n-th print request (the VMM's print_out requests come between)."""
    return [r.id for r in trace.requests if r.op == "print" and r.guest == guest][n]


def printing_of(trace, request):
    """The print_out request that printed the job of ``request``."""
    return print_outs(trace)[request]


def test_each_page_is_a_physical_device_hop_of_the_vmms_print_out_request():
    trace = run([LP], [job("vm1", 3)])
    out = printing_of(trace, "r1")
    assert (out.op, out.guest, out.device, out.status) == ("print_out", "vm1", "lp0", "ok")
    pages = of(trace, out.id, "physical_device")
    assert [h.detail["page"] for h in pages] == [1, 2, 3]
    assert {h.detail["job"] for h in pages} == {1}
    assert [b.t_us - a.t_us for a, b in itertools.pairwise(pages)] == [2_000_000] * 2
    assert of(trace, out.id)[-1].stage == "status_reply"
    assert of(trace, out.id)[-1].t_us == pages[-1].t_us
    assert out.device_us == 6_000_000 and out.traps == 0
    assert status(trace, "r1") == "ok"


def test_the_print_request_ends_when_the_job_is_spooled_and_the_guest_goes_on():
    trace = run([LP], [job("vm1", 3), job("vm2", 2, at=10)])
    vm2 = print_request(trace, "vm2")
    (reply,) = of(trace, vm2, "status_reply")
    first_page = of(trace, printing_of(trace, vm2).id, "physical_device")[0]
    assert reply.seq < first_page.seq
    assert reply.t_us == 13  # vm2's one exit (2 µs) and its interrupt (1 µs), not its pages
    assert (reply.detail["file"], reply.detail["place"]) == (2, 2)
    assert next(r for r in trace.requests if r.id == vm2).device_us == 0


def test_the_print_out_request_starts_when_the_printer_takes_the_job():
    trace = run([LP], [job("vm1", 3), job("vm2", 2, at=10)])
    out = printing_of(trace, print_request(trace, "vm2"))
    assert out.start_us == 6_000_002  # when vm1's last page is out
    first = of(trace, out.id)[0]
    assert first.t_us == out.start_us and first.detail["file"] == 2


def test_a_second_guests_job_waits_for_the_whole_first_job():
    trace = run([LP], [job("vm1", 3), job("vm2", 2, at=10)])
    pages = [(h.guest, h.detail["page"]) for h in trace.hops if h.stage == "physical_device"]
    assert pages == [("vm1", 1), ("vm1", 2), ("vm1", 3), ("vm2", 1), ("vm2", 2)]
    (queued,) = of(trace, print_request(trace, "vm2"), "physical_mapping")
    assert queued.detail["ahead"] == [1]


def test_job_passes_through_the_guest_spool_table_then_the_vmm_spool_table():
    trace = run([LP], [job("vm1", 1), job("vm2", 1, at=10)])
    guest_side = of(trace, "r3", "guest_driver")[0].detail
    assert guest_side["guest_spool"]["vm2"] == [
        {"job": 1, "pages": 1, "state": "handing over", "request": "r3"}
    ]
    vmm_side = of(trace, "r3", "device_model")[0].detail
    assert vmm_side["guest_spool"]["vm2"] == []
    assert [(r["file"], r["guest"], r["state"]) for r in vmm_side["vmm_spool"]] == [
        (1, "vm1", "printing"),
        (2, "vm2", "waiting"),
    ]


def test_a_guests_second_job_waits_in_its_own_spool_table_until_the_first_is_handed_over():
    # At the I/O-operation level three pages take three times as long to hand
    # over as one: the one-page job must still wait for the three-page job.
    trace = run([LP], [job("vm1", 3), job("vm1", 1, at=10)], level="io_operation")
    assert [r.op for r in trace.requests[:2]] == ["print", "print"]
    second = of(trace, "r2", "guest_driver")[0].detail["guest_spool"]["vm1"]
    assert [(r["job"], r["state"]) for r in second] == [(1, "handing over"), (2, "waiting")]
    assert [of(trace, r, "status_reply")[0].detail["file"] for r in ("r1", "r2")] == [1, 2]
    first_trap = of(trace, "r2", "vmm_trap")[0]
    assert first_trap.t_us >= of(trace, "r1", "device_model")[0].t_us
    after_first = of(trace, "r1", "device_model")[0].detail["guest_spool"]["vm1"]
    assert [r["job"] for r in after_first] == [2]


def test_at_the_system_call_level_the_vmm_spools_the_call_itself():
    trace = run([LP], [job("vm1", 2)], level="system_call")
    stages = [h.stage for h in of(trace, "r1")]
    assert stages == ["guest_app", "vmm_trap", "device_model", "physical_mapping", "status_reply"]
    assert of(trace, "r1", "vmm_trap")[0].detail["syscall"] == "write"


JOBS = st.lists(
    st.tuples(
        st.sampled_from(["vm1", "vm2"]),
        st.integers(1, 4),
        st.integers(0, 50_000),
        st.sampled_from(["io_operation", "device_driver"]),
    ),
    min_size=1,
    max_size=8,
)


@given(JOBS)
def test_each_guests_jobs_are_printed_in_the_order_it_spooled_them(jobs):
    workload = [job(guest, pages, at) | {"level": level} for guest, pages, at, level in jobs]
    trace = run([LP], workload)
    prints = [r for r in trace.requests if r.op == "print"]
    for guest in ("vm1", "vm2"):
        mine = [r.id for r in prints if r.guest == guest]  # in the order its OS spooled them
        files = [of(trace, r, "status_reply")[0].detail["file"] for r in mine]
        assert files == sorted(files)
        out = [
            h.detail["job"]
            for h in trace.hops
            if h.stage == "physical_device" and h.guest == guest and h.detail["page"] == 1
        ]
        assert out == files


@given(JOBS)
def test_a_print_ends_before_any_page_of_its_job_is_printed(jobs):
    workload = [job(guest, pages, at) | {"level": level} for guest, pages, at, level in jobs]
    trace = run([LP], workload)
    printed = print_outs(trace)
    for record in trace.requests:
        if record.op != "print":
            continue
        (reply,) = of(trace, record.id, "status_reply")
        pages = of(trace, printed[record.id].id, "physical_device")
        assert pages and reply.seq < pages[0].seq
