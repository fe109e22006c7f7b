"""The concept templates: classify devices, pick levels, true/false. Their answers agree
with the core where the core can tell, and every wrong choice names what it reveals."""

import random
from pathlib import Path

import pytest

from app.exercises.concepts import CONCEPTS
from app.exercises.device_kinds import CATEGORY_SHOWN, DEVICES, KINDS
from app.exercises.grading import grade, score
from app.exercises.level_needs import EMULATED_DRIVER, GUESTS, KNOWN_OS, VMM_DRIVER, needs_of
from app.exercises.questions import TEMPLATES, applicable
from app.exercises.statements import IDEAS
from app.exercises.variants import variant_questions
from app.sim import LEVELS, load_scenario, load_scenario_file, simulate
from app.sim.interception import INTERCEPTION
from app.sim.scenario import CATEGORY_OF_TYPE

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {p.stem: load_scenario_file(p) for p in sorted((ROOT / "scenarios").glob("*.yaml"))}
ALL = SHIPPED["all-devices"]
# A machine with nothing to show on: the concept questions still fit it.
EMPTY = load_scenario(
    "name: bare\nguests: [{id: vm1, os: linux, mac: '52:54:00:00:00:01', ip: 10.0.0.1}]\n"
)


@pytest.mark.parametrize("name", list(CONCEPTS))
@pytest.mark.parametrize("scenario", [ALL, EMPTY], ids=["all-devices", "no devices"])
def test_eight_seeds_give_different_questions_on_any_scenario(name, scenario):
    assert name in TEMPLATES and name in applicable(scenario)
    made = {
        (q.prompt, repr(q.table), tuple(q.answer.items()))
        for v in range(8)
        for q in variant_questions(scenario, [name], "exercise", v)
    }
    assert len(made) >= 2
    answers = {
        tuple(q.answer.items())
        for v in range(8)
        for q in variant_questions(scenario, [name], "exercise", v)
    }
    assert len(answers) >= 2  # not the same key with other words


@pytest.mark.parametrize("name", list(CONCEPTS))
def test_right_answers_grade_full_and_each_wrong_choice_names_its_misconception(name):
    make = TEMPLATES[name][1]
    for seed in range(12):
        question = make(ALL, random.Random(seed))
        assert question.stage and question.explanation
        right = grade(question, question.answer)
        assert right.correct and score([right]) == 1.0
        for f in question.fields:
            wrong_choices = [c for c in f.choices if c != question.answer[f.name]]
            assert set(question.misconceptions[f.name]) == set(wrong_choices), f.name
            for choice in wrong_choices:
                result = grade(question, {**question.answer, f.name: choice})
                (marked,) = [r for r in result.fields if r.name == f.name]
                assert not marked.correct
                assert marked.misconception == question.misconceptions[f.name][choice]
                assert result.earned == pytest.approx(1 - 1 / len(question.fields), abs=1e-4)


def test_a_classified_device_the_core_models_gets_the_cores_category():
    core_type = {
        ("keyboard", "dedicated"): "keyboard",
        ("mouse", "dedicated"): "mouse",
        ("hard_disk", "partitioned"): "disk",
        ("nic", "shared"): "nic",
        ("printer", "spooled"): "printer",
        ("virtual_switch", "virtual"): "vswitch",
        ("console_switch", "virtual"): "console_switch",
        ("nic", "passthrough"): "passthrough",
    }
    checked = set()
    for kind in DEVICES:
        for setup in kind.setups:
            assert setup.category in KINDS and setup.assume and setup.reason
            core = core_type.get((kind.name, setup.category))
            if core:
                modern = "passthrough" if core == "passthrough" else None
                assert setup.category == (modern or CATEGORY_OF_TYPE[core])
                checked.add(core)
    assert checked == set(core_type.values())
    categories = {s.category for k in DEVICES for s in k.setups}
    assert categories == set(KINDS)  # every choice is the right one somewhere


def test_the_classify_question_names_every_choice_and_can_show_each_at_work():
    question = TEMPLATES["classify_device"][1](ALL, random.Random(0))
    for kind in KINDS:
        assert kind in question.prompt, kind
        # some shipped machine has a device whose request the trace opens on
        make, what = CATEGORY_SHOWN[kind]
        shown_on = [(s, shown) for s in SHIPPED.values() if (shown := make(s)) is not None]
        assert shown_on, kind
        scenario, shown = shown_on[0]
        _, focus = shown.run(scenario)
        assert what and focus >= 0


def test_a_device_that_could_go_two_ways_states_the_assumption_that_decides():
    seen_two_ways = set()
    for seed in range(60):
        question = TEMPLATES["classify_device"][1](ALL, random.Random(seed))
        for row, f in zip(question.table, question.fields, strict=True):
            assert row["device"] == f.label and row["assume"]
            kind = next(k for k in DEVICES if k.name == f.name)
            if len({s.category for s in kind.setups}) > 1:
                seen_two_ways.add(f.name)
                setup = next(s for s in kind.setups if s.assume == row["assume"])
                assert question.answer[f.name] == setup.category
    assert {"gpu", "nic", "serial_console", "sound_card"} <= seen_two_ways


def _levels_trace(level):
    scenario = load_scenario(
        "name: one\nvmm: {knows_os: [linux]}\n"
        "guests: [{id: vm1, os: linux, mac: '52:54:00:00:00:01', ip: 10.0.0.1}]\n"
        "devices: [{id: disk0, type: disk, blocks: 1024, partitions: "
        "[{guest: vm1, start: 0, blocks: 512}]}]\n"
    )
    from app.exercises.question import run_commands

    read = {"at_us": 0, "op": "disk_read", "guest": "vm1", "device": "disk0", "block": 1}
    return run_commands(scenario, [{**read, "level": level}])


def test_what_each_level_needs_is_what_its_trace_shows():
    for level in LEVELS:
        trace = _levels_trace(level)
        traps = [h for h in trace.hops if h.stage == "vmm_trap"]
        driver_runs = any(h.stage == "guest_driver" for h in trace.hops)
        needs = needs_of(INTERCEPTION[level])
        # register accesses of the guest's own driver exit: it needs a driver for the device
        assert (EMULATED_DRIVER in needs) == all("port" in h.detail for h in traps)
        # the driver runs but hands the whole request over in one call: the VMM's driver
        assert (VMM_DRIVER in needs) == (driver_runs and any("call" in h.detail for h in traps))
        # no driver: the VMM read the system call, which it can only for an OS it knows
        assert (KNOWN_OS in needs) == (not driver_runs and traps[0].detail["syscall"] != "")


def test_pick_levels_system_call_answer_is_what_the_simulation_does_with_that_os():
    template = TEMPLATES["pick_levels"][1]
    asked = set()
    for seed in range(60):
        question = template(ALL, random.Random(seed))
        guest = next(g for g in GUESTS if g.describe in question.prompt)
        asked.add(guest.describe)
        os = "linux" if guest.known_os else "acmeos"
        scenario = load_scenario(
            f"name: one\nvmm: {{knows_os: [linux]}}\n"
            f"guests: [{{id: vm1, os: {os}, mac: '52:54:00:00:00:01', ip: 10.0.0.1}}]\n"
            "devices: [{id: nic0, type: nic}]\n"
        )
        from app.exercises.question import run_commands

        send = {"at_us": 0, "op": "net_send", "guest": "vm1", "device": "nic0"}
        (record,) = run_commands(
            scenario, [{**send, "dst_ip": "192.0.2.7", "bytes": 100, "level": "system_call"}]
        ).requests
        assert question.answer["system_call"] == ("yes" if record.status == "ok" else "no")
        # the trace the student watches is a guest of this machine in the same case
        (command,) = question.commands
        os_here = next(g.os for g in ALL.guests if g.id == command["guest"])
        assert (os_here in ALL.vmm.knows_os) == guest.known_os
        assert question.focus >= 0
    assert len(asked) >= 6
    answers = {
        tuple(TEMPLATES["pick_levels"][1](ALL, random.Random(s)).answer.values()) for s in range(60)
    }
    assert len(answers) >= 5


def _statements():
    return [(idea.key, i, s) for idea in IDEAS for i, s in enumerate(idea.ways)]


def _nic_ids(scenario):
    return {d.id for d in scenario.devices if d.type in ("nic", "passthrough")}


def _first(trace, request, stage):
    return next(h for h in trace.hops if h.request == request and h.stage == stage)


def _pages(trace):
    return [h.guest for h in trace.hops if h.stage == "physical_device"]


def _runs(guests):
    return [g for i, g in enumerate(guests) if i == 0 or guests[i - 1] != g]


# Whether a statement holds, read from the trace of the request that shows it.
HOLDS = {
    ("dedicated_vmm", 0): lambda t, s, sc: not any(h.actor == "vmm" for h in t.hops),
    ("dedicated_vmm", 1): lambda t, s, sc: (
        _first(t, "r1", "physical_mapping").actor == "vmm"
        and {h.actor for h in t.hops if h.stage == "guest_driver"}
        == {_first(t, "r1", "physical_mapping").detail["owner"]}
    ),
    ("virtual_blocks", 0): lambda t, s, sc: (
        _first(t, "r1", "physical_mapping").detail["physical_block"] == s.commands[0]["block"]
    ),
    ("whole_jobs", 0): lambda t, s, sc: len(_runs(_pages(t))) > len(set(_pages(t))),
    ("whole_jobs", 1): lambda t, s, sc: len(_runs(_pages(t))) == len(set(_pages(t))) == 2,
    ("vswitch", 0): lambda t, s, sc: any(h.actor in _nic_ids(sc) for h in t.hops),
    ("vswitch", 1): lambda t, s, sc: not any(h.actor in _nic_ids(sc) for h in t.hops),
    ("trap_count", 0): lambda t, s, sc: t.requests[0].traps < 20,
    ("syscall_level", 0): lambda t, s, sc: t.requests[0].status == "ok",
    ("paravirtual_exits", 0): lambda t, s, sc: t.requests[0].traps == 0,
    ("paravirtual_exits", 1): lambda t, s, sc: all(r.traps == 1 for r in t.requests),
    ("paravirtual_exits", 2): lambda t, s, sc: sum(r.traps for r in t.requests) < len(t.requests),
    ("passthrough_path", 0): lambda t, s, sc: any(
        h.actor == "vmm"
        for h in t.hops[: _first(t, "r1", "physical_device").seq]
        if h.request == "r1"
    ),
    ("sector_time", 0): lambda t, s, sc: _first(t, "r2", "physical_device").detail["service_us"]
    == 0,
    ("demultiplex", 0): lambda t, s, sc: len(
        _first(t, "r1", "physical_mapping").detail["receivers"]
    )
    == len(sc.guests),
    ("demultiplex", 1): lambda t, s, sc: len(
        _first(t, "r1", "physical_mapping").detail["receivers"]
    )
    == len(sc.guests),
    ("demultiplex", 2): lambda t, s, sc: (
        _first(t, "r1", "physical_mapping").detail["receivers"] == []
        and t.requests[0].status == "dropped"
    ),
    # a function call is a few nanoseconds; the model's exit is whole microseconds
    ("exit_cost", 0): lambda t, s, sc: _first(t, "r1", "vmm_trap").detail["cost_us"] < 0.01,
    ("bounds", 0): lambda t, s, sc: (
        t.requests[0].status == "out_of_range"
        and not any(h.stage == "physical_device" for h in t.hops)
    ),
    ("iommu", 0): lambda t, s, sc: (
        t.requests[0].status == "iommu_fault"
        and not any(h.stage == "physical_device" for h in t.hops)
    ),
    ("unwritten_cluster", 0): lambda t, s, sc: (
        t.requests[0].status == "ok"
        and t.requests[0].device_us == 0
        and not any(h.stage == "physical_device" for h in t.hops)
    ),
    ("rebuild", 0): lambda t, s, sc: all(
        "port" in h.detail for h in t.hops if h.stage == "vmm_trap"
    ),
}
UNCHECKABLE = {("migration", 0)}  # the core has no live migration


def test_every_statement_agrees_with_the_simulation_where_it_shows_it():
    for key, index, statement in _statements():
        if (key, index) in UNCHECKABLE or statement.show is None:
            continue
        holds = HOLDS[(key, index)]
        shown_somewhere = False
        for scenario in SHIPPED.values():
            shown = statement.show(scenario)
            if shown is None:
                continue
            shown_somewhere = True
            trace, focus = shown.run(scenario)
            assert trace.hops[focus].request == shown.request, (key, index)
            assert holds(trace, shown, scenario) == statement.true, (key, index, scenario.name)
        assert shown_somewhere, (key, index)


def test_every_statement_the_core_can_check_is_checked():
    unchecked = [
        (key, index)
        for key, index, s in _statements()
        if (key, index) not in HOLDS and (key, index) not in UNCHECKABLE
    ]
    assert unchecked == [("bare_machine", 0)]  # checked on the bare machine, below


def test_on_the_bare_machine_no_request_traps():
    (statement,) = next(i for i in IDEAS if i.key == "bare_machine").ways
    for scenario in (ALL, SHIPPED["levels"], SHIPPED["passthrough"]):
        native = simulate(scenario, native=True)
        assert native.requests
        assert all(r.traps == 0 for r in native.requests) == statement.true


def test_true_false_draws_statements_both_ways_and_shows_one_in_a_trace():
    template = TEMPLATES["true_false"][1]
    truths, shown = set(), 0
    for seed in range(30):
        question = template(ALL, random.Random(seed))
        assert len(question.fields) == len(question.table) == 4
        truths |= set(question.answer.values())
        if question.commands:
            shown += 1
            assert question.focus >= 0 and "The trace shows statement" in question.explanation
    assert truths == {"true", "false"}
    assert shown == 30  # all-devices has a device for nearly every idea


def test_a_concept_question_on_a_machine_without_the_device_has_no_trace_to_watch():
    for name in CONCEPTS:
        for seed in range(8):
            question = TEMPLATES[name][1](EMPTY, random.Random(seed))
            assert question.commands == [] and question.focus == -1
            assert grade(question, question.answer).correct
