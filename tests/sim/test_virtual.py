from .helpers import GUESTS, of, run, status

VSW = {"id": "vsw0", "type": "vswitch", "guests": ["vm1", "vm2"]}
NIC = {"id": "nic0", "type": "nic"}


def send(dst_ip, guest="vm1"):
    return {"op": "net_send", "guest": guest, "device": "vsw0", "dst_ip": dst_ip, "bytes": 200}


def test_a_frame_between_guests_never_touches_a_physical_device():
    trace = run([VSW, NIC], [send("10.0.0.2")])
    assert status(trace, "r1") == "ok"
    assert of(trace, "r1", "physical_device") == []
    assert [h.actor for h in of(trace, "r1", "guest_driver") if h.actor != "vm1"] == ["vm2"]
    assert of(trace, "r1", "physical_mapping")[0].detail["physical_device"] is None


def test_a_destination_not_on_the_switch_is_no_such_host():
    trace = run([VSW], [send("10.0.0.9")])
    assert status(trace, "r1") == "no_such_host"


def test_a_guest_without_a_port_is_not_connected():
    guests = [*GUESTS, {"id": "vm3", "os": "linux", "mac": "52:54:00:00:00:03", "ip": "10.0.0.3"}]
    trace = run([VSW], [send("10.0.0.2", guest="vm3")], guests=guests)
    assert status(trace, "r1") == "not_connected"
