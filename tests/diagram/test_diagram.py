"""The diagram's geometry, the path a hop's token takes, and what each hop changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.diagram.layout import Box, layout
from app.diagram.pieces import CHECKPOINT, Pieces
from app.diagram.profiles import LAPTOP, PHONE, PROJECTOR, column_need
from app.diagram.route import moves, station_of
from app.sim import load_scenario_file, simulate
from app.sim.scenario import MAX_GUESTS
from bench.workload import mixed_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


def shipped(path: Path):
    scenario = load_scenario_file(path)
    return scenario, simulate(scenario, [])


def overlap(a: Box, b: Box) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def path_ends(path: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """The first and last point of an M/H/V path."""
    x = y = 0.0
    start = None
    for command, args in re.findall(r"([MHV])([-\d. ]+)", path):
        numbers = [float(n) for n in args.split()]
        if command == "M":
            x, y = numbers
        elif command == "H":
            x = numbers[0]
        else:
            y = numbers[0]
        start = start or (x, y)
    assert start is not None
    return start, (x, y)


@pytest.mark.parametrize("profile", [LAPTOP, PROJECTOR, PHONE], ids=lambda p: p.name)
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_devices_vmm_part_and_hardware_share_its_column_and_no_boxes_overlap(path, profile):
    scenario, _ = shipped(path)
    diagram = layout(scenario, profile)
    for column in diagram.columns:
        model = diagram.stations[f"model-{column.device}"].box
        table = diagram.stations[f"map-{column.device}"].box
        hardware = diagram.stations.get(f"hw-{column.device}")
        assert (model.x, model.w) == (table.x, table.w)
        if column.category == "virtual":
            assert hardware is None  # a virtual device has nothing physical behind it
        else:
            assert hardware is not None and (hardware.box.x, hardware.box.w) == (table.x, table.w)
            assert table.bottom < hardware.box.y
        assert column.x <= model.x and model.right <= column.x + column.w
    boxes = [s.box for s in diagram.stations.values()]
    for i, a in enumerate(boxes):
        assert a.x >= 0 and a.right <= diagram.width and a.y >= 0 and a.bottom <= diagram.height
        assert not any(overlap(a, b) for b in boxes[i + 1 :])


@pytest.mark.parametrize("profile", [LAPTOP, PROJECTOR, PHONE], ids=lambda p: p.name)
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_boxs_words_keep_clear_of_the_halo_on_either_rail_in_a_column_as_wide_as_they_need(
    path, profile
):
    scenario, _ = shipped(path)
    diagram = layout(scenario, profile)
    for column in diagram.columns:
        assert column.w >= column_need(profile, column.type) - 1e-6
        for station in diagram.stations.values():
            if station.device != column.device:
                continue
            left = station.box.x + profile.text_inset  # where the piece's words start
            right = station.box.right - profile.text_inset
            # a token resting on either rail lays its halo short of them
            assert left - column.down_x >= profile.halo + 1
            assert column.up_x - right >= profile.halo + 1
            # and still touches the box (its dot overlaps it)
            assert station.box.x < column.down_x + profile.token_r
            assert station.box.right > column.up_x - profile.token_r


def test_sixteen_guests_each_get_a_row_and_the_machine_stays_the_same_width():
    scenario, _ = shipped(SCENARIOS[0])
    guests = [
        {"id": f"vm{i}", "os": "linux", "mac": f"52:54:00:00:01:{i:02x}", "ip": f"10.0.1.{i}"}
        for i in range(1, MAX_GUESTS + 1)
    ]
    many = scenario.model_copy(update={"guests": [type(scenario.guests[0])(**g) for g in guests]})
    two, sixteen = layout(scenario), layout(many)
    assert len(sixteen.rows) == 16 and sixteen.width == two.width
    assert all(r.h >= LAPTOP.row_min for r in sixteen.rows)
    heights = [s.box.h for s in sixteen.stations.values() if s.kind == "drv"]
    assert min(heights) >= LAPTOP.font  # one line of text still fits a driver cell


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_token_ends_touching_the_station_its_hop_lights_by_the_link_from_the_last(path):
    scenario, trace = shipped(path)
    diagram = layout(scenario)
    colours = {g.id: i for i, g in enumerate(scenario.guests)}
    previous = {}
    for hop, move in zip(trace.hops, moves(diagram, trace.hops, colours), strict=True):
        station = diagram.stations[move.station]
        assert station is station_of(diagram, hop)
        box, r = station.box, LAPTOP.token_r
        # the token (radius r) on its rail overlaps the lit box
        assert box.x - r < move.x < box.right + r and box.y <= move.y <= box.bottom
        before = previous.get(hop.request)
        if before is None or before.station == move.station:
            assert move.path == ""
        else:
            start, end = path_ends(move.path)
            assert start == pytest.approx((before.x, before.y), abs=0.1)
            assert end == pytest.approx((move.x, move.y), abs=0.1)
        previous[hop.request] = move


def test_a_disk_read_runs_down_its_column_and_its_status_comes_up_to_the_guests_driver():
    scenario, trace = shipped(next(p for p in SCENARIOS if p.stem == "partitioned"))
    diagram = layout(scenario)
    colours = {g.id: i for i, g in enumerate(scenario.guests)}
    r1 = [(m.station, m.rail) for m in moves(diagram, trace.hops, colours) if m.request == "r1"]
    assert r1 == [
        ("app-vm1-disk0", "down"),
        ("drv-vm1-disk0", "down"),
        ("bus-disk0", "down"),
        ("model-disk0", "down"),
        ("map-disk0", "down"),
        ("hw-disk0", "down"),
        ("bus-disk0", "up"),  # the interrupt
        ("drv-vm1-disk0", "up"),  # the status reply: where the token is, is what is lit
    ]


def test_a_console_switch_lights_the_owner_table_of_the_device_it_re_plugs():
    scenario, trace = shipped(next(p for p in SCENARIOS if p.stem == "dedicated"))
    diagram = layout(scenario)
    switch = next(h for h in trace.hops if "owner_before" in h.detail)
    assert station_of(diagram, switch).id == f"map-{switch.detail['target']}"
    colours = {g.id: i for i, g in enumerate(scenario.guests)}
    move = moves(diagram, trace.hops, colours)[switch.seq]
    console, target = diagram.column(switch.device), diagram.column(switch.detail["target"])
    assert f"H{target.down_x:g}" in move.path and console.device != target.device


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_hops_changes_applied_in_order_give_the_machine_at_that_hop(path):
    scenario, trace = shipped(path)
    pieces = Pieces(scenario, trace, layout(scenario))
    state = dict(pieces.initial)
    for k, changed in enumerate(pieces.changes):
        state.update({p: v for p, v in changed.items() if not p.startswith("req-")})
        assert state == pieces.at(k)
        assert all(pid in pieces.initial or pid.startswith("req-") for pid in changed)


def test_the_pieces_are_folded_only_as_far_as_asked_and_alike_in_any_order(monkeypatch):
    """A stream's first hop needs the first hop's changes, not the whole trace folded (a
    class's streams, each on a session of its own, waited for whole folds); asked in any
    order, the pieces are the ones a whole fold gives."""
    scenario = mixed_scenario(150)
    trace = simulate(scenario, [], max_hops=None)
    diagram = layout(scenario)
    whole = Pieces(scenario, trace, diagram)
    expected = [(whole.changes[k], whole.at(k)) for k in range(len(trace.hops))]
    folded = []
    lazy = Pieces(scenario, trace, diagram)
    real = Pieces.advance
    monkeypatch.setattr(
        Pieces, "advance", lambda self, m, hop: folded.append(hop) or real(self, m, hop)
    )
    assert lazy.changed(0) == expected[0][0] and len(folded) == 1
    last = len(trace.hops) - 1
    for k in [40, 3, last, 700, 0, 2 * CHECKPOINT - 1, 2 * CHECKPOINT, 12]:
        k = min(k, last)
        assert (lazy.changed(k), lazy.at(k)) == expected[k]
    assert len(folded) == len(trace.hops)  # each hop folded once


def test_a_hops_changes_are_every_piece_that_differs_from_the_hop_before():
    """Each hop recomputes only the cells it can change; recomputing every cell of the
    machine after every hop must give the same pieces, on a mixed workload of every
    category with eight guests."""
    scenario = mixed_scenario(150)
    trace = simulate(scenario, [])
    pieces = Pieces(scenario, trace, layout(scenario))
    machine = pieces.fresh_machine()
    for hop in trace.hops:
        pieces.advance(machine, hop)
        everything = {}
        for device in scenario.devices:
            everything.update(pieces._column(machine, device.id))
        assert everything == pieces.at(hop.seq), hop


def test_the_mapping_table_shows_the_row_used_and_its_arithmetic_checked_by_hand():
    scenario, trace = shipped(next(p for p in SCENARIOS if p.stem == "partitioned"))
    pieces = Pieces(scenario, trace, layout(scenario))
    mapping = next(h for h in trace.hops if h.stage == "physical_mapping" and h.guest == "vm2")
    table = pieces.at(mapping.seq)["map-disk0"]
    partition = next(p for p in scenario.devices[0].partitions if p.guest == "vm2")
    assert table["lit"] == scenario.devices[0].partitions.index(partition)
    block = mapping.detail["virtual_block"]
    # vblock + the start of vm2's region is the physical block the table sends on
    assert (
        f"vblock {block} + start {partition.start} = pblock {block + partition.start}"
        in (table["arithmetic"])
    )
    assert pieces.at(mapping.seq - 1)["map-disk0"]["arithmetic"] != table["arithmetic"]


def test_a_requests_figures_appear_only_once_its_last_hop_has_played():
    scenario, trace = shipped(next(p for p in SCENARIOS if p.stem == "all-devices"))
    pieces = Pieces(scenario, trace, layout(scenario))
    record = trace.requests[0]
    hops = [h.seq for h in trace.hops if h.request == record.id]
    during = pieces.request_row(record.id, hops[-2])
    after = pieces.request_row(record.id, hops[-1])
    assert during["status"] == "in flight" and during["traps"] is None
    assert during["latency_us"] is None
    assert after["status"] == record.status and after["latency_us"] == record.latency_us
    assert pieces.changes[hops[0]][f"req-{record.id}"]["status"] == "in flight"
    assert pieces.changes[hops[-1]][f"req-{record.id}"]["traps"] == record.traps


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_an_applications_cell_marks_the_request_it_shows_with_that_requests_own_status(path):
    """A guest's application shows the request it issued last and, once that request's reply
    has played, its status: never the status of an earlier request answered later."""
    scenario, trace = shipped(path)
    pieces = Pieces(scenario, trace, layout(scenario))
    shown: dict[str, str] = {}  # station -> the request its application issued last
    replied: dict[str, str] = {}
    for hop in trace.hops:
        if hop.stage == "guest_app" and hop.guest is not None:
            shown[f"app-{hop.guest}-{hop.device}"] = hop.request
        if hop.stage == "status_reply":
            replied[hop.request] = str(hop.detail.get("status", ""))
        at = pieces.at(hop.seq)
        for station, request in shown.items():
            assert at[station]["status"] == replied.get(request, ""), (hop.seq, station)


def test_a_refused_request_stays_marked_refused_when_an_earlier_one_finishes_after_it():
    """In the partitioned machine vm3 reads blocks 100-103 and then asks to write past the end
    of its disk: the write is refused at once, the read ends later, and vm3's cell still
    shows the write and its refusal."""
    scenario, trace = shipped(next(p for p in SCENARIOS if p.stem == "partitioned"))
    pieces = Pieces(scenario, trace, layout(scenario))
    refused = next(r for r in trace.requests if r.status == "out_of_range")
    read = next(r for r in trace.requests if r.guest == "vm3" and r.status == "ok")
    replies = {h.request: h.seq for h in trace.hops if h.stage == "status_reply"}
    assert replies[refused.id] < replies[read.id]
    cell = pieces.at(len(trace.hops) - 1)["app-vm3-disk0"]
    assert cell["op"].startswith("write") and cell["status"] == "out_of_range"


def test_the_vnic_table_lights_the_rows_a_frame_goes_to_and_none_for_a_frame_dropped():
    """The shared NIC: a frame sent lights its sender's row, a broadcast every guest's, and a
    frame for an address no vNIC has lights none, the backend saying it has nothing to copy
    (not the last guest it copied to)."""
    scenario, trace = shipped(next(p for p in SCENARIOS if p.stem == "shared"))
    pieces = Pieces(scenario, trace, layout(scenario))
    mappings = [h for h in trace.hops if h.stage == "physical_mapping"]
    sent = next(h for h in mappings if "receivers" not in h.detail)
    broadcast = next(h for h in mappings if h.detail.get("matched_by") == "broadcast")
    dropped = next(h for h in mappings if h.detail.get("receivers") == [])
    assert pieces.at(sent.seq)["map-nic0"]["lit"] == [sent.detail["guest"]]
    assert pieces.at(broadcast.seq)["map-nic0"]["lit"] == [g.id for g in scenario.guests]
    assert pieces.at(dropped.seq)["map-nic0"]["lit"] == []
    assert pieces.at(dropped.seq)["model-nic0"]["note"] == "nothing to copy"
    assert pieces.at(len(trace.hops) - 1)["map-nic0"]["lit"] == []


@pytest.mark.parametrize("stem", ["passthrough", "disk-image"])
def test_a_device_of_one_guests_own_shows_in_that_guests_row_only(stem):
    """A function passed through or an image file is one guest's: the other guests' rows say
    they have none, rather than drawing the device in every row."""
    scenario, trace = shipped(next(p for p in SCENARIOS if p.stem == stem))
    at = Pieces(scenario, trace, layout(scenario)).at(0)
    owned = [d for d in scenario.devices if d.type in ("passthrough", "image")]
    assert owned
    for device in owned:
        for guest in scenario.guests:
            cell = at[f"drv-{guest.id}-{device.id}"]
            assert cell["mine"] == (guest.id == device.guest), (device.id, guest.id)


def test_a_disk_that_holds_image_files_names_them_instead_of_an_empty_table():
    scenario, trace = shipped(next(p for p in SCENARIOS if p.stem == "disk-image"))
    at = Pieces(scenario, trace, layout(scenario)).at(0)
    images = [d for d in scenario.devices if d.type == "image"]
    for disk in {i.disk for i in images}:
        table = at[f"map-{disk}"]
        assert table["rows"] == []
        assert table["files"] == [i.id for i in images if i.disk == disk]
        assert all(at[f"hw-{i.id}"]["type"] == f"file on {disk}" for i in images if i.disk == disk)


def test_the_vmm_spool_shows_each_file_as_the_spool_table_places_it():
    """The spool table's hop says whether a file goes to the printer next or waits behind
    others; the VMM spool's card says the same, then printing once the printer takes it."""
    scenario, trace = shipped(next(p for p in SCENARIOS if p.stem == "spooled"))
    pieces = Pieces(scenario, trace, layout(scenario))
    placed = [h for h in trace.hops if h.stage == "physical_mapping" and "ahead" in h.detail]
    taken = [h for h in trace.hops if h.stage == "physical_mapping" and "pages" in h.detail]
    assert placed and taken
    for hop, expected in [(h, "waiting" if h.detail["ahead"] else "next") for h in placed] + [
        (h, "printing") for h in taken
    ]:
        files = {f[0]: f[3] for f in pieces.at(hop.seq)["map-lp0"]["files"]}
        assert files[hop.detail["file"]] == expected, hop.seq
