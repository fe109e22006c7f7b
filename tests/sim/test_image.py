import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sim import ScenarioError
from app.sim.diskimage import ImageFile

from .helpers import build, of, run, status

DISK0 = {
    "id": "disk0",
    "type": "disk",
    "blocks": 65536,
    "geometry": {"heads": 4, "sectors_per_track": 32},
}
QCOW2 = {
    "id": "img1",
    "type": "image",
    "guest": "vm1",
    "disk": "disk0",
    "format": "qcow2",
    "blocks": 4096,
    "cluster_blocks": 8,
    "extents": [{"start": 8192, "blocks": 2048}, {"start": 20480, "blocks": 2072}],
}
RAW = {
    "id": "img2",
    "type": "image",
    "guest": "vm2",
    "disk": "disk0",
    "format": "raw",
    "blocks": 4096,
    "extents": [{"start": 12288, "blocks": 4096}],
}


def disk_op(op, guest, device, block, count=1, at=0):
    return {"at_us": at, "op": op, "guest": guest, "device": device, "block": block, "count": count}


def layers(trace, request):
    return [h.detail.get("layer") for h in of(trace, request, "physical_mapping")]


def test_raw_image_maps_virtual_block_to_file_offset_then_extent_then_chs():
    trace = run([DISK0, RAW], [disk_op("disk_read", "vm2", "img2", 100)])
    image, fs = of(trace, "r1", "physical_mapping")
    assert image.detail["file_block"] == 100
    assert "vblock 100 × 512 = 51200 bytes" in image.summary
    # extent 0 holds file blocks 0-4095 from disk block 12288; 128 blocks a cylinder
    assert fs.detail["physical_block"] == 12388
    assert (fs.detail["cylinder"], fs.detail["head"], fs.detail["sector"]) == (96, 3, 5)
    (served,) = of(trace, "r1", "physical_device")
    assert served.actor == "disk0" and served.detail["physical_block"] == 12388


def test_reading_a_qcow2_cluster_never_written_returns_zeros_without_the_disk():
    trace = run([DISK0, QCOW2], [disk_op("disk_read", "vm1", "img1", 100)])
    assert status(trace, "r1") == "ok"
    assert of(trace, "r1", "physical_device") == []
    (image,) = of(trace, "r1", "physical_mapping")
    assert image.detail["file_block"] is None and "reads as zeros" in image.summary
    assert trace.requests[0].device_us == 0


def test_first_write_allocates_l2_table_and_cluster_at_the_end_of_the_file_in_order():
    trace = run([DISK0, QCOW2], [disk_op("disk_write", "vm1", "img1", 100)])
    image, *fs = of(trace, "r1", "physical_mapping")
    # cluster 12 = 100 // 8; clusters 0 (header) and 1 (L1) exist; 2 = the L2 table, 3 = data
    assert image.detail["cluster"] == 12 and image.detail["offset_in_cluster"] == 4
    assert (image.detail["l2_table_cluster"], image.detail["data_cluster"]) == (2, 3)
    assert image.detail["file_block"] == 3 * 8 + 4
    assert [(h.detail["purpose"], h.detail["file_block"], h.detail["count"]) for h in fs] == [
        ("L2 table", 16, 8),
        ("L1 entry", 8, 1),
        ("data", 28, 1),
        ("L2 entry", 16, 1),
    ]
    assert [h.detail["physical_block"] for h in of(trace, "r1", "physical_device")] == [
        8208,
        8200,
        8220,
        8208,
    ]


def test_second_write_to_an_allocated_cluster_costs_one_disk_access():
    trace = run(
        [DISK0, QCOW2],
        [
            disk_op("disk_write", "vm1", "img1", 100),
            disk_op("disk_write", "vm1", "img1", 101, at=10**6),
        ],
    )
    assert len(of(trace, "r1", "physical_device")) == 4
    (served,) = of(trace, "r2", "physical_device")
    assert served.detail["physical_block"] == 8192 + 29
    assert trace.requests[0].device_us > trace.requests[1].device_us


def test_a_new_cluster_in_the_same_l2_table_needs_no_new_table():
    trace = run(
        [DISK0, QCOW2],
        [
            disk_op("disk_write", "vm1", "img1", 100),
            disk_op("disk_write", "vm1", "img1", 0, at=10**6),
        ],
    )
    image, *fs = of(trace, "r2", "physical_mapping")
    assert image.detail["data_cluster"] == 4
    assert [h.detail["purpose"] for h in fs] == ["data", "L2 entry"]


def test_a_request_across_a_cluster_boundary_is_served_cluster_by_cluster():
    trace = run([DISK0, QCOW2], [disk_op("disk_read", "vm1", "img1", 6, count=4)])
    pieces = [h for h in of(trace, "r1", "physical_mapping") if h.detail["layer"] == "image"]
    assert [(p.detail["virtual_block"], p.detail["count"]) for p in pieces] == [(6, 2), (8, 2)]


def test_a_file_run_across_two_extents_is_two_disk_accesses():
    raw = dict(RAW, extents=[{"start": 12288, "blocks": 100}, {"start": 30000, "blocks": 3996}])
    trace = run([DISK0, raw], [disk_op("disk_read", "vm2", "img2", 98, count=4)])
    served = of(trace, "r1", "physical_device")
    assert [(h.detail["physical_block"], h.detail["count"]) for h in served] == [
        (12386, 2),
        (30000, 2),
    ]


def test_past_the_end_of_the_image_is_refused_without_touching_the_disk():
    trace = run([DISK0, QCOW2], [disk_op("disk_write", "vm1", "img1", 4095, count=2)])
    assert status(trace, "r1") == "out_of_range"
    assert of(trace, "r1", "physical_device") == []


def test_two_guests_images_take_turns_on_the_one_arm():
    trace = run(
        [DISK0, QCOW2, RAW],
        [
            disk_op("disk_write", "vm1", "img1", 100),
            disk_op("disk_write", "vm2", "img2", 3000, at=200),
        ],
    )
    served = [h.request for h in trace.hops if h.stage == "physical_device"]
    assert served == ["r1", "r2", "r1", "r1", "r1"]
    busy = [
        (h.t_us, h.t_us + h.detail["service_us"])
        for h in trace.hops
        if h.stage == "physical_device"
    ]
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(busy))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"disk": "nope"}, "devices[1].disk: an image lies on a disk, but 'nope' is no device"),
        ({"cluster_blocks": 6}, "devices[1].cluster_blocks: 6 is not a power of two"),
        (
            {"extents": [{"start": 8192, "blocks": 4096}]},
            "devices[1].extents: they hold 4096 blocks, but the qcow2 file can grow to 4120",
        ),
        (
            {"extents": [{"start": 65000, "blocks": 4120}]},
            "devices[1].extents[0]: blocks 65000-69119 reach past the end of disk0",
        ),
        ({"guest": "vm9"}, "devices[1].guest: unknown guest 'vm9'"),
    ],
)
def test_image_problems_are_named(change, problem):
    with pytest.raises(ScenarioError) as error:
        build([DISK0, QCOW2 | change])
    assert problem in error.value.problems


def test_an_image_may_not_overlap_a_partition_or_another_image():
    disk = DISK0 | {"partitions": [{"guest": "vm2", "start": 8000, "blocks": 300}]}
    raw = RAW | {"extents": [{"start": 21000, "blocks": 4096}]}
    with pytest.raises(ScenarioError) as error:
        build([disk, QCOW2, raw])
    assert error.value.problems == [
        "devices[1].extents[0]: overlaps the partition of vm2 (blocks 8000-8299)",
        "devices[2].extents[0]: overlaps extent 1 of img1 (blocks 20480-22551)",
    ]


def test_only_the_images_guest_may_use_it():
    with pytest.raises(ScenarioError) as error:
        build([DISK0, QCOW2], [disk_op("disk_read", "vm2", "img1", 0)])
    assert error.value.problems == ["workload[0].guest: img1 is vm1's image; vm2 cannot use it"]


ops = st.lists(
    st.tuples(
        st.sampled_from(["disk_read", "disk_write"]), st.integers(0, 4095), st.integers(1, 20)
    ),
    max_size=12,
)


@given(ops)
def test_a_read_reaches_the_disk_only_for_clusters_written_before(requests):
    workload = [
        disk_op(op, "vm1", "img1", block, min(count, 4096 - block), at=i * 10**6)
        for i, (op, block, count) in enumerate(requests)
    ]
    trace = run([DISK0, QCOW2], workload)
    written: set[int] = set()
    for record, item in zip(trace.requests, workload, strict=True):
        clusters = set(range(item["block"] // 8, (item["block"] + item["count"] - 1) // 8 + 1))
        touched = {
            h.detail["cluster"]
            for h in of(trace, record.id, "physical_mapping")
            if "cluster" in h.detail and h.detail["file_block"] is not None
        }
        if item["op"] == "disk_write":
            written |= clusters
        else:
            assert touched == clusters & written
            assert bool(of(trace, record.id, "physical_device")) == bool(clusters & written)


@given(st.lists(st.tuples(st.integers(0, 4095), st.integers(1, 40)), max_size=20))
def test_allocation_only_appends_and_never_moves_a_cluster(writes):
    image = ImageFile(build([DISK0, QCOW2]).devices[1])
    for block, count in writes:
        before_l2, before_l1, before_end = dict(image.l2), dict(image.l1), image.clusters
        image.pieces(block, min(count, 4096 - block), write=True)
        assert image.clusters >= before_end
        assert image.l2.items() >= before_l2.items() and image.l1.items() >= before_l1.items()
        new = [c for k, c in image.l2.items() if k not in before_l2]
        new += [c for k, c in image.l1.items() if k not in before_l1]
        assert sorted(new) == list(range(before_end, image.clusters))
    owned = list(image.l2.values()) + list(image.l1.values())
    assert len(owned) == len(set(owned)) and min(owned, default=2) >= 2


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["vm1", "vm2"]),
            st.sampled_from(["disk_read", "disk_write"]),
            st.integers(0, 4095),
            st.integers(1, 20),
            st.integers(0, 50_000),
        ),
        max_size=12,
    )
)
def test_every_disk_access_of_an_image_lies_in_its_own_extents(requests):
    images = {"vm1": ("img1", QCOW2), "vm2": ("img2", RAW)}
    workload = [
        disk_op(op, guest, images[guest][0], block, min(count, 4096 - block), at=at)
        for guest, op, block, count, at in requests
    ]
    trace = run([DISK0, QCOW2, RAW], workload)
    for hop in trace.hops:
        if hop.stage == "physical_device":
            extents = images[hop.guest][1]["extents"]
            first, last = (
                hop.detail["physical_block"],
                hop.detail["physical_block"] + hop.detail["count"] - 1,
            )
            assert any(e["start"] <= first and last < e["start"] + e["blocks"] for e in extents)
