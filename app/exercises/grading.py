"""Grading a student's answers against a question's simulated answer."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from .questions import Question

# Seconds are read to the hundredth: a student computes them by hand.
SECONDS_TOLERANCE = 0.01


@dataclass(frozen=True, slots=True)
class FieldResult:
    name: str
    given: str
    expected: str
    correct: bool


@dataclass(frozen=True, slots=True)
class QuestionResult:
    template: str
    stage: str
    correct: bool
    fields: tuple[FieldResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def grade(question: Question, answers: dict[str, str]) -> QuestionResult:
    results = []
    for f in question.fields:
        given = (answers.get(f.name) or "").strip()
        expected = question.answer[f.name]
        results.append(
            FieldResult(f.name, given, expected, _matches(f.kind, f.name, given, expected))
        )
    return QuestionResult(
        question.template, question.stage, all(r.correct for r in results), tuple(results)
    )


def _matches(kind: str, name: str, given: str, expected: str) -> bool:
    if kind == "number":
        try:
            value = float(given.replace(",", ""))
        except ValueError:
            return False
        tolerance = SECONDS_TOLERANCE if name.endswith("_s") else 0
        return abs(value - float(expected)) <= tolerance
    if kind == "text":
        return _words(given) == _words(expected)
    return given.lower() == expected.lower()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9_-]+", text.lower())


def score(results: list[QuestionResult]) -> float:
    return sum(r.correct for r in results) / len(results) if results else 0.0
