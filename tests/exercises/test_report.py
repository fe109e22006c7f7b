"""The results CSV carries every answer and every field's score, and no formula."""

import csv
import io
import random
from datetime import UTC, datetime
from pathlib import Path

from app.exercises.grading import grade, score
from app.exercises.misconceptions import SECTOR_FROM_0
from app.exercises.questions import chs, status
from app.exercises.report import AttemptView, neutralise, results_rows, summarize, to_csv
from app.exercises.settings import QuestionSettings
from app.sim import load_scenario_file

ROOT = Path(__file__).resolve().parents[2]
PARTITIONED = load_scenario_file(ROOT / "scenarios" / "partitioned.yaml")
AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def attempt(alias, answers_for, seed=1):
    questions = [chs(PARTITIONED, random.Random(seed)), status(PARTITIONED, random.Random(seed))]
    settings = [QuestionSettings(points=4), QuestionSettings(points=1)]
    results = [grade(q, answers_for(q), s) for q, s in zip(questions, settings, strict=True)]
    return AttemptView(alias, score(results), AT, [r.to_dict() for r in results])


def right(question):
    return question.answer


def sector_from_zero(question):
    if question.template != "chs":
        return {"status": "dropped" if question.answer["status"] != "dropped" else "ok"}
    return {**question.answer, "sector": str(int(question.answer["sector"]) - 1)}


def test_a_row_per_attempt_with_every_answer_its_score_and_the_points():
    rows = results_rows(
        ["chs", "status"], [attempt("ada", right), attempt("bob", sector_from_zero)]
    )
    header, ada, bob = rows
    assert header == [
        "alias", "submitted_at", "score", "points", "out_of",
        "chs.physical_block", "chs.physical_block.right",
        "chs.cylinder", "chs.cylinder.right",
        "chs.head", "chs.head.right",
        "chs.sector", "chs.sector.right",
        "chs.points",
        "status.status", "status.status.right",
        "status.points",
    ]  # fmt: skip
    assert ada[2:5] == ["1.000", "5", "5"]
    # bob: 3 of 4 C/H/S fields (3 of 4 points) and the status wrong (0 of 1): 3 of 5
    assert bob[2:5] == ["0.600", "3", "5"]
    assert bob[11] == str(int(ada[11]) - 1) and bob[12] == "0"
    assert bob[13] == "3" and bob[15:] == ["0", "0"]


def test_cells_that_a_spreadsheet_would_run_are_text():
    for cell in ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(1)", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell
    assert neutralise("ada") == "ada"
    rows = results_rows(["chs", "status"], [attempt("=1+1", lambda q: {**right(q), **{
        q.fields[0].name: "@SUM(1)"}})])  # fmt: skip
    parsed = list(csv.reader(io.StringIO(to_csv(rows))))
    assert parsed[1][0] == "'=1+1"
    assert parsed[1][5] == "'@SUM(1)"


def test_an_attempt_graded_before_partial_credit_reads_as_one_point_a_question():
    old = AttemptView(
        "old",
        0.5,
        AT,
        [
            {"template": "chs", "stage": "mapping", "correct": True, "fields": []},
            {"template": "status", "stage": "status", "correct": False, "fields": []},
        ],
    )
    assert results_rows(["chs", "status"], [old])[1][2:5] == ["0.500", "1", "2"]


def test_the_summary_groups_wrong_answers_by_stage_and_by_misconception():
    summary = summarize(
        ["chs", "status"],
        [attempt("ada", right), attempt("bob", sector_from_zero), attempt("cy", sector_from_zero)],
    )
    rate, answered = summary.rates["chs"]
    assert answered == 3 and round(rate, 6) == round((1 + 0.75 + 0.75) / 3, 6)
    assert summary.by_misconception["chs"] == [(SECTOR_FROM_0, 2)]
    ((label, count),) = summary.by_stage["mapping"]
    assert count == 2 and label.startswith("chs: sector = ")
    assert summary.by_stage["status"][0][1] == 2
