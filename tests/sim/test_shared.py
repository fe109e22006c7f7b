import itertools

from .helpers import of, run, status

NIC = {"id": "nic0", "type": "nic"}


def send(guest, nbytes, at=0):
    return {
        "at_us": at,
        "op": "net_send",
        "guest": guest,
        "device": "nic0",
        "dst_ip": "192.0.2.7",
        "bytes": nbytes,
    }


def arrive(**dst):
    return {"at_us": 0, "op": "frame_arrives", "device": "nic0", "bytes": 600} | dst


def test_one_frame_takes_its_size_on_the_wire():
    trace = run([NIC], [send("vm1", 1500)])
    (frame,) = of(trace, "r1", "physical_device")
    # 1,538 bytes on the wire at 1 Gb/s = 12.3 µs, whole µs rounded up
    assert frame.detail["wire_us"] == 13 and frame.detail["src_mac"] == "52:54:00:00:00:01"
    assert status(trace, "r1") == "ok"


def test_a_short_frame_is_padded_to_the_ethernet_minimum_on_the_wire():
    # 802.3 pads a payload under 46 bytes: 46 + 38 = 84 bytes on the wire, so a
    # 1-byte send holds a 10 Mb/s wire 84 × 8 ÷ 10 = 67.2 µs (68 rounded up), not
    # (1 + 38) × 8 ÷ 10 = 31.2 µs; and 1,501 bytes end in such a frame
    slow = NIC | {"mbps": 10}
    tiny = run([slow], [send("vm1", 1)])
    assert [h.detail["wire_us"] for h in of(tiny, "r1", "physical_device")] == [68]
    split = run([slow], [send("vm1", 1501)])
    assert [h.detail["wire_us"] for h in of(split, "r1", "physical_device")] == [1231, 68]
    assert split.requests[0].device_us == 1231 + 68
    # every payload up to 46 bytes takes the minimum; from there a frame is its own size
    sizes = [send("vm1", n, at=1000 * i) for i, n in enumerate([1, 45, 46, 48])]
    assert [r.device_us for r in run([slow], sizes).requests] == [68, 68, 68, 69]


def test_frames_of_two_guests_interleave_on_the_one_wire():
    trace = run([NIC], [send("vm1", 4500), send("vm2", 4500)])
    wire = [h for h in trace.hops if h.stage == "physical_device"]
    assert [h.guest for h in wire] == ["vm1", "vm2", "vm1", "vm2", "vm1", "vm2"]
    for earlier, later in itertools.pairwise(wire):
        assert later.t_us >= earlier.t_us + earlier.detail["wire_us"]


def test_arriving_frame_goes_to_the_guest_with_that_mac():
    trace = run([NIC], [arrive(dst_mac="52:54:00:00:00:02")])
    (mapping,) = of(trace, "r1", "physical_mapping")
    assert (mapping.detail["mac"], mapping.detail["guest"]) == ("52:54:00:00:00:02", "vm2")
    assert [h.actor for h in of(trace, "r1", "guest_driver")] == ["vm2"]
    assert status(trace, "r1") == "ok"


def test_arriving_frame_by_ip():
    trace = run([NIC], [arrive(dst_ip="10.0.0.1")])
    assert of(trace, "r1", "physical_mapping")[0].detail["guest"] == "vm1"


def test_broadcast_reaches_every_guest():
    trace = run([NIC], [arrive(dst_mac="ff:ff:ff:ff:ff:ff")])
    assert [h.actor for h in of(trace, "r1", "guest_driver")] == ["vm1", "vm2"]
    assert of(trace, "r1", "status_reply")[0].detail["delivered_to"] == ["vm1", "vm2"]
    assert trace.requests[0].guest is None


def test_unknown_destination_is_dropped_before_any_guest():
    trace = run([NIC], [arrive(dst_mac="52:54:00:99:99:99")])
    assert status(trace, "r1") == "dropped"
    assert of(trace, "r1", "guest_driver") == []
    assert trace.requests[0].guest is None


def test_an_arriving_frame_is_nobodys_until_the_vmm_looks_up_its_destination():
    trace = run([NIC], [arrive(dst_mac="52:54:00:00:00:02")])
    arrival, lookup = of(trace, "r1")[:2]
    assert (arrival.stage, arrival.guest) == ("physical_device", None)
    assert (lookup.stage, lookup.guest) == ("physical_mapping", "vm2")


def test_a_broadcast_at_system_call_level_says_who_the_vmm_could_not_serve_and_why():
    trace = run([NIC], [arrive(dst_mac="ff:ff:ff:ff:ff:ff")], level="system_call")
    (reply,) = of(trace, "r1", "status_reply")
    assert reply.detail["status"] == "ok"
    assert reply.detail["delivered_to"] == ["vm1"]
    assert reply.detail["not_delivered"] == [
        {
            "guest": "vm2",
            "reason": "the VMM knows linux, not windows, so it cannot interpret the receive "
            "calls of vm2",
        }
    ]
    assert "not to vm2" in reply.summary
    assert "none for vm2" in of(trace, "r1", "physical_mapping")[0].summary
    assert [h.actor for h in of(trace, "r1", "guest_driver")] == ["vm1"]


def test_a_broadcast_no_guest_can_be_served_ends_unknown_guest_os():
    trace = run([NIC], [arrive(dst_mac="ff:ff:ff:ff:ff:ff")], level="system_call", knows_os=[])
    (reply,) = of(trace, "r1", "status_reply")
    assert reply.detail["status"] == "unknown_guest_os"
    assert reply.detail["delivered_to"] == []
    assert [d["guest"] for d in reply.detail["not_delivered"]] == ["vm1", "vm2"]


def test_a_frame_for_a_guest_of_unknown_os_is_refused_in_plain_words():
    trace = run([NIC], [arrive(dst_mac="52:54:00:00:00:02")], level="system_call")
    (reply,) = of(trace, "r1", "status_reply")
    assert reply.detail["status"] == "unknown_guest_os"
    assert reply.summary == (
        "refused: the VMM knows linux, not windows, so it cannot interpret the receive calls of vm2"
    )
