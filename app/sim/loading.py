"""Reading scenario files (YAML, or JSON of the same shape) into typed models.

Whatever is wrong with a file comes back as one line per problem, each naming
the field path and what is wrong, so that a person can fix the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from .checks import check_item, check_scenario
from .parsing import check_data, parse_text
from .problems import ScenarioError as ScenarioError
from .scenario import CATEGORY_OF_TYPE, OP_DEVICE_TYPES, Scenario, WorkloadItem

_TAGS = set(CATEGORY_OF_TYPE) | set(OP_DEVICE_TYPES)
# an Annotated union is a type to pydantic but a value to mypy (>= 1.20): cast, not ignored,
# so the line checks alike on the mypy versions the pin allows
_ITEM: TypeAdapter[WorkloadItem] = TypeAdapter(cast(Any, WorkloadItem))


def load_scenario_file(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([f"{path}: cannot read the file ({error})"]) from None
    return load_scenario(text, is_json=path.suffix.lower() == ".json")


def load_scenario(text: str, *, is_json: bool = False) -> Scenario:
    """Parse and validate a scenario; raise :class:`ScenarioError` with every problem."""
    return _validate(parse_text(text, is_json=is_json))  # parse_text checked the values


def load_scenario_data(data: Any) -> Scenario:
    """Validate already-parsed data (a JSON body, a test's dict) as a scenario."""
    check_data(data)
    return _validate(data)


def _validate(data: Any) -> Scenario:
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
    check_data(data, path)
    try:
        item = _ITEM.validate_python(data)
    except ValidationError as error:
        raise ScenarioError(format_errors(error, root=path)) from None
    problems = check_item(scenario, item, path)
    if problems:
        raise ScenarioError(problems)
    return item


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
