from hypothesis import given
from hypothesis import strategies as st

from app.sim import load_scenario_data, simulate
from app.sim.loadcurve import load_curve

from .helpers import build, of

NIC = {"id": "nic0", "type": "nic"}


def sends(gaps, guest="vm1"):
    at, items = 0, []
    for gap in gaps:
        at += gap
        items.append(
            {
                "at_us": at,
                "op": "net_send",
                "guest": guest,
                "device": "nic0",
                "dst_ip": "192.0.2.7",
                "bytes": 1500,
            }
        )
    return items


def run_batching(workload, batching=True):
    scenario = build([NIC], workload)
    data = scenario.model_dump() | {"vmm": {"knows_os": ["linux"], "batching": batching}}
    return simulate(load_scenario_data(data), level="device_driver")


def test_requests_far_apart_each_notify_and_each_get_an_interrupt():
    trace = run_batching(sends([0, 1000, 1000]))
    assert [r.traps for r in trace.requests] == [1, 1, 1]
    assert not any(h.detail.get("coalesced") for h in trace.hops)


def test_a_burst_costs_one_exit_while_the_backend_polls_the_ring():
    trace = run_batching(sends([0, 5, 5, 5]))
    assert [r.traps for r in trace.requests] == [1, 0, 0, 0]
    (quiet,) = of(trace, "r2", "guest_driver")[-1:]
    assert quiet.detail["notified"] is False and quiet.detail["backend_polling_us"] == 3
    assert "no notification, no exit" in quiet.summary


def test_completions_close_together_share_one_interrupt():
    trace = run_batching(sends([0, 5, 5, 5]))
    interrupts = [h for h in trace.hops if h.stage == "interrupt"]
    assert [bool(h.detail.get("coalesced")) for h in interrupts] == [False, True, True, True]


def test_without_batching_every_request_notifies_and_interrupts():
    trace = run_batching(sends([0, 5, 5, 5]), batching=False)
    assert [r.traps for r in trace.requests] == [1, 1, 1, 1]
    assert not any(h.detail.get("coalesced") for h in trace.hops)


def test_traps_per_request_fall_below_one_as_load_rises():
    scenario = build([NIC], sends([0]))
    curve = load_curve(scenario, scenario.workload[0])
    assert curve[0].traps == 1.0 and curve[-1].traps < 1.0
    assert all(p.traps_unbatched == 1.0 for p in curve)


@given(st.lists(st.integers(0, 200), min_size=1, max_size=15))
def test_batched_traps_per_request_are_at_most_one_and_never_more_than_unbatched(gaps):
    batched = run_batching(sends(gaps))
    unbatched = run_batching(sends(gaps), batching=False)
    for on, off in zip(batched.requests, unbatched.requests, strict=True):
        assert on.traps <= 1 and on.traps <= off.traps
    assert sum(r.traps for r in batched.requests) <= sum(r.traps for r in unbatched.requests)


def backend_reads(trace, guest):
    """When the backend read each of ``guest``'s requests from the ring, in request order."""
    return [
        h.t_us for r in trace.requests if r.guest == guest for h in of(trace, r.id, "device_model")
    ]


def test_a_completion_written_meanwhile_does_not_make_the_backend_forget_a_later_read():
    # virtio-load's burst: r4 is added at 15 and read by 16; r1's completion is written
    # at 15. r5, added at 20, finds the backend's last work 4 µs behind it (16), not 5.
    trace = run_batching(sends([0, 5, 5, 5, 5]))
    assert backend_reads(trace, "vm1") == [2, 6, 11, 16, 21]
    (quiet,) = of(trace, "r5", "guest_driver")[-1:]
    assert quiet.detail["backend_polling_us"] == 4
    assert "last worked on it 4 µs ago" in quiet.summary


@given(st.lists(st.integers(0, 40), min_size=2, max_size=30))
def test_a_request_added_unnotified_says_how_long_ago_the_backend_last_worked(gaps):
    # The backend's work is reading a request (its device_model hop, fixed when the
    # request is added) and writing a completion (its interrupt hop): an unnotified
    # request is added max(0, t − the latest of those it could know of) µs after it.
    trace = run_batching(sends(gaps))
    reads: list[int] = []
    for record in trace.requests:
        added = of(trace, record.id, "guest_driver")[-1]
        if added.detail.get("notified") is False:
            written = [h.t_us for h in trace.hops if h.stage == "interrupt" and h.seq < added.seq]
            last = max(reads + written)
            assert added.detail["backend_polling_us"] == max(0, added.t_us - last), record.id
        reads += [h.t_us for h in of(trace, record.id, "device_model")]
