"""Grading a student's answers against a question's simulated answer.

Each field is graded on its own: a question is worth its points, shared equally
among its fields, unless the instructor grades it all or nothing. Answers that
are not answers (blank, or not a number where a number is asked) are refused
before grading, with a message, so they never count against a student.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from .question import Field, Question
from .settings import QuestionSettings

# Decimal fractions are not exact in binary: 6.01 against 6.000 within 0.01 is right.
_ROUNDING = 1e-9


@dataclass(frozen=True, slots=True)
class FieldResult:
    name: str
    given: str
    expected: str
    correct: bool
    misconception: str | None = None


@dataclass(frozen=True, slots=True)
class QuestionResult:
    template: str
    stage: str
    correct: bool
    fields: tuple[FieldResult, ...]
    points: float = 1.0
    earned: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def refusals(question: Question, answers: dict[str, str]) -> list[str]:
    """Why these answers cannot be graded yet, one message a field; empty when they can."""
    problems = []
    for f in question.fields:
        given = (answers.get(f.name) or "").strip()
        if not given:
            problems.append(f"{f.label}: give an answer")
        elif f.kind == "number" and number(given) is None:
            problems.append(f"{f.label}: {given!r} is not a number")
        elif f.kind == "choice" and given.lower() not in {c.lower() for c in f.choices}:
            problems.append(f"{f.label}: pick one of {', '.join(f.choices)}")
    return problems


def grade(
    question: Question, answers: dict[str, str], settings: QuestionSettings | None = None
) -> QuestionResult:
    settings = settings or QuestionSettings()
    results = tuple(_grade_field(question, f, answers, settings) for f in question.fields)
    right = sum(r.correct for r in results)
    everything = right == len(results)
    if settings.partial:
        earned = settings.points * right / len(results) if results else 0.0
    else:
        earned = settings.points if everything else 0.0
    return QuestionResult(
        question.template, question.stage, everything, results, settings.points, round(earned, 4)
    )


def _grade_field(
    question: Question, f: Field, answers: dict[str, str], settings: QuestionSettings
) -> FieldResult:
    given = (answers.get(f.name) or "").strip()
    expected = question.answer[f.name]
    tolerance = tolerance_of(f, settings)
    correct = _matches(f.kind, given, expected, tolerance)
    tag = None
    if not correct:
        wrongs = question.misconceptions.get(f.name, {})
        tag = next(
            (label for value, label in wrongs.items() if _matches(f.kind, given, value, 0)), None
        )
    return FieldResult(f.name, given, expected, correct, tag)


def tolerance_of(f: Field, settings: QuestionSettings) -> float:
    """How far a number may be from the answer and still count: the instructor's, or the field's."""
    return settings.tolerance if settings.tolerance is not None else f.tolerance


def tolerance_note(question: Question, settings: QuestionSettings | None = None) -> str:
    """What a student is told about how exactly their numbers must match."""
    settings = settings or QuestionSettings()
    numbers = [(f.label, tolerance_of(f, settings)) for f in question.fields if f.kind == "number"]
    if not numbers:
        return ""
    if not any(tolerance for _, tolerance in numbers):
        return "Numbers must be exact." if len(numbers) > 1 else "The number must be exact."
    notes = [f"{label} within ±{t:g}" if t else f"{label} exactly" for label, t in numbers]
    return "How close a number must be: " + "; ".join(notes) + "."


def number(text: str) -> float | None:
    """A number as a student types it (1,500 or 1500 or 2.5), or None."""
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _matches(kind: str, given: str, expected: str, tolerance: float) -> bool:
    if kind == "number":
        value, target = number(given), number(expected)
        return (
            value is not None
            and target is not None
            and abs(value - target) <= tolerance + _ROUNDING
        )
    if kind == "text":
        return _words(given) == _words(expected)
    return given.lower() == expected.lower()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9_-]+", text.lower())


def score(results: list[QuestionResult]) -> float:
    """The fraction of the points earned, from 0 to 1."""
    total = sum(r.points for r in results)
    return sum(r.earned for r in results) / total if total else 0.0
