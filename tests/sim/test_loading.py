import json
from pathlib import Path

import pytest
import yaml

from app.sim import ScenarioError, load_scenario, load_scenario_file, parse_item

from .helpers import DISK, GUESTS, build

ROOT = Path(__file__).resolve().parents[2]


def problems_of(**changes) -> list[str]:
    data = {"name": "t", "guests": GUESTS, "devices": [DISK], "workload": []}
    data.update(changes)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(yaml.safe_dump(data))
    return caught.value.problems


def test_load_the_shape_the_docs_show():
    scenario = load_scenario_file(ROOT / "scenarios" / "all-devices.yaml")
    assert scenario.level == "device_driver"
    assert [g.id for g in scenario.guests] == ["vm1", "vm2"]
    assert len(scenario.workload) == 10


def test_load_json_of_the_same_shape(tmp_path):
    data = yaml.safe_load((ROOT / "scenarios" / "all-devices.yaml").read_text())
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    assert load_scenario_file(path) == load_scenario_file(ROOT / "scenarios" / "all-devices.yaml")


def test_overlapping_partitions_name_the_partition_and_the_blocks():
    disk = dict(
        DISK,
        partitions=[
            {"guest": "vm1", "start": 0, "blocks": 4096},
            {"guest": "vm2", "start": 4000, "blocks": 100},
        ],
    )
    assert problems_of(devices=[{"id": "kbd0", "type": "keyboard"}, disk]) == [
        "devices[1].partitions[1]: overlaps partition of vm1 (blocks 0-4095)"
    ]


def test_partition_past_the_end_of_the_disk():
    disk = dict(
        DISK, blocks=4096 + 128, partitions=[{"guest": "vm1", "start": 4096, "blocks": 256}]
    )
    (problem,) = problems_of(devices=[disk])
    assert (
        problem
        == "devices[0].partitions[0]: blocks 4096-4351 reach past the end of disk0 (blocks 0-4223)"
    )


def test_unknown_key_is_named_with_its_path():
    guests = [dict(GUESTS[0], colour="red"), GUESTS[1]]
    assert problems_of(guests=guests) == ["guests[0]: unknown key 'colour'"]


def test_duplicate_ids_macs_and_ips_are_each_reported():
    twin = dict(GUESTS[0])
    problems = problems_of(guests=[GUESTS[0], twin])
    assert "guests[1].id: 'vm1' is a duplicate (first at guests[0])" in problems
    assert "guests[1].mac: '52:54:00:00:00:01' is a duplicate (first at guests[0])" in problems
    assert "guests[1].ip: '10.0.0.1' is a duplicate (first at guests[0])" in problems


def test_duplicate_device_ids():
    problems = problems_of(devices=[DISK, {"id": "disk0", "type": "nic"}])
    assert problems == ["devices[1].id: 'disk0' is a duplicate (first at devices[0])"]


def test_dedicated_device_owned_by_an_unknown_guest():
    (problem,) = problems_of(devices=[{"id": "kbd0", "type": "keyboard", "owner": "vm9"}])
    assert problem == "devices[0].owner: unknown guest 'vm9' (known: vm1, vm2)"


def test_workload_references_to_unknown_guests_and_devices():
    workload = [
        {"op": "disk_read", "guest": "vm7", "device": "disk0", "block": 1},
        {"op": "disk_read", "guest": "vm1", "device": "disk9", "block": 1},
    ]
    problems = problems_of(workload=workload)
    assert problems[0] == "workload[0].guest: unknown guest 'vm7' (known: vm1, vm2)"
    assert problems[1] == "workload[1].device: unknown device 'disk9' (known: disk0)"


def test_operation_on_the_wrong_kind_of_device():
    nic = {"id": "nic0", "type": "nic"}
    workload = [{"op": "disk_write", "guest": "vm1", "device": "nic0", "block": 1}]
    assert problems_of(devices=[DISK, nic], workload=workload) == [
        "workload[0].device: disk_write needs a disk or image, but nic0 is a nic"
    ]


def test_negative_and_absurd_numbers():
    workload = [
        {"op": "disk_read", "guest": "vm1", "device": "disk0", "block": -1},
        {"op": "disk_read", "guest": "vm1", "device": "disk0", "block": 1, "count": 100000},
    ]
    problems = problems_of(workload=workload)
    assert problems[0].startswith("workload[0].block: Input should be greater than or equal to 0")
    assert problems[1].startswith("workload[1].count: Input should be less than or equal to 256")


def test_more_than_16_guests():
    guests = [
        {"id": f"g{i}", "os": "linux", "mac": f"52:54:00:00:00:{i:02x}", "ip": f"10.0.0.{i}"}
        for i in range(1, 18)
    ]
    (problem,) = problems_of(guests=guests, devices=[])
    assert problem.startswith("guests: List should have at most 16 items")


def test_more_than_10000_workload_items():
    item = {"op": "disk_read", "guest": "vm1", "device": "disk0", "block": 1}
    (problem,) = problems_of(workload=[item] * 10_001)
    assert problem.startswith("workload: List should have at most 10000 items")


def test_unknown_device_type_lists_the_types():
    (problem,) = problems_of(devices=[{"id": "x", "type": "tape"}])
    assert problem.startswith("devices[0].type: unknown value 'tape'; expected one of 'keyboard'")


def test_bad_mac_and_ip():
    guests = [dict(GUESTS[0], mac="52:54:00:00:01", ip="10.0.0.300"), GUESTS[1]]
    problems = problems_of(guests=guests)
    assert problems[0].startswith("guests[0].mac: String should match pattern")
    assert problems[1] == "guests[0].ip: not an IPv4 address: '10.0.0.300'"


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("name: t\nguests: [\n  - {id: vm1\n")
    (problem,) = caught.value.problems
    assert problem.startswith("line ") and "not valid YAML" in problem


def test_a_list_is_not_a_scenario():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("- a\n- b\n")
    assert caught.value.problems == [
        "scenario: expected a mapping with name, guests, devices, workload; got list"
    ]


def test_every_problem_is_reported_at_once():
    disk = dict(DISK, partitions=[{"guest": "vm3", "start": 0, "blocks": 99999}])
    problems = problems_of(devices=[disk, {"id": "k", "type": "keyboard", "owner": "nobody"}])
    assert len(problems) == 3


def test_parse_item_checks_a_command_against_the_scenario():
    scenario = build([DISK])
    item = parse_item(scenario, {"op": "disk_read", "guest": "vm1", "device": "disk0", "block": 3})
    assert item.block == 3
    with pytest.raises(ScenarioError) as caught:
        parse_item(scenario, {"op": "disk_read", "guest": "vm1", "device": "disk0"})
    assert caught.value.problems == ["command: missing required key 'block'"]
