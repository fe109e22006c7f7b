"""The new-exercise form as data: what was typed (kept whole when something is wrong),
the defaults it opens with, the checks, and a preview of one variant.

Nothing here knows the web: the web hands over the form's values and gets back a
draft to show again, the problems to list, or an exercise ready to store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.sim import Scenario, ScenarioError, load_scenario

from .questions import TEMPLATES, applicable
from .settings import QuestionSettings, parse_settings
from .variants import variant_questions

ID = re.compile(r"[A-Za-z0-9_-]{8,40}")
DEFAULT_SCENARIO = "all-devices"  # every template fits it
DEFAULT_QUESTIONS = 3
MAX_VARIANTS = 50


@dataclass
class Draft:
    """The form as typed, strings and all, so that it can be shown again unchanged."""

    id: str = ""  # the exercise's id once published: the preview shows its real variant 1
    title: str = ""
    scenario: str = DEFAULT_SCENARIO
    scenario_yaml: str = ""
    templates: list[str] = field(default_factory=list)
    variants: str = "4"
    due_at: str = ""
    retries: bool = False
    # per template: points, tolerance, partial ("on"/"off"), as typed
    settings: dict[str, dict[str, str]] = field(default_factory=dict)

    def setting(self, template: str, name: str, default: str = "") -> str:
        return self.settings.get(template, {}).get(name, default)


@dataclass(frozen=True, slots=True)
class Ready:
    """A draft that passed every check: what the store keeps."""

    id: str
    title: str
    source: str
    scenario: Scenario
    templates: list[str]
    variants: int
    due_at: datetime | None
    retries: bool
    settings: dict[str, QuestionSettings]


def default_draft(shipped: Mapping[str, Scenario], new_id: str) -> Draft:
    """A scenario every template fits, with the first questions ticked: publishable as is."""
    name = DEFAULT_SCENARIO if DEFAULT_SCENARIO in shipped else next(iter(shipped), "")
    fits = applicable(shipped[name]) if name else []
    return Draft(id=new_id, scenario=name, templates=fits[:DEFAULT_QUESTIONS])


def read_draft(form: Mapping[str, str], ticked: Sequence[str], new_id: str) -> Draft:
    """``form``: the single-valued fields; ``ticked``: the question templates ticked;
    ``new_id``: the id to use when the form carries none (or a malformed one)."""
    draft_id = form.get("draft_id", "")
    templates = [t for t in ticked if t in TEMPLATES]
    settings = {
        t: {k: form.get(f"{k}.{t}", "")[:40] for k in ("points", "tolerance", "partial")}
        for t in TEMPLATES
    }
    return Draft(
        id=draft_id if ID.fullmatch(draft_id) else new_id,
        title=form.get("title", "").strip()[:200],
        scenario=form.get("scenario", ""),
        scenario_yaml=form.get("scenario_yaml", ""),
        templates=list(dict.fromkeys(templates)),
        variants=form.get("variants", "").strip()[:12],
        due_at=form.get("due_at", "").strip()[:40],
        retries=form.get("retries") == "on",
        settings=settings,
    )


def check(
    draft: Draft, shipped: Mapping[str, str], max_bytes: int
) -> tuple[Ready | None, list[str]]:
    """``shipped``: name -> scenario text. Every problem at once, each naming its field."""
    problems: list[str] = []
    source = draft.scenario_yaml.strip() or shipped.get(draft.scenario, "")
    scenario = None
    if not source:
        problems.append("scenario: pick a shipped scenario or paste one")
    elif len(source.encode("utf-8")) > max_bytes:
        problems.append(f"scenario: the text is over {max_bytes:,} bytes")
    else:
        try:
            scenario = load_scenario(source)
        except ScenarioError as error:
            problems += [f"scenario: {p}" for p in error.problems]
    if not draft.templates:
        problems.append("questions: tick at least one question")
    elif scenario is not None:
        usable = applicable(scenario)
        for t in draft.templates:
            if t not in usable:
                problems.append(
                    f"questions: “{TEMPLATES[t][0]}” does not fit this scenario "
                    f"(it fits: {', '.join(TEMPLATES[u][0].lower() for u in usable)})"
                )
    variants = _variants(draft.variants, problems)
    due_at = _due(draft.due_at, problems)
    flat = {f"{k}.{t}": v for t, values in draft.settings.items() for k, v in values.items()}
    settings = parse_settings(flat, draft.templates, problems)
    if problems or scenario is None:
        return None, problems
    return Ready(
        id=draft.id,
        title=draft.title or scenario.name,
        source=source,
        scenario=scenario,
        templates=draft.templates,
        variants=variants,
        due_at=due_at,
        retries=draft.retries,
        settings=settings,
    ), []


def _variants(text: str, problems: list[str]) -> int:
    try:
        number = int(text)
    except ValueError:
        problems.append(f"variants: a whole number from 1 to {MAX_VARIANTS}, got {text!r}")
        return 1
    if not 1 <= number <= MAX_VARIANTS:
        problems.append(f"variants: from 1 to {MAX_VARIANTS}, got {number}")
    return number


def _due(text: str, problems: list[str]) -> datetime | None:
    if not text:
        return None
    try:
        due = datetime.fromisoformat(text)
    except ValueError:
        problems.append(f"due: not a date and time: {text!r}")
        return None
    return due if due.tzinfo else due.replace(tzinfo=UTC)  # the form says: in UTC


def preview(ready: Ready, variant: int = 0) -> list[tuple[str, str, str]]:
    """A variant's questions as (prompt, answers, explanation), exactly as its students get it."""
    made = variant_questions(ready.scenario, ready.templates, ready.id, variant)
    return [
        (
            q.prompt,
            "; ".join(f"{f.label} = {q.answer[f.name]}" for f in q.fields),
            q.explanation,
        )
        for q in made
    ]
