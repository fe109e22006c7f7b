"""The templates read off a trace: each answer is what the simulation's own hops say
(read again here from ``simulate``) and what the rule stated in the prompt gives by
hand; each differs across variants, grades its own answer right and names the
misconception behind a wrong value it knows."""

import math
import random
import re
from collections import deque
from pathlib import Path

import pytest

from app.exercises.grading import grade
from app.exercises.questions import TEMPLATES, NotApplicable, applicable
from app.exercises.tracing import TRACING
from app.exercises.variants import variant_questions
from app.sim import load_scenario_file, parse_item, simulate
from app.sim.trace import STAGES

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {p.stem: load_scenario_file(p) for p in sorted((ROOT / "scenarios").glob("*.yaml"))}
SEEDS = range(12)


def replay(scenario, commands):
    """The question's commands on the scenario without its workload, as its session runs them."""
    bare = scenario.model_copy(update={"workload": []})
    return simulate(bare, [parse_item(bare, c) for c in commands])


def fitting(name):
    """(scenario name, scenario) for every shipped scenario the template fits."""
    return [(n, s) for n, s in SHIPPED.items() if name in applicable(s)]


def made(name):
    for scenario_name, scenario in fitting(name):
        for seed in SEEDS:
            yield scenario_name, scenario, TEMPLATES[name][1](scenario, random.Random(seed))


def test_every_template_fits_a_shipped_scenario_and_all_devices_fits_them_all():
    assert set(TRACING) <= set(TEMPLATES)
    assert set(TRACING) <= set(applicable(SHIPPED["all-devices"]))
    assert "keyboard_owner" not in applicable(SHIPPED["spooled"])
    assert "frame_touches_nic" not in applicable(SHIPPED["shared"])  # no virtual switch
    with pytest.raises(NotApplicable):
        TEMPLATES["disk_timing"][1](SHIPPED["shared"], random.Random(0))


def test_disk_timing_is_the_served_hop_and_the_model_the_prompt_states():
    for _, scenario, q in made("disk_timing"):
        trace = replay(scenario, q.commands)
        served = next(h for h in trace.hops if h.request == "r2" and h.stage == "physical_device")
        d = served.detail
        assert q.answer == {k: str(d[k]) for k in ("seek_us", "rotation_us", "transfer_us")}
        disk = scenario.device(q.commands[1]["device"])
        spt = disk.geometry.sectors_per_track
        cylinders = -(-disk.blocks // (disk.geometry.heads * spt))
        assert f"{cylinders:,} cylinders" in q.prompt and f"t = {served.t_us:,} µs" in q.prompt
        distance = abs(d["cylinder"] - d["from_cylinder"])
        seek = 500 + round(15_500 * math.sqrt(distance / (cylinders - 1))) if distance else 0
        t = served.t_us + seek
        # sector s starts (s − 1) × 8,333 ÷ spt µs into a turn; wait for it, rounded down
        rotation = math.floor(((d["sector"] - 1) * 8_333 / spt - t % 8_333) % 8_333 + 1e-9)
        transfer = round(d["count"] * 8_333 / spt)
        assert [int(q.answer[k]) for k in ("seek_us", "rotation_us", "transfer_us")] == [
            seek,
            rotation,
            transfer,
        ]


def test_wire_time_adds_each_frames_rounded_time_with_its_framing():
    for _, scenario, q in made("wire_time"):
        (command,) = q.commands
        frames = [h for h in replay(scenario, q.commands).hops if h.stage == "physical_device"]
        assert q.answer == {
            "frames": str(len(frames)),
            "wire_us": str(sum(h.detail["wire_us"] for h in frames)),
        }
        mbps = scenario.device(command["device"]).mbps
        full, rest = divmod(command["bytes"], 1500)
        sizes = [1500] * full + [rest] * bool(rest)
        assert int(q.answer["frames"]) == len(sizes)
        assert int(q.answer["wire_us"]) == sum(math.ceil((s + 38) * 8 / mbps) for s in sizes)


def test_wire_order_is_the_wire_s_own_and_takes_the_guests_in_turn():
    for _, scenario, q in made("wire_order"):
        nic = q.commands[0]["device"]
        on_wire = [
            h.guest
            for h in replay(scenario, q.commands).hops
            if h.stage == "physical_device" and h.device == nic
        ]
        assert q.answer == {"order": " ".join(on_wire)}
        # by hand: every send is waiting before the first frame is out, so the guests
        # send one frame each, in the order they asked, until each is done
        left = deque((c["guest"], -(-c["bytes"] // 1500)) for c in q.commands)
        turns = []
        while left:
            guest, frames = left.popleft()
            turns.append(guest)
            if frames > 1:
                left.append((guest, frames - 1))
        assert q.answer["order"] == " ".join(turns)


def test_keyboard_owner_is_the_owner_table_s_and_a_key_stays_with_its_guest():
    for _, scenario, q in made("keyboard_owner"):
        trace = replay(scenario, q.commands)
        kbd = q.commands[-1]["device"]
        owner = scenario.device(kbd).owner
        queues: dict[str, deque] = {}
        for command in q.commands[:-1]:
            if command["op"] == "switch_owner":
                owner = command["to"]
            elif owner is not None:
                queues.setdefault(owner, deque()).append(command["key"])
        reader = q.commands[-1]["guest"]
        expected = queues[reader][0] if queues.get(reader) else "nothing"
        assert q.answer == {"owner": owner, "reads": expected}
        reply = trace.hops_of(trace.requests[-1].id)[-1]
        assert (reply.detail["input"] or "nothing") == expected


def test_spool_at_is_the_trace_at_that_moment_and_the_queue_rule():
    for _, scenario, q in made("spool_at"):
        t = float(re.search(r"At t = ([\d.]+) s", q.prompt).group(1)) * 1e6
        trace = replay(scenario, q.commands)
        printed = [h for h in trace.hops if h.stage == "physical_device" and h.t_us <= t]
        assert int(q.answer["pages_out"]) == len(printed)
        # by hand: first come, first served, a page every 60 ÷ ppm seconds
        page = 60e6 / scenario.device(q.commands[0]["device"]).pages_per_minute
        free, printing, waiting, out = 0.0, "nothing", [], 0
        for c in q.commands:
            start = max(c["at_us"], free)
            free = start + c["pages"] * page
            if start <= t < free:
                printing = c["guest"]
            elif c["at_us"] <= t < start:
                waiting.append(c["guest"])
            out += min(c["pages"], max(0, int((t - start) // page)))
        assert q.answer == {
            "printing": printing,
            "waiting": " ".join(waiting) or "none",
            "pages_out": str(out),
        }


def test_frame_touches_nic_only_when_it_leaves_the_host():
    for _, scenario, q in made("frame_touches_nic"):
        (command,) = q.commands
        trace = replay(scenario, q.commands)
        touched = any(
            h.stage == "physical_device" and scenario.device(h.actor).type == "nic"
            for h in trace.hops
        )
        assert q.answer["touches_nic"] == ("yes" if touched else "no")
        device = scenario.device(command["device"])
        target = next((g.id for g in scenario.guests if g.ip == command["dst_ip"]), None)
        if device.type == "nic":
            assert q.answer == {"touches_nic": "yes", "receiver": "the outside network"}
        elif target in device.guests:
            assert q.answer == {"touches_nic": "no", "receiver": target}
        else:
            assert q.answer == {"touches_nic": "no", "receiver": "nobody (refused)"}


def test_order_stages_is_the_request_s_own_path_at_the_scenario_s_level():
    ops = set()
    for _, scenario, q in made("order_stages"):
        (command,) = q.commands
        ops.add(command["op"])
        assert command["level"] == scenario.level
        named = dict(re.findall(r"([A-H]): ([a-z ]+?)(?=, [A-H]:|\))", q.prompt))
        stage_of = {letter: name.replace(" ", "_") for letter, name in named.items()}
        assert set(stage_of.values()) <= set(STAGES)
        path = []
        for hop in replay(scenario, q.commands).hops_of("r1"):
            if hop.stage not in path:
                path.append(hop.stage)
        assert [stage_of[letter] for letter in q.answer["order"].split()] == path
        assert list(stage_of.values()) != path  # given shuffled, never in the answer's order
    assert {"key_press", "frame_arrives", "disk_write", "print"} <= ops


@pytest.mark.parametrize("name", list(TRACING))
def test_eight_variants_differ_on_every_scenario_the_template_fits(name):
    for scenario_name, scenario in fitting(name):
        seen = {
            (q.prompt, tuple(q.answer.items()))
            for v in range(8)
            for q in variant_questions(scenario, [name], "exercise", v)
        }
        assert len(seen) >= 2, (name, scenario_name)


def hops_named(text):
    """The hop numbers an explanation names ("hop 5", "hops 6–7", "hops 9, 12, 13")."""
    groups = re.findall(r"[Hh]ops? ([\d, –]+)", text)
    return {int(n) for group in groups for n in re.findall(r"\d+", group)}


@pytest.mark.parametrize("name", list(TRACING))
def test_the_answer_earns_full_marks_and_known_wrong_values_are_named(name):
    named = 0
    for _, scenario, q in made(name):
        assert -1 <= q.focus < len(replay(scenario, q.commands).hops)
        result = grade(q, q.answer)
        assert result.correct and result.earned == result.points
        assert q.focus == -1 or q.focus + 1 in hops_named(q.explanation)
        for field, wrongs in q.misconceptions.items():
            for value, label in wrongs.items():
                wrong = grade(q, {**q.answer, field: value})
                (graded,) = [f for f in wrong.fields if f.name == field]
                assert not graded.correct and graded.misconception == label
                named += 1
    assert named, f"{name}: no variant names a misconception"


def test_a_key_that_stayed_with_its_guest_is_told_apart_from_one_that_followed():
    for seed in range(40):
        q = TEMPLATES["keyboard_owner"][1](SHIPPED["all-devices"], random.Random(seed))
        if q.answer["reads"] != "nothing" and q.commands[-1]["guest"] != q.answer["owner"]:
            result = grade(q, {**q.answer, "reads": "nothing"})
            assert result.fields[1].misconception.startswith("input taken to follow")
            return
    raise AssertionError("no variant where the reader keeps a key after losing the keyboard")
