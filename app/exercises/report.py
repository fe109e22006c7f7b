"""What an instructor reads from the attempts: the results table, the CSV, the summary.

Attempts are given as stored: ``results`` is the list of ``QuestionResult.to_dict()``.
An attempt graded before partial credit has no ``earned`` or ``points``: it was
worth one point a question, all or nothing.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.csvcells import safe_cell


def neutralise(cell: str) -> str:
    """A student's text as a cell a spreadsheet shows, never runs (app/csvcells.py)."""
    return str(safe_cell(cell))


@dataclass(frozen=True, slots=True)
class AttemptView:
    alias: str
    score: float
    submitted_at: datetime
    results: list[dict[str, Any]]


def points(result: dict[str, Any]) -> tuple[float, float]:
    """(earned, possible) of one stored question result."""
    possible = float(result.get("points", 1.0))
    earned = result.get("earned")
    return (float(earned) if earned is not None else possible * result["correct"]), possible


def field_columns(
    templates: Sequence[str], attempts: Iterable[AttemptView]
) -> list[tuple[str, str]]:
    """(template, field) in the exercise's order, as the attempts answered them."""
    seen: dict[str, list[str]] = {t: [] for t in templates}
    for attempt in attempts:
        for result in attempt.results:
            names = seen.setdefault(result["template"], [])
            for f in result["fields"]:
                if f["name"] not in names:
                    names.append(f["name"])
    return [(t, name) for t, names in seen.items() for name in names]


def results_rows(templates: Sequence[str], attempts: Sequence[AttemptView]) -> list[list[str]]:
    """The CSV: one row an attempt, with every answer, whether each field is right, and points."""
    columns = field_columns(templates, attempts)
    header = ["alias", "submitted_at", "score", "points", "out_of"]
    for t in dict.fromkeys(t for t, _ in columns):
        names = [name for tt, name in columns if tt == t]
        for name in names:
            header += [f"{t}.{name}", f"{t}.{name}.right"]
        header.append(f"{t}.points")
    rows = [header]
    for attempt in attempts:
        by_template = {r["template"]: r for r in attempt.results}
        earned = sum(points(r)[0] for r in attempt.results)
        possible = sum(points(r)[1] for r in attempt.results)
        row = [
            neutralise(attempt.alias),
            attempt.submitted_at.isoformat(),
            f"{attempt.score:.3f}",
            f"{earned:g}",
            f"{possible:g}",
        ]
        for t in dict.fromkeys(t for t, _ in columns):
            result = by_template.get(t)
            fields = {f["name"]: f for f in result["fields"]} if result else {}
            for tt, name in columns:
                if tt == t:
                    f = fields.get(name)
                    row += [neutralise(f["given"]), str(int(f["correct"]))] if f else ["", ""]
            row.append(f"{points(result)[0]:g}" if result else "")
        rows.append(row)
    return rows


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Summary:
    # template -> (mean fraction of its points earned, or None, number of answers)
    rates: dict[str, tuple[float | None, int]]
    # stage of the path -> the commonest wrong answers with their counts
    by_stage: dict[str, list[tuple[str, int]]]
    # template -> misconception -> how many wrong answers revealed it
    by_misconception: dict[str, list[tuple[str, int]]]


def summarize(templates: Sequence[str], attempts: Iterable[AttemptView]) -> Summary:
    earned: dict[str, list[float]] = {t: [] for t in templates}
    wrong: dict[str, Counter[str]] = {}
    revealed: dict[str, Counter[str]] = {}
    for attempt in attempts:
        for result in attempt.results:
            got, possible = points(result)
            earned.setdefault(result["template"], []).append(got / possible if possible else 0)
            for f in result["fields"]:
                if f["correct"]:
                    continue
                given = f["given"] or "(blank)"
                label = f"{result['template']}: {f['name']} = {given} (right: {f['expected']})"
                wrong.setdefault(result["stage"], Counter())[label] += 1
                if f.get("misconception"):
                    revealed.setdefault(result["template"], Counter())[f["misconception"]] += 1
    return Summary(
        rates={t: (sum(v) / len(v) if v else None, len(v)) for t, v in earned.items()},
        by_stage={stage: c.most_common(5) for stage, c in sorted(wrong.items())},
        by_misconception={t: c.most_common() for t, c in revealed.items()},
    )
