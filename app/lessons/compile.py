"""Turning a lesson into a session's commands and a hop range per step.

Each step's commands are issued at the simulated time of the last hop the
previous step showed; commands never change what was already shown, so one
final trace holds every step, and a step is just a range of its hops.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.sim import Scenario, ScenarioError, Trace, load_scenario, parse_item, simulate
from app.sim.loading import format_errors
from app.sim.parsing import parse_yaml

from .model import Lesson, LessonQuestion


@dataclass(frozen=True, slots=True)
class CompiledStep:
    title: str
    narration: str
    start: int  # the last hop shown before this step (-1: none)
    end: int  # the last hop this step shows
    question: LessonQuestion | None
    answer: str | None


@dataclass(frozen=True, slots=True)
class CompiledLesson:
    name: str
    lesson: Lesson
    source: str  # the scenario text
    scenario: Scenario
    commands: list[dict[str, Any]]
    steps: list[CompiledStep]
    trace: Trace


def load_lesson(path: Path, scenarios_dir: Path) -> CompiledLesson:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([f"{path.name}: cannot read the lesson ({error})"]) from None
    try:
        return compile_lesson(path.stem, parse_yaml(text), scenarios_dir)
    except ScenarioError as error:
        raise ScenarioError([f"{path.name}: {p}" for p in error.problems]) from None


def compile_lesson(name: str, data: Any, scenarios_dir: Path) -> CompiledLesson:
    try:
        lesson = Lesson.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(format_errors(error)) from None
    scenario_path = (scenarios_dir / lesson.scenario).resolve()
    if scenario_path.parent != scenarios_dir.resolve() or not scenario_path.is_file():
        raise ScenarioError([f"scenario: no scenario file {lesson.scenario!r} in scenarios/"])
    source = scenario_path.read_text(encoding="utf-8")
    scenario = load_scenario(source)
    if not lesson.use_workload:
        data = scenario.model_dump(mode="json", exclude_none=True)
        source = yaml.safe_dump({**data, "workload": []}, sort_keys=False, allow_unicode=True)
        scenario = load_scenario(source)
    commands: list[dict[str, Any]] = []
    steps: list[CompiledStep] = []
    trace = simulate(scenario)
    shown = -1
    for index, step in enumerate(lesson.steps):
        at = trace.hops[shown].t_us if shown >= 0 else 0
        first_new = len(commands)
        for j, command in enumerate(step.commands):
            item = parse_item(scenario, {**command, "at_us": at}, f"steps[{index}].commands[{j}]")
            commands.append(item.model_dump(mode="json", exclude_none=True))
        if step.commands:
            items = [parse_item(scenario, c) for c in commands]
            trace = simulate(scenario, items)
        new = [
            r
            for r in trace.requests
            if r.origin.startswith("command[") and int(r.origin[8:-1]) >= first_new
        ]
        end = _end(step.play, shown, trace, new, f"steps[{index}].play")
        answer = _answer(step.question, trace, new, f"steps[{index}].question")
        steps.append(CompiledStep(step.title, step.narration, shown, end, step.question, answer))
        shown = end
    return CompiledLesson(name, lesson, source, scenario, commands, steps, trace)


def _end(play: int | str, shown: int, trace: Trace, new: list[Any], path: str) -> int:
    last = len(trace.hops) - 1
    if play == "all":
        return last
    if play == "requests":
        if not new:
            return shown
        ids = {r.id for r in new}
        return max(h.seq for h in trace.hops if h.request in ids and h.stage == "status_reply")
    if not isinstance(play, int) or play < 0:
        raise ScenarioError([f"{path}: a number of hops, 'requests' or 'all'"])
    return min(shown + play, last)


def _answer(question: LessonQuestion | None, trace: Trace, new: list[Any], path: str) -> str | None:
    if question is None:
        return None
    if not new:
        raise ScenarioError([f"{path}: a question needs a command in its step to ask about"])
    request = new[0]
    where = question.answer_from
    if where.traps:
        answer = str(request.traps)
    else:
        hop = next(
            (h for h in trace.hops if h.request == request.id and h.stage == where.stage), None
        )
        if hop is None or where.field not in hop.detail:
            raise ScenarioError(
                [f"{path}.answer_from: {request.id} has no {where.stage} hop with {where.field!r}"]
            )
        answer = str(hop.detail[where.field])
    if question.kind == "choice" and answer not in question.choices:
        raise ScenarioError([f"{path}.choices: the simulated answer {answer!r} is not among them"])
    return answer


def load_lessons(directory: Path, scenarios_dir: Path) -> dict[str, CompiledLesson]:
    paths = sorted(directory.glob("*.yaml"), key=_course_order)
    return {path.stem: load_lesson(path, scenarios_dir) for path in paths}


def _course_order(path: Path) -> tuple[int, str]:
    """Lessons in the order of their leading number: "10-…" comes after "9-…"."""
    number, _, _ = path.stem.partition("-")
    return (int(number) if number.isdigit() else 1 << 30, path.stem)
