from pathlib import Path

import pytest

from app.sim import load_scenario_data, load_scenario_file, simulate
from app.sim.contention import jain, overlapping, per_guest, timeline
from app.workloads import GeneratorError, contention_data

from .helpers import DISK, GUESTS, run

THREE = [*GUESTS, {"id": "vm3", "os": "linux", "mac": "52:54:00:00:00:03", "ip": "10.0.0.3"}]
LP = {"id": "lp0", "type": "printer", "pages_per_minute": 30}
NIC = {"id": "nic0", "type": "nic"}


def test_three_equal_jobs_are_perfectly_fair():
    jobs = [{"op": "print", "guest": g["id"], "device": "lp0", "pages": 2} for g in THREE]
    trace = run([LP], jobs, guests=THREE)
    figures = per_guest(trace, ["vm1", "vm2", "vm3"], (0, 10**12))
    assert figures["fairness"] == pytest.approx(1.0)
    assert [row["requests"] for row in figures["guests"].values()] == [1, 1, 1]


def test_jain_index_of_one_guest_taking_everything_is_one_over_n():
    assert jain([6.0, 0.0, 0.0]) == pytest.approx(1 / 3)
    assert jain([2.0, 2.0]) == pytest.approx(1.0)


def test_the_printer_timeline_never_shows_two_guests_at_once():
    jobs = [
        {"at_us": i, "op": "print", "guest": g["id"], "device": "lp0", "pages": 3}
        for i, g in enumerate(THREE)
    ]
    bars = [b for b in timeline(run([LP], jobs, guests=THREE)) if b.kind == "busy"]
    assert overlapping(bars) == []
    owners = [b.guest for b in sorted(bars, key=lambda b: b.start_us)]
    assert owners == ["vm1"] * 3 + ["vm2"] * 3 + ["vm3"] * 3
    waits = [b for b in timeline(run([LP], jobs, guests=THREE)) if b.kind == "waiting"]
    assert [w.guest for w in waits] == ["vm2", "vm3"]


def test_the_nic_timeline_interleaves_guests():
    sends = [
        {"op": "net_send", "guest": g["id"], "device": "nic0", "dst_ip": "192.0.2.1", "bytes": 4500}
        for g in THREE
    ]
    bars = [b for b in timeline(run([NIC], sends, guests=THREE)) if b.kind == "busy"]
    assert overlapping(bars) == []
    assert [b.guest for b in bars][:6] == ["vm1", "vm2", "vm3", "vm1", "vm2", "vm3"]


def test_the_disk_serves_one_request_at_a_time_and_shows_who_waited():
    writes = [
        {"op": "disk_write", "guest": g, "device": "disk0", "block": 100} for g in ("vm1", "vm2")
    ]
    bars = timeline(run([DISK], writes))
    busy = [b for b in bars if b.kind == "busy"]
    assert overlapping(busy) == []
    (wait,) = [b for b in bars if b.kind == "waiting"]
    assert wait.guest == "vm2" and wait.end_us == busy[1].start_us


def test_generated_workloads_are_seeded_and_bounded():
    first = contention_data(guests=4, device="disk", rate_per_s=100, duration_ms=200, seed=3)
    assert first == contention_data(
        guests=4, device="disk", rate_per_s=100, duration_ms=200, seed=3
    )
    assert first != contention_data(
        guests=4, device="disk", rate_per_s=100, duration_ms=200, seed=4
    )
    assert simulate(load_scenario_data(first)).requests
    with pytest.raises(GeneratorError, match="at most 10,000"):
        contention_data(guests=16, device="nic", rate_per_s=10_000, duration_ms=1000)
    with pytest.raises(GeneratorError, match="guests: between 1 and 16"):
        contention_data(guests=17, device="nic", rate_per_s=1, duration_ms=10)


def test_two_guests_images_share_their_disks_timeline_without_overlap():
    path = Path(__file__).resolve().parents[2] / "scenarios" / "disk-image.yaml"
    bars = timeline(simulate(load_scenario_file(path)))
    busy = [b for b in bars if b.kind == "busy"]
    assert {b.device for b in busy} == {"disk0"}
    assert {b.guest for b in busy} == {"vm1", "vm2"}
    assert overlapping(bars) == []
