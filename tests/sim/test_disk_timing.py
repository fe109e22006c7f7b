"""The disk's timing against the model a student checks by hand: the platter's
angle at t is (t mod turn) ÷ turn, sector s spans [(s−1)/spt, s/spt) of a turn,
and a sector passes under the head in turn ÷ spt."""

from fractions import Fraction
from math import floor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sim import ScenarioError, simulate
from app.sim.devices.disk_timing import DISK_ROTATION_US as TURN
from app.sim.devices.disk_timing import rotation_us, transfer_us

from .helpers import DISK, build, of, run, status
from .test_properties import scenarios


def read(guest, block, count=1, at=0):
    return {"at_us": at, "op": "disk_read", "guest": guest, "device": "disk0"} | {
        "block": block,
        "count": count,
    }


@st.composite
def positions(draw):
    spt = draw(st.integers(1, 63))
    return draw(st.integers(0, 10**9)), draw(st.integers(1, spt)), spt


@given(positions())
def test_rotation_waits_for_the_start_of_the_sector_by_the_hand_formula(position):
    now, sector, spt = position
    wait = rotation_us(now, sector, spt)
    start = Fraction((sector - 1) * TURN, spt)  # µs into a turn where the sector begins
    assert wait == floor((start - now % TURN) % TURN)
    assert 0 <= wait < TURN


@given(st.integers(0, 10**9), st.integers(1, 63))
def test_a_sector_whose_start_has_just_passed_waits_nearly_a_whole_turn(turns, spt):
    sector_start = Fraction(TURN, spt) * (spt - 1)  # the last sector, an awkward fraction
    just_after = turns * TURN + floor(sector_start) + 1
    assert rotation_us(just_after, spt, spt) >= TURN - 1


def test_the_levels_lessons_read_at_44409_us_waits_most_of_a_turn():
    # C 0 / S 11 after a seek that ends at t = 44,409 µs: the head is at
    # 44,409 mod 8,333 = 2,744 µs into the turn, sector 11 starts at
    # 10 × 8,333 ÷ 32 = 2,604.06 µs: it has just passed, 8,193.06 µs to wait.
    assert rotation_us(44_409, 11, 32) == 8_193


@given(st.integers(1, 256), st.integers(1, 63))
def test_transfer_is_sectors_times_a_turn_over_sectors_per_track(sectors, spt):
    exact = Fraction(sectors * TURN, spt)
    assert transfer_us(sectors, spt) == floor(exact + Fraction(1, 2))


def test_one_sector_passes_the_head_in_a_32nd_of_a_turn_four_in_four_32nds():
    trace = run([DISK], [read("vm1", 10), read("vm1", 100, count=4, at=50_000)])
    one, four = (of(trace, r, "physical_device")[0].detail for r in ("r1", "r2"))
    assert one["transfer_us"] == 260  # 8,333 ÷ 32 = 260.4
    assert four["transfer_us"] == 1_042  # 4 × 260.4 = 1,041.6
    assert trace.requests[0].device_us == one["seek_us"] + one["rotation_us"] + 260


def test_rereading_the_block_just_read_waits_nearly_a_full_turn():
    # the second read queues behind the first and finds the head just past sector 11
    trace = run([DISK], [read("vm1", 10), read("vm1", 10)])
    again = of(trace, "r2", "physical_device")[0].detail
    slot = TURN / 32
    assert again["seek_us"] == 0 and again["waited_us"] > 0
    assert TURN - 2 * slot < again["rotation_us"] < TURN


def test_a_disk_may_end_in_a_partial_cylinder():
    # 100,000 blocks at 8 heads × 63 sectors = 198 whole cylinders and 208 blocks
    disk = {
        "id": "disk0",
        "type": "disk",
        "blocks": 100_000,
        "geometry": {"heads": 8, "sectors_per_track": 63},
        "partitions": [{"guest": "vm1", "start": 99_000, "blocks": 1_000}],
    }
    trace = run([disk], [read("vm1", 999)])
    assert status(trace, "r1") == "ok"
    (mapping,) = of(trace, "r1", "physical_mapping")
    # 99,999 = 198 × 504 + 207; 207 = 3 × 63 + 18
    assert mapping.detail["arithmetic"] == (
        "vblock 999 + start 99000 = pblock 99999 → C 198 / H 3 / S 19"
    )


def test_consecutive_sectors_run_on_across_a_track_end_and_a_cylinder_end_in_one_pass():
    # pblocks 126-129 on 4 × 32: C 0 / H 3 / S 31, S 32, then C 1 / H 0 / S 1, S 2. At
    # t = 200,002 µs the head is 10 µs into the turn; S 31 starts at 30 × 8,333 ÷ 32 =
    # 7,812.2 µs: 7,802 µs to wait, then 4 sectors in one pass, 4 × 260.4 = 1,042 µs.
    trace = run([DISK], [read("vm1", 126, count=4, at=200_000), read("vm1", 0, at=300_000)])
    across = of(trace, "r1", "physical_device")[0].detail
    assert (across["cylinder"], across["head"], across["sector"]) == (0, 3, 31)
    assert (across["rotation_us"], across["transfer_us"]) == (7_802, 1_042)
    # the arm ends over the last block's cylinder, C 1: the next read seeks back one
    back = of(trace, "r2", "physical_device")[0].detail
    assert (back["from_cylinder"], back["seek_us"]) == (1, 1_186)  # 500 + 15,500 × √(1/511)


def test_a_partial_last_cylinder_is_the_end_of_the_arms_stroke():
    # 100,000 blocks at 8 × 63 is 199 cylinders, the last partial: from C 0 to C 198
    # is the whole stroke, 16,000 µs, never more
    disk = {
        "id": "disk0",
        "type": "disk",
        "blocks": 100_000,
        "geometry": {"heads": 8, "sectors_per_track": 63},
        "partitions": [{"guest": "vm1", "start": 0, "blocks": 100_000}],
    }
    trace = run([disk], [read("vm1", 99_999)])
    served = of(trace, "r1", "physical_device")[0].detail
    assert (served["cylinder"], served["seek_us"]) == (198, 16_000)
    assert served["transfer_us"] == 132  # 8,333 ÷ 63 = 132.3


def test_only_a_partition_past_the_last_block_is_refused():
    disk = {
        "id": "disk0",
        "type": "disk",
        "blocks": 100_000,
        "geometry": {"heads": 8, "sectors_per_track": 63},
        "partitions": [{"guest": "vm1", "start": 99_000, "blocks": 1_001}],
    }
    with pytest.raises(ScenarioError) as refused:
        build([disk])
    assert refused.value.problems == [
        "devices[0].partitions[0]: blocks 99000-100000 reach past the end of disk0 (blocks 0-99999)"
    ]


@given(scenarios())
def test_every_disk_service_in_a_trace_follows_the_hand_formulas(scenario):
    disks = {d.id: d for d in scenario.devices if d.type == "disk"}
    for hop in simulate(scenario).hops:
        d = hop.detail
        if hop.stage != "physical_device" or "rotation_us" not in d:
            continue
        spt = disks[hop.actor].geometry.sectors_per_track  # an image's access is its disk's
        # the platter's angle is read when the seek has ended
        assert d["rotation_us"] == rotation_us(hop.t_us + d["seek_us"], d["sector"], spt)
        assert 0 <= d["rotation_us"] < TURN
        assert d["transfer_us"] == transfer_us(d["count"], spt)
        assert d["service_us"] == d["seek_us"] + d["rotation_us"] + d["transfer_us"]
