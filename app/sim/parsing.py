"""Reading YAML or JSON text a user sent, safely: every way a text can be bad is a
problem with its place (a line and column, or the field path), never an exception
from deep inside a parser.

What a parser would otherwise let through or crash on: nesting deep enough to
exhaust the interpreter's stack (``[`` × 2,000), integers of thousands of digits
(Python refuses to convert them past 4,300), NUL bytes (PostgreSQL refuses them
in text), and ``Infinity``/``NaN`` (no count, time or size is infinite). The
scenario loader, the lesson loader and the web's imports all read text here.
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import Node, ScalarNode

from .problems import ScenarioError

# A scenario nests five deep (scenario → devices → a disk → partitions → one);
# an exercise export or a lesson a few more. Far past any real file, far below
# the interpreter's recursion limit.
MAX_DEPTH = 32
# The largest number a scenario holds (a time in µs, an LBA28 block) has 10 digits.
MAX_INT_DIGITS = 30


class _TooLong:
    """Stands in for an over-long integer until its field path is known."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _int(text: str) -> int | _TooLong:
    return _TooLong(_digits(text)) if len(text) > MAX_INT_DIGITS else int(text)


def _digits(text: str) -> int:
    """The digits of an integer as written: no sign, base prefix or separators."""
    text = text.lstrip("+-")
    if text[:2].lower() in {"0x", "0o", "0b"}:
        text = text[2:]
    return sum(c.isalnum() for c in text)


def parse_text(text: str | bytes, *, is_json: bool = False) -> Any:
    """YAML (or JSON) text as plain data; :class:`ScenarioError` with every problem."""
    return parse_json(text) if is_json else parse_yaml(text)


def parse_json(text: str | bytes) -> Any:
    """JSON text as plain data; problems name a line and column, or a field path."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ScenarioError([f"byte {error.start}: not UTF-8 text"]) from None
    try:
        data = json.loads(text, parse_int=_int)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            [f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})"]
        ) from None
    except RecursionError:
        raise ScenarioError([_too_deep_json(text)]) from None
    check_data(data)
    return data


def parse_yaml(text: str | bytes) -> Any:
    """YAML text as plain data (PyYAML's safe subset); problems name where they are."""
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "scenario"
        raise ScenarioError([f"{where}: not valid YAML ({error.problem})"]) from None
    except yaml.reader.ReaderError as error:
        where = _position(text, error.position)
        raise ScenarioError(
            [f"{where}: not valid YAML (character U+{error.character:04X} is not allowed)"]
        ) from None
    except yaml.YAMLError as error:
        raise ScenarioError([f"scenario: not valid YAML ({_one_line(str(error))})"]) from None
    check_data(data)
    return data


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, with a depth limit and values that cannot crash it."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        # Composition recurses once per level: stop long before the stack does.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise ConstructorError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as error:  # e.g. a timestamp of month 13
            if isinstance(error, yaml.YAMLError):
                raise
            value = node.value if isinstance(node, ScalarNode) else node.tag
            raise ConstructorError(
                None, None, f"{str(value)[:40]!r} cannot be read ({error})", node.start_mark
            ) from None


def _yaml_int(loader: _Loader, node: Node) -> int | _TooLong:
    value = str(node.value)
    if len(value) > MAX_INT_DIGITS:
        return _TooLong(_digits(value))
    return SafeConstructor.construct_yaml_int(loader, node)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:int", _yaml_int)


def check_data(data: Any, root: str = "") -> None:
    """Every value a parser let through that no field may hold, by field path (from
    ``root``): for data parsed elsewhere too (a JSON body, a command)."""
    problems: list[str] = []
    # An anchor used many times is one object: look at it again only where it sits
    # deeper than before (so at most MAX_DEPTH times, not once per reference).
    seen: dict[int, int] = {}
    stack: list[tuple[Any, str, int]] = [(data, root, 0)]
    while stack and len(problems) < 20:
        value, path, depth = stack.pop()
        where = path or "scenario"
        if isinstance(value, dict | list):
            if seen.get(id(value), -1) >= depth:
                continue
            seen[id(value)] = depth
            if depth >= MAX_DEPTH:
                problems.append(f"{where}: nested more than {MAX_DEPTH} levels deep")
                continue
            if isinstance(value, list):
                children = [(v, f"{path}[{i}]") for i, v in enumerate(value)]
            else:
                children = []
                for key, v in value.items():
                    name = _shown(key)
                    children.append((key, f"{path}.{name}" if path else name))
                    children.append((v, f"{path}.{name}" if path else name))
            stack.extend((v, p, depth + 1) for v, p in reversed(children))
        elif isinstance(value, str):
            if "\x00" in value:
                problems.append(f"{where}: contains a NUL character (\\0), which no text may hold")
        elif isinstance(value, _TooLong):
            problems.append(
                f"{where}: a number of {value.digits:,} digits is too long "
                f"(at most {MAX_INT_DIGITS})"
            )
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{where}: {value} is not a finite number")
    if problems:
        raise ScenarioError(problems)


def _shown(key: Any) -> str:
    """A key as a path shows it: control characters (a NUL) escaped, never passed on."""
    if isinstance(key, _TooLong):
        return "<number>"
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(key))


def _too_deep_json(text: str) -> str:
    """Where JSON text first nests past the limit (the parser gave up without saying)."""
    depth, in_string, escaped = 0, False, False
    for offset, char in enumerate(text):
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f"{_position(text, offset)}: nested more than {MAX_DEPTH} levels deep"
        elif char in "]}":
            depth -= 1
    return f"scenario: nested more than {MAX_DEPTH} levels deep"


def _position(text: str | bytes, offset: int) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    before = text[:offset]
    line = before.count("\n") + 1
    return f"line {line}, column {offset - (before.rfind(chr(10)) + 1) + 1}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
