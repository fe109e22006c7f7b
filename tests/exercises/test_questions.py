"""Every template's answer agrees with the rule it teaches and with the core."""

import random
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.exercises.grading import grade
from app.exercises.questions import (
    TEMPLATES,
    NotApplicable,
    applicable,
    chs,
    frame,
    next_hop,
    print_order,
    status,
    traps,
)
from app.exercises.variants import variant_questions
from app.sim import load_scenario_file, simulate

from ..sim.test_properties import scenarios

ROOT = Path(__file__).resolve().parents[2]
ALL = load_scenario_file(ROOT / "scenarios" / "all-devices.yaml")
PARTITIONED = load_scenario_file(ROOT / "scenarios" / "partitioned.yaml")
SCENARIO_OF = {
    "qcow2_alloc": load_scenario_file(ROOT / "scenarios" / "disk-image.yaml"),
    "iommu_dma": load_scenario_file(ROOT / "scenarios" / "passthrough.yaml"),
}


def hand_chs(scenario, question):
    (command,) = question.commands
    disk = next(d for d in scenario.devices if d.id == command["device"])
    part = next(p for p in disk.partitions if p.guest == command["guest"])
    pb = part.start + command["block"]
    heads, spt = disk.geometry.heads, disk.geometry.sectors_per_track
    return {
        "physical_block": str(pb),
        "cylinder": str(pb // (heads * spt)),
        "head": str((pb // spt) % heads),
        "sector": str(pb % spt + 1),
    }


def test_chs_answers_follow_the_arithmetic():
    for seed in range(20):
        question = chs(PARTITIONED, random.Random(seed))
        assert question.answer == hand_chs(PARTITIONED, question)


def test_frame_answers_follow_the_vnic_table():
    macs = {g.mac: g.id for g in ALL.guests}
    for seed in range(20):
        question = frame(ALL, random.Random(seed))
        mac = question.commands[0]["dst_mac"]
        expected = "every guest" if mac == "ff:ff:ff:ff:ff:ff" else macs.get(mac, "dropped")
        assert question.answer == {"receiver": expected}


def test_print_order_is_arrival_order_and_the_last_page_time_adds_up():
    for seed in range(10):
        question = print_order(ALL, random.Random(seed))
        guests = [c["guest"] for c in question.commands]
        pages = sum(c["pages"] for c in question.commands)
        assert question.answer["order"] == " ".join(guests)
        assert float(question.answer["last_page_s"]) == round((2 + pages * 2_000_000) / 1e6, 3)


def hand_traps(command):
    """The I/O-operation level's traps counted from the register sequences the prompt states."""
    op = command["op"]
    if op == "disk_write":
        return 6 + 1 + command["count"] + 1
    if op == "disk_read":
        return 6 + 1 + command["count"]
    if op == "net_send":
        return -(-command["bytes"] // 1500) + 2
    return 4 * 2000 * command["pages"] + 1


def test_trap_counts_per_level_follow_the_stated_register_sequences():
    ops = set()
    for seed in range(40):
        question = traps(ALL, random.Random(seed))
        (command,) = question.commands
        ops.add(command["op"])
        assert question.answer == {
            "io_operation": str(hand_traps(command)),
            "device_driver": "1",
            "system_call": "1",
        }
    assert ops == {"disk_write", "disk_read", "net_send", "print"}


def test_the_traps_question_differs_by_variant_and_states_what_it_assumes():
    made = [traps(ALL, random.Random(seed)) for seed in range(8)]
    assert len({q.prompt for q in made}) >= 5
    assert len({q.answer["io_operation"] for q in made}) >= 4
    for q in made:
        assumes = {
            "disk_write": "per 512-byte block",
            "disk_read": "per 512-byte block",
            "net_send": "once per frame of at most 1,500 bytes",
            "print": "2,000 bytes a page, 4 register accesses a byte",
        }[q.commands[0]["op"]]
        assert assumes in q.prompt


def test_every_template_varies_across_variants():
    shipped = [load_scenario_file(p) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    for name in TEMPLATES:
        scenario = next(s for s in shipped if name in applicable(s))
        made = {
            (q.prompt, tuple(q.answer.items()))
            for v in range(8)
            for q in variant_questions(scenario, [name], "exercise", v)
        }
        assert len(made) >= 3, name


def test_status_answers_cover_the_refusals():
    answers = {status(ALL, random.Random(seed)).answer["status"] for seed in range(60)}
    assert {"ok", "out_of_range", "unknown_guest_os"} <= answers


def test_a_guest_reading_a_keyboard_it_does_not_own_is_not_refused():
    for seed in range(60):
        question = status(ALL, random.Random(seed))
        if question.commands[0]["op"] == "key_read":
            assert question.answer == {"status": "ok"}
            assert "not_owner" not in question.fields[0].choices
            return
    raise AssertionError("no key_read case among 60 variants")


def test_next_hop_is_the_next_hop_of_the_same_request():
    hops = simulate(ALL).hops
    for seed in range(10):
        question = next_hop(ALL, random.Random(seed))
        k = question.focus - 1
        assert hops[k + 1].request == hops[k].request
        assert question.answer == {"stage": hops[k + 1].stage}


def test_a_right_answer_grades_right_and_a_changed_one_wrong():
    for name, (_, make) in TEMPLATES.items():
        question = make(SCENARIO_OF.get(name, ALL), random.Random(3))
        assert grade(question, question.answer).correct, name
        first = question.fields[0].name
        wrong = {**question.answer, first: question.answer[first] + "9"}
        assert not grade(question, wrong).correct, name


def test_seconds_are_read_to_the_hundredth_and_words_in_any_case():
    question = print_order(ALL, random.Random(1))
    answer = dict(question.answer)
    answer["last_page_s"] = str(float(answer["last_page_s"]) + 0.004)
    answer["order"] = answer["order"].upper().replace(" ", ", ")
    assert grade(question, answer).correct


@given(scenarios(), st.integers(0, 10_000))
def test_on_generated_scenarios_every_template_agrees_with_its_trace(scenario, seed):
    for name, (_, make) in TEMPLATES.items():
        try:
            question = make(scenario, random.Random(seed))
        except NotApplicable:
            continue
        assert grade(question, question.answer).correct
        if name == "chs":
            assert question.answer == hand_chs(scenario, question)
        if name in HAND:
            assert question.answer == HAND[name](scenario, question), name
        if name == "frame":
            mac = question.commands[0]["dst_mac"]
            owners = {g.mac: g.id for g in scenario.guests}
            expected = "every guest" if mac == "ff:ff:ff:ff:ff:ff" else owners.get(mac, "dropped")
            assert question.answer["receiver"] == expected


def hand_qcow2(scenario, question):
    """Allocation by the rule in the prompt: clusters 0 and 1 taken, then in order."""
    image = next(d for d in scenario.devices if d.id == question.commands[0]["device"])
    entries = image.cluster_blocks * 512 // 8
    tables, data, end, accesses = {}, {}, 2, 0
    for command in question.commands:
        cluster = command["block"] // image.cluster_blocks
        accesses = 1
        if cluster not in data:
            accesses = 2
            if cluster // entries not in tables:
                tables[cluster // entries], end, accesses = end, end + 1, 4
            data[cluster], end = end, end + 1
    return {"data_cluster": str(data[cluster]), "file_accesses": str(accesses)}


def hand_iommu(scenario, question):
    (command,) = question.commands
    device = next(d for d in scenario.devices if d.id == command["device"])
    start, end = command["buffer"], command["buffer"] + command["bytes"]
    for region in device.memory:
        if region.gpa <= start < region.gpa + region.bytes:
            if end <= region.gpa + region.bytes:
                return {"status": "ok", "address": f"0x{region.hpa + start - region.gpa:X}"}
            return {"status": "iommu_fault", "address": f"0x{region.gpa + region.bytes:X}"}
    return {"status": "iommu_fault", "address": f"0x{start:X}"}


def hand_overhead(scenario, question):
    (command,) = question.commands
    nic = next(d for d in scenario.devices if d.id == command["device"])
    # e1000: tail write, cause and mask reads, 5 µs each; virtio: one 2 µs notify; +1 µs inject
    added = 3 * 5 + 1 if command["level"] == "io_operation" else 2 + 1
    wire = -(-(command["bytes"] + 38) * 8 // nic.mbps)
    return {"overhead_us": str(added), "native_us": str(wire)}


HAND = {"qcow2_alloc": hand_qcow2, "iommu_dma": hand_iommu, "overhead": hand_overhead}


def test_the_modern_templates_differ_across_variants():
    for name in ("qcow2_alloc", "iommu_dma", "overhead"):
        scenario = SCENARIO_OF.get(name, ALL)
        prompts = {TEMPLATES[name][1](scenario, random.Random(seed)).prompt for seed in range(8)}
        assert len(prompts) > 1, name
