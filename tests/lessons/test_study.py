"""Studying a lesson alone: each step's hops, its question checked, the hop that shows why."""

from pathlib import Path

from app.lessons.compile import load_lesson, load_lessons
from app.lessons.study import check, study_step

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
WHY = load_lesson(SCENARIOS / "lessons" / "1-why-virtualize.yaml", SCENARIOS)


def test_steps_walk_the_lesson_in_order_without_gaps():
    shown = []
    for index in range(len(WHY.steps)):
        step = study_step(WHY, index)
        assert (step.index, step.total) == (index, len(WHY.steps))
        shown += [h.seq for h in step.hops]
    assert shown == list(range(len(shown)))
    assert study_step(WHY, 0).hops == [] and study_step(WHY, len(WHY.steps) - 1).last


def test_a_wrong_then_a_right_answer_and_the_hop_that_explains_it():
    step = study_step(WHY, 2)  # vm2's block 10, in the partition that starts at block 4096
    assert step.question is not None and step.answer == "4106"
    wrong = check(step, "10")
    assert not wrong.correct and wrong.refusal is None and wrong.expected == "4106"
    right = check(step, " 4,106 ")
    assert right.correct
    hop = step.answer_hop
    assert hop.stage == "physical_mapping" and hop.detail["physical_block"] == 4106
    assert right.explanation.startswith(
        f"The simulation shows it at hop {hop.seq} (physical mapping)"
    )
    assert right.explanation.endswith("physical block = 4106.")


def test_blank_and_not_a_number_are_refused_not_graded():
    step = study_step(WHY, 2)
    assert check(step, "  ").refusal == "Give an answer first."
    assert check(step, "abc").refusal == "'abc' is not a number."


def test_every_shipped_question_points_at_a_hop_of_its_step():
    for lesson in load_lessons(SCENARIOS / "lessons", SCENARIOS).values():
        for index, compiled in enumerate(lesson.steps):
            step = study_step(lesson, index)
            if compiled.question is None:
                continue
            assert step.answer_hop in step.hops, (lesson.name, index)
            if not compiled.question.answer_from.traps:
                field = compiled.question.answer_from.field
                assert str(step.answer_hop.detail[field]) == step.answer
            assert check(step, step.answer).correct
