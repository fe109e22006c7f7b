"""Studying a lesson alone: its steps one at a time, each question answered before the
step's hops are shown, then right or wrong with the hop that holds the answer.

Pure: a step is read from the compiled lesson, whose one trace holds every step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.exercises.grading import number
from app.sim import Hop

from .compile import CompiledLesson
from .model import LessonQuestion


@dataclass(frozen=True, slots=True)
class StudyStep:
    index: int  # from 0
    total: int
    title: str
    narration: str
    hops: list[Hop]  # what the step plays
    question: LessonQuestion | None
    answer: str | None
    answer_hop: Hop | None  # where the simulation shows the answer

    @property
    def last(self) -> bool:
        return self.index == self.total - 1


@dataclass(frozen=True, slots=True)
class Checked:
    refusal: str | None  # an answer that is not one: nothing was graded
    correct: bool
    given: str
    expected: str
    explanation: str


def study_step(lesson: CompiledLesson, index: int) -> StudyStep:
    step = lesson.steps[index]
    hops = list(lesson.trace.hops[step.start + 1 : step.end + 1])
    return StudyStep(
        index=index,
        total=len(lesson.steps),
        title=step.title,
        narration=step.narration,
        hops=hops,
        question=step.question,
        answer=step.answer,
        answer_hop=_answer_hop(step.question, hops),
    )


def _answer_hop(question: LessonQuestion | None, hops: list[Hop]) -> Hop | None:
    if question is None or not hops:
        return None
    where = question.answer_from
    first = hops[0].request
    mine = [h for h in hops if h.request == first]
    if not where.traps:
        return next((h for h in mine if h.stage == where.stage), None)
    # a trap count is the request's: its first trap into the VMM, or, for a request that
    # never traps (a guest reading its own OS's queue), its last hop
    return next((h for h in mine if h.stage == "vmm_trap"), mine[-1] if mine else None)


def check(step: StudyStep, given: str) -> Checked:
    question, expected = step.question, step.answer or ""
    assert question is not None, "a step without a question has nothing to check"
    given = given.strip()[:100]
    refusal = None
    if not given:
        refusal = "Give an answer first."
    elif question.kind == "number" and number(given) is None:
        refusal = f"{given!r} is not a number."
    elif question.kind == "choice" and given not in question.choices:
        refusal = "Pick one of the choices."
    if refusal:
        return Checked(refusal, False, given, expected, "")
    numeric = question.kind == "number"
    correct = number(given) == number(expected) if numeric else given == expected
    return Checked(None, correct, given, expected, explanation(step))


def explanation(step: StudyStep) -> str:
    hop = step.answer_hop
    question = step.question
    if hop is None or question is None:
        return f"The simulation gives {step.answer}."
    where = "the request's trap count" if question.answer_from.traps else question.answer_from.field
    return (
        f"The simulation shows it at hop {hop.seq} ({hop.stage.replace('_', ' ')}): "
        f"“{hop.summary}” — {where.replace('_', ' ')} = {step.answer}."
    )


# Where a browser stopped in each lesson (lesson -> step from 0), kept in a cookie of its own:
# nothing on the server.
PROGRESS_COOKIE = "iovlab_study"
MAX_LESSONS = 50


def read_progress(text: str) -> dict[str, int]:
    """The progress a cookie holds; anything malformed reads as none."""
    try:
        found = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): v for k, v in found.items() if isinstance(v, int) and v >= 0}


def write_progress(progress: dict[str, int], lesson: str, index: int) -> str:
    """The cookie's new text: this lesson at this step, the most recent lessons kept."""
    kept = {k: v for k, v in progress.items() if k != lesson} | {lesson: index}
    return json.dumps(dict(list(kept.items())[-MAX_LESSONS:]), separators=(",", ":"))
