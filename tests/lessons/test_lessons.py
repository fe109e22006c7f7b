"""Lesson files: every shipped lesson parses and plays to its end; bad ones are named."""

from pathlib import Path

import pytest

from app.lessons.compile import compile_lesson, load_lessons
from app.sim import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def test_every_shipped_lesson_plays_to_its_end():
    lessons = load_lessons(SCENARIOS / "lessons", SCENARIOS)
    assert len(lessons) >= 12
    for name, lesson in lessons.items():
        shown = -1
        for step in lesson.steps:
            assert step.start == shown and step.end >= step.start, name
            shown = step.end
            if step.question is not None:
                assert step.answer not in (None, ""), name
        assert lesson.steps[-1].end <= len(lesson.trace.hops) - 1


def test_the_lessons_cover_the_syllabus():
    lessons = load_lessons(SCENARIOS / "lessons", SCENARIOS)
    scenarios = {lesson.lesson.scenario for lesson in lessons.values()}
    assert {
        "dedicated.yaml",
        "partitioned.yaml",
        "shared.yaml",
        "spooled.yaml",
        "virtual.yaml",
        "levels.yaml",
        "all-devices.yaml",
        "disk-image.yaml",
        "passthrough.yaml",
        "virtio-load.yaml",
    } <= scenarios
    levels = lessons["7-levels"]
    assert [s.answer for s in levels.steps if s.question] == ["9", "unknown_guest_os", "8001"]


def lesson_steps(name):
    lesson = load_lessons(SCENARIOS / "lessons", SCENARIOS)[name]
    return lesson, {step.title: step for step in lesson.steps}


def test_the_spooled_lesson_releases_the_guest_before_any_page_is_printed():
    lesson, steps = lesson_steps("5-spooled")
    spooled = steps["Two spool tables"]
    shown = lesson.trace.hops[spooled.start + 1 : spooled.end + 1]
    assert not [h for h in shown if h.stage == "physical_device"]
    assert shown[-1].stage == "status_reply" and shown[-1].detail["file"] == 1
    assert steps["A second guest prints"].answer == "2"  # its place in the VMM's spool table


def test_the_dedicated_lesson_reads_without_a_trap_and_keeps_input_across_a_switch():
    _, steps = lesson_steps("2-dedicated")
    assert steps["The application reads its own OS's queue"].answer == "0"
    assert steps["The other guest reads the keyboard"].answer == "ok"
    assert steps["A key that needs shift"].answer == "6"  # three scan-code bytes, two reads each
    assert steps["What was delivered stays delivered"].answer == "!"


def test_the_whole_machine_lesson_no_longer_loses_vm1s_key():
    lesson, steps = lesson_steps("8-whole-machine")
    last = lesson.trace.hops[steps["Ownership moves"].end]
    assert (last.stage, last.guest, last.detail["input"]) == ("status_reply", "vm1", "a")


def test_lessons_come_in_the_order_of_their_numbers():
    names = list(load_lessons(SCENARIOS / "lessons", SCENARIOS))
    assert names.index("9-disk-image") < names.index("10-passthrough")
    assert names.index("2-dedicated") < names.index("10-passthrough")


def test_the_image_and_passthrough_lessons_take_their_answers_from_the_simulation():
    lessons = load_lessons(SCENARIOS / "lessons", SCENARIOS)
    image = [s.answer for s in lessons["9-disk-image"].steps if s.question]
    # cylinder 12388 ÷ 128 = 96; a cluster never written: no file access; the data goes
    # to cluster 3 after the header, the L1 table and the new L2 table; then 1 and 2 accesses
    assert image == ["96", "0", "3", "1", "2"]
    passthrough = [s.answer for s in lessons["10-passthrough"].steps if s.question]
    # the interrupt's exit; posted: none; emulated e1000: TDT, ICR, IMS; the stray DMA
    assert passthrough == ["1", "0", "3", "iommu_fault"]


def test_the_virtio_and_bare_machine_lessons_take_their_answers_from_the_simulation():
    lessons = load_lessons(SCENARIOS / "lessons", SCENARIOS)
    # a lone frame notifies; the burst's first notifies; a frame while the backend polls: none
    assert [s.answer for s in lessons["11-virtio-load"].steps if s.question] == ["1", "1", "0"]
    burst = [r for r in lessons["11-virtio-load"].trace.requests if r.guest == "vm1"]
    assert sum(r.traps for r in burst) == 1
    # (1,500 + 38) × 8 ÷ 1,000 = 12.3 → 13 µs; e1000: TDT, ICR, IMS; ATA write: 9
    bare = lessons["12-bare-machine"]
    assert [s.answer for s in bare.steps if s.question] == ["13", "3", "9"]
    assert [r.overhead_us for r in bare.trace.requests] == [3, 16, 46]


def test_a_question_answer_comes_from_the_simulation():
    lesson = load_lessons(SCENARIOS / "lessons", SCENARIOS)["3-partitioned"]
    assert [s.answer for s in lesson.steps if s.question] == ["64", "out_of_range"]


def lesson(**step_changes):
    step = {"title": "t", "narration": "n", **step_changes}
    return {
        "title": "T",
        "summary": "S",
        "scenario": "partitioned.yaml",
        "use_workload": False,
        "steps": [step],
    }


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (lesson(narrative="x"), "steps[0]: unknown key 'narrative'"),
        (
            lesson(commands=[{"op": "disk_write", "guest": "vm9", "device": "disk0", "block": 1}]),
            "steps[0].commands[0].guest: unknown guest 'vm9'",
        ),
        (lesson(play="later"), "steps[0].play"),
        (
            {**lesson(), "scenario": "../secrets.yaml"},
            "scenario: no scenario file '../secrets.yaml'",
        ),
        (
            lesson(
                question={
                    "prompt": "?",
                    "kind": "number",
                    "answer_from": {"stage": "physical_mapping", "field": "cylinder"},
                }
            ),
            "steps[0].question: a question needs a command in its step",
        ),
        (
            lesson(
                commands=[{"op": "disk_write", "guest": "vm1", "device": "disk0", "block": 1}],
                question={
                    "prompt": "?",
                    "kind": "choice",
                    "choices": ["a"],
                    "answer_from": {"stage": "status_reply", "field": "status"},
                },
            ),
            "steps[0].question.choices: the simulated answer 'ok' is not among them",
        ),
    ],
)
def test_bad_lessons_are_refused_with_the_field_path(data, problem):
    with pytest.raises(ScenarioError) as caught:
        compile_lesson("bad", data, SCENARIOS)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_the_bare_machine_lessons_closing_figures_are_the_ones_it_played():
    # the disk write it played: rotation 2,519 + transfer 260 = 2,779 µs ≈ 2.8 ms; the frame 13 µs
    lesson = load_lessons(SCENARIOS / "lessons", SCENARIOS)["12-bare-machine"]
    (disk,) = [r for r in lesson.trace.requests if r.op == "disk_write"]
    (frame, *_) = [r for r in lesson.trace.requests if r.op == "net_send"]
    closing = " ".join(lesson.lesson.steps[-1].narration.split())
    assert f"against {disk.device_us / 1000:.1f} ms of disk" in closing
    assert f"against a {frame.device_us} µs frame" in closing
