"""One submission of an exercise's questions: answers read from the form, refused
when some are not answers yet, otherwise graded with each question's settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .grading import QuestionResult, grade, refusals, score
from .question import Question
from .settings import QuestionSettings

MAX_ANSWER = 200


def field_key(number: int, name: str) -> str:
    """The form field of question ``number`` (from 0), field ``name``."""
    return f"q{number}.{name}"


@dataclass(frozen=True, slots=True)
class Submission:
    answers: dict[str, str]  # by form field
    problems: dict[int, list[str]]  # per question number: why it cannot be graded yet
    results: list[QuestionResult]  # empty while there are problems
    score: float

    @property
    def refused(self) -> bool:
        return bool(self.problems)


def submit(
    questions: Sequence[Question],
    form: Mapping[str, str],
    settings: Mapping[str, QuestionSettings],
) -> Submission:
    answers = {
        field_key(i, f.name): str(form.get(field_key(i, f.name), ""))[:MAX_ANSWER]
        for i, q in enumerate(questions)
        for f in q.fields
    }
    per_question = [
        {f.name: answers[field_key(i, f.name)] for f in q.fields} for i, q in enumerate(questions)
    ]
    problems = {
        i: found
        for i, (q, given) in enumerate(zip(questions, per_question, strict=True))
        if (found := refusals(q, given))
    }
    if problems:
        return Submission(answers, problems, [], 0.0)
    results = [
        grade(q, given, settings.get(q.template))
        for q, given in zip(questions, per_question, strict=True)
    ]
    return Submission(answers, {}, results, score(results))


def points_of(results: Sequence[QuestionResult]) -> tuple[float, float]:
    """(earned, possible): what goes to a gradebook."""
    return sum(r.earned for r in results), sum(r.points for r in results)
