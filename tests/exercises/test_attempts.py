"""A submission is refused whole while an answer is not one, and graded with each question's
settings once every answer is."""

import random
from pathlib import Path

from app.exercises.attempts import points_of, submit
from app.exercises.questions import chs, frame
from app.exercises.settings import QuestionSettings
from app.sim import load_scenario_file

ROOT = Path(__file__).resolve().parents[2]
ALL = load_scenario_file(ROOT / "scenarios" / "all-devices.yaml")
QUESTIONS = [chs(ALL, random.Random(1)), frame(ALL, random.Random(1))]


def form(chs_answer, receiver):
    fields = {f"q0.{k}": v for k, v in chs_answer.items()}
    return {**fields, "q1.receiver": receiver}


def test_not_answers_refuse_the_whole_submission_and_keep_what_was_typed():
    typed = {**QUESTIONS[0].answer, "head": "", "sector": "abc"}
    done = submit(QUESTIONS, form(typed, "vm1"), {})
    assert done.refused and done.results == []
    assert done.problems == {0: ["head: give an answer", "sector: 'abc' is not a number"]}
    assert done.answers["q0.sector"] == "abc" and done.answers["q1.receiver"] == "vm1"


def test_each_question_is_graded_with_its_settings():
    partly = {**QUESTIONS[0].answer, "sector": str(int(QUESTIONS[0].answer["sector"]) + 1)}
    settings = {"chs": QuestionSettings(points=4), "frame": QuestionSettings(points=2)}
    done = submit(QUESTIONS, form(partly, QUESTIONS[1].answer["receiver"]), settings)
    assert not done.refused
    assert points_of(done.results) == (3 + 2, 6)
    assert done.score == 5 / 6
