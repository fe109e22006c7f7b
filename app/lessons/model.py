"""The shape of a lesson file (YAML in scenarios/lessons/)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.sim.trace import Stage


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerFrom(Strict):
    """Where the simulation shows the answer: a hop of the step's first request."""

    stage: Stage
    field: str = Field(min_length=1, max_length=40)
    traps: bool = Field(False, description="count the request's traps instead of a field")


class LessonQuestion(Strict):
    prompt: str = Field(min_length=1, max_length=600)
    kind: Literal["number", "choice"]
    choices: list[str] = Field(default_factory=list, max_length=12)
    answer_from: AnswerFrom


class Step(Strict):
    title: str = Field(min_length=1, max_length=120)
    narration: str = Field(min_length=1, max_length=3000)
    commands: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    play: int | Literal["requests", "all"] = "requests"
    question: LessonQuestion | None = None


class Lesson(Strict):
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field(min_length=1, max_length=600)
    scenario: str = Field(min_length=1, max_length=100, description="a file in scenarios/")
    use_workload: bool = Field(True, description="play the scenario's own workload too")
    steps: list[Step] = Field(min_length=1, max_length=60)
