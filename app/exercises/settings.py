"""Per-question settings an instructor chooses: points, numeric tolerance, partial credit."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any

MAX_POINTS = 100.0
MAX_TOLERANCE = 1_000_000.0


@dataclass(frozen=True, slots=True)
class QuestionSettings:
    points: float = 1.0
    # How far a number may be from the answer; None keeps the template's own
    # (0 for counts and addresses, 0.01 s for times read by hand).
    tolerance: float | None = None
    partial: bool = True  # fields graded separately; False: all or nothing

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_settings(
    form: dict[str, str], templates: list[str], problems: list[str]
) -> dict[str, QuestionSettings]:
    """Read ``points.<t>``, ``tolerance.<t>`` and ``partial.<t>`` for each template."""
    chosen = {}
    for t in templates:
        points = _float(form.get(f"points.{t}", ""), f"{t}: points", 1.0, problems)
        if points is not None and not 0 < points <= MAX_POINTS:
            problems.append(f"{t}: points from more than 0 to {MAX_POINTS:g}, got {points:g}")
        tolerance = _float(form.get(f"tolerance.{t}", ""), f"{t}: tolerance", None, problems)
        if tolerance is not None and not 0 <= tolerance <= MAX_TOLERANCE:
            problems.append(f"{t}: tolerance from 0 to {MAX_TOLERANCE:g}, got {tolerance:g}")
        chosen[t] = QuestionSettings(
            points=points if points is not None else 1.0,
            tolerance=tolerance,
            partial=form.get(f"partial.{t}", "") != "off",
        )
    return chosen


def _float(text: str, name: str, blank: float | None, problems: list[str]) -> float | None:
    if not text.strip():
        return blank
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{name}: not a number: {text!r}")
        return blank
    if not math.isfinite(value):
        problems.append(f"{name}: not a number: {text!r}")
        return blank
    return value


def points_possible(templates: list[str], settings: dict[str, QuestionSettings]) -> float:
    """An exercise's points: each question's (a student gets one question per template)."""
    return sum(settings.get(t, QuestionSettings()).points for t in templates)


def dump_settings(settings: dict[str, QuestionSettings]) -> str:
    return json.dumps({t: s.to_dict() for t, s in settings.items()})


def load_settings(text: str | None) -> dict[str, QuestionSettings]:
    """Settings stored with an exercise; an exercise from before they existed has none."""
    if not text:
        return {}
    return {t: QuestionSettings(**s) for t, s in json.loads(text).items()}
