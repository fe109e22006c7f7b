"""Reading scenario files (YAML, or JSON of the same shape) into typed models.

Whatever is wrong with a file comes back as one line per problem, each naming
the field path and what is wrong, so that a person can fix the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from .checks import check_item, check_scenario
from .scenario import CATEGORY_OF_TYPE, OP_DEVICE_TYPES, Scenario, WorkloadItem

_TAGS = set(CATEGORY_OF_TYPE) | set(OP_DEVICE_TYPES)
_ITEM = TypeAdapter[WorkloadItem](WorkloadItem)


class ScenarioError(ValueError):
    """A scenario (or a command) that cannot be simulated; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_scenario_file(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([f"{path}: cannot read the file ({error})"]) from None
    return load_scenario(text, is_json=path.suffix.lower() == ".json")


def load_scenario(text: str, *, is_json: bool = False) -> Scenario:
    """Parse and validate a scenario; raise :class:`ScenarioError` with every problem."""
    return load_scenario_data(_parse(text, is_json))


def load_scenario_data(data: Any) -> Scenario:
    """Validate already-parsed data (a JSON body, a test's dict) as a scenario."""
    if not isinstance(data, dict):
        kind = "nothing" if data is None else type(data).__name__
        raise ScenarioError(
            [f"scenario: expected a mapping with name, guests, devices, workload; got {kind}"]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(format_errors(error)) from None
    problems = check_scenario(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario


def parse_item(scenario: Scenario, data: Any, path: str = "command") -> WorkloadItem:
    """Validate one workload item (a command a user issues) against ``scenario``."""
    try:
        item = _ITEM.validate_python(data)
    except ValidationError as error:
        raise ScenarioError(format_errors(error, root=path)) from None
    problems = check_item(scenario, item, path)
    if problems:
        raise ScenarioError(problems)
    return item


def _parse(text: str, is_json: bool) -> Any:
    if is_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ScenarioError(
                [f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})"]
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "scenario"
        raise ScenarioError([f"{where}: not valid YAML ({problem})"]) from None


def format_errors(error: ValidationError, root: str = "") -> list[str]:
    return [_format_one(detail, root) for detail in error.errors(include_url=False)]


def _format_one(detail: ErrorDetails, root: str) -> str:
    loc = list(detail["loc"])
    kind = detail["type"]
    if kind in {"extra_forbidden", "missing"} and loc and isinstance(loc[-1], str):
        key = loc.pop()
        what = "unknown key" if kind == "extra_forbidden" else "missing required key"
        return f"{_path(loc, root)}: {what} {key!r}"
    if kind == "union_tag_invalid":
        ctx = detail.get("ctx", {})
        return (
            f"{_path(loc, root)}.{ctx.get('discriminator', '').strip(chr(39))}: "
            f"unknown value {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
        )
    if kind == "union_tag_not_found":
        ctx = detail.get("ctx", {})
        return f"{_path(loc, root)}: missing required key {ctx.get('discriminator')}"
    message = detail["msg"].removeprefix("Value error, ")
    value = detail.get("input")
    shown = f" (got {value!r})" if isinstance(value, str | int | float | bool) else ""
    if "not an IPv4" in message:
        shown = ""
    return f"{_path(loc, root)}: {message}{shown}"


def _path(loc: list[int | str], root: str) -> str:
    out = root
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _TAGS and (previous is None or isinstance(previous, int)):
            pass  # the tag pydantic adds for a tagged union is not in the file
        else:
            out += f".{part}" if out else part
        previous = part
    return out or "scenario"
