"""Which variant a student gets, and its questions.

A student's variant comes from their alias and the exercise, so they always
get the same one and neighbours usually get different numbers.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime

from app.sim import Scenario, load_scenario

from .questions import TEMPLATES, NotApplicable, Question


def variant_of(exercise_id: str, alias: str, variants: int) -> int:
    digest = hashlib.sha256(f"{exercise_id}\0{alias.strip().lower()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % max(variants, 1)


def questions(scenario: Scenario, templates: list[str], seed: str) -> list[Question]:
    """The questions of the variant with this seed, one per template, in order."""
    rng = random.Random(seed)
    made = []
    for name in templates:
        try:
            made.append(TEMPLATES[name][1](scenario, rng))
        except NotApplicable:
            continue
    return made


def variant_questions(
    scenario: Scenario, templates: list[str], exercise_id: str, variant: int
) -> list[Question]:
    return questions(scenario, templates, f"{exercise_id}/{variant}")


def student_questions(
    source: str, templates: list[str], exercise_id: str, variants: int, alias: str
) -> tuple[int, list[Question]]:
    """The variant a student gets of an exercise, and its questions."""
    variant = variant_of(exercise_id, alias, variants)
    return variant, variant_questions(load_scenario(source), templates, exercise_id, variant)


def is_closed(due_at: datetime | None, now: datetime) -> bool:
    """Past its due date (a date stored without a zone is UTC)."""
    if due_at is None:
        return False
    return now > (due_at if due_at.tzinfo else due_at.replace(tzinfo=UTC))
