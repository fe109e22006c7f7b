"""A question: what a student sees, and what only grading and the result page see."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from app.sim import Scenario, Trace, parse_item, simulate


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    kind: str  # "number", "choice" or "text"
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0  # for numbers: how far from the answer still counts as right


@dataclass(slots=True)
class Question:
    """One question of one variant; ``answer`` and ``explanation`` are for after submission."""

    template: str
    stage: str  # where on the I/O path a wrong answer goes wrong: trap, mapping, device, status
    prompt: str
    table: list[dict[str, Any]]
    fields: list[Field]
    answer: dict[str, str]
    explanation: str
    commands: list[dict[str, Any]] = field(default_factory=list)
    keep_workload: bool = False
    focus: int = -1  # the hop to open when the student watches the trace
    # Per field, wrong answers that reveal a known misconception: value -> what it reveals.
    misconceptions: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        fields = [Field(**{**f, "choices": tuple(f["choices"])}) for f in data["fields"]]
        return cls(**{**data, "fields": fields})


class NotApplicable(Exception):
    """The scenario has no device this template asks about."""


def quiet(scenario: Scenario) -> Scenario:
    return scenario.model_copy(update={"workload": []})


def run_commands(
    scenario: Scenario, commands: list[dict[str, Any]], level: str | None = None
) -> Trace:
    quiet_scenario = quiet(scenario)
    items = [parse_item(quiet_scenario, c, f"commands[{i}]") for i, c in enumerate(commands)]
    return simulate(quiet_scenario, items, level=level)  # type: ignore[arg-type]


def hop_of(trace: Trace, request: str, stage: str) -> Any:
    return next(h for h in trace.hops if h.request == request and h.stage == stage)


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
