"""The one error a user's input gets: every problem found, each naming where it is."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario (or a command) that cannot be simulated; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
