"""Grading per field, refusing non-answers, and naming the misconception behind a wrong one."""

import random
from pathlib import Path

from app.exercises.grading import grade, refusals, score, tolerance_note
from app.exercises.misconceptions import (
    LIFO,
    PARTITION_START,
    SECTOR_FROM_0,
    SIDE_BY_SIDE,
)
from app.exercises.questions import TEMPLATES, NotApplicable, chs, print_order, status, traps
from app.exercises.settings import QuestionSettings, load_settings, parse_settings
from app.sim import load_scenario_file

ROOT = Path(__file__).resolve().parents[2]
ALL = load_scenario_file(ROOT / "scenarios" / "all-devices.yaml")
PARTITIONED = load_scenario_file(ROOT / "scenarios" / "partitioned.yaml")


def a_chs_question():
    """A C/H/S question on a partition that does not start at block 0."""
    for seed in range(50):
        question = chs(PARTITIONED, random.Random(seed))
        guest = question.commands[0]["guest"]
        start = next(row["start"] for row in question.table if row["guest"] == guest)
        if start:
            return question, start
    raise AssertionError("no partition starts past block 0")


def test_three_of_four_chs_fields_right_earns_three_quarters_of_the_points():
    question, _ = a_chs_question()
    answer = {**question.answer, "sector": str(int(question.answer["sector"]) + 1)}
    result = grade(question, answer, QuestionSettings(points=4))
    assert not result.correct
    assert [f.correct for f in result.fields] == [True, True, True, False]
    assert result.earned == 3.0 and result.points == 4


def test_all_or_nothing_when_the_instructor_says_so():
    question, _ = a_chs_question()
    answer = {**question.answer, "sector": "999"}
    assert grade(question, answer, QuestionSettings(points=4, partial=False)).earned == 0
    assert grade(question, question.answer, QuestionSettings(points=4, partial=False)).earned == 4


def test_score_is_points_earned_over_points_possible():
    question, _ = a_chs_question()
    half = {**question.answer, "head": "77", "sector": "99"}
    results = [
        grade(question, half, QuestionSettings(points=2)),  # 1 of 2
        grade(question, question.answer, QuestionSettings(points=1)),  # 1 of 1
    ]
    assert score(results) == 2 / 3


def test_blank_and_not_a_number_are_refused_with_a_message_before_grading():
    question, _ = a_chs_question()
    answers = {**question.answer, "cylinder": "", "head": "abc", "sector": " 1,0 "}
    assert refusals(question, answers) == [
        "cylinder: give an answer",
        "head: 'abc' is not a number",
    ]
    assert refusals(question, question.answer) == []
    frame_question = TEMPLATES["frame"][1](ALL, random.Random(0))
    assert refusals(frame_question, {"receiver": "vm9"}) == [
        "receiver: pick one of " + ", ".join(frame_question.fields[0].choices)
    ]


def test_tolerance_is_stated_and_an_instructor_can_widen_it():
    question = print_order(ALL, random.Random(1))
    expected = "How close a number must be: last page out at (s) within ±0.01."
    assert tolerance_note(question) == expected
    late = {**question.answer, "last_page_s": str(float(question.answer["last_page_s"]) + 0.4)}
    assert not grade(question, late).fields[1].correct
    assert grade(question, late, QuestionSettings(tolerance=0.5)).fields[1].correct
    trap_question = traps(ALL, random.Random(0))
    assert tolerance_note(trap_question) == "Numbers must be exact."
    widened = QuestionSettings(tolerance=2)
    assert tolerance_note(trap_question, widened) == (
        "How close a number must be: I/O operation within ±2; device driver within ±2; "
        "system call within ±2."
    )


def test_chs_wrong_answers_name_the_misconception():
    question, start = a_chs_question()
    command = question.commands[0]
    assert command["block"] + start == int(question.answer["physical_block"])
    from_zero = {**question.answer, "sector": str(int(question.answer["sector"]) - 1)}
    assert grade(question, from_zero).fields[3].misconception == SECTOR_FROM_0
    no_start = {**question.answer, "physical_block": str(command["block"])}
    assert grade(question, no_start).fields[0].misconception == PARTITION_START
    unknown = {**question.answer, "physical_block": str(10**9)}
    assert grade(question, unknown).fields[0].misconception is None


def test_print_and_status_wrong_answers_name_the_misconception():
    question = print_order(ALL, random.Random(1))
    guests = [c["guest"] for c in question.commands]
    page_s = 2.0  # the shipped printer prints 30 pages a minute
    side = max(c["at_us"] / 1e6 + c["pages"] * page_s for c in question.commands)
    answer = {"order": " ".join(reversed(guests)), "last_page_s": f"{side:.3f}"}
    tags = [f.misconception for f in grade(question, answer).fields]
    assert tags == [LIFO, SIDE_BY_SIDE]
    for seed in range(60):
        question = status(ALL, random.Random(seed))
        if question.answer["status"] == "out_of_range":
            tag = grade(question, {"status": "ok"}).fields[0].misconception
            assert tag is not None and "bounds" in tag
            return
    raise AssertionError("no out-of-range case")


def test_a_right_answer_is_never_tagged():
    for name, (_, make) in TEMPLATES.items():
        for seed in range(10):
            try:
                question = make(ALL, random.Random(seed))
            except NotApplicable:
                break
            for field, wrongs in question.misconceptions.items():
                assert question.answer[field] not in wrongs, name


def test_settings_are_read_from_the_form_and_bad_ones_named():
    problems: list[str] = []
    form = {"points.chs": "4", "tolerance.chs": "", "partial.chs": "off", "points.traps": "x"}
    chosen = parse_settings(form, ["chs", "traps"], problems)
    assert chosen["chs"] == QuestionSettings(points=4, tolerance=None, partial=False)
    assert chosen["traps"] == QuestionSettings()
    assert problems == ["traps: points: not a number: 'x'"]
    assert load_settings(None) == {}
