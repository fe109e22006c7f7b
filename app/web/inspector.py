"""A hop's detail as a student reads it, never as JSON: a list of names joined by commas (a
guest as its chip), a list of rows as a small table, a mapping as a list of key: value.

Written in Python, not as recursive template macros: the inspector is in every hop event a
stream sends, and as macros it took half of an event's rendering. With f-strings and
escape(), not Markup.format, whose formatter is written in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Number
from typing import Any

from markupsafe import Markup, escape

from .units import microseconds

NONE = Markup('<span class="none">none</span>')
# most of a hop's details: checked by type first, as the abstract classes' checks cost
# more than the rest of a detail's rendering
_PLAIN = frozenset({str, int, float})


def guest_chip(guest: Any, colours: Mapping[str, int]) -> Markup:
    """A guest's name with its colour and shape (the second cue), or a plain chip."""
    if guest in colours:
        chip = f'<span class="gchip g{colours[guest]}"><i aria-hidden="true"></i>'
        return Markup(f"{chip}{escape(guest)}</span>")
    return Markup(f'<span class="gchip">{escape(guest or "nobody")}</span>')


def detail(key: str, value: Any, colours: Mapping[str, int]) -> Markup:
    if type(value) in _PLAIN:
        return _scalar(key, value, colours)
    if isinstance(value, Mapping):
        if not value:
            return NONE
        lines = "".join(
            f"<li>{guest_chip(k, colours) if k in colours else escape(str(k).replace('_', ' '))}"
            f": {detail(k, v, colours)}</li>"
            for k, v in value.items()
        )
        return Markup(f'<ul class="kv">{lines}</ul>')
    if _listed(value):
        items = list(value)
        if not items:
            return NONE
        if all(isinstance(row, Mapping) for row in items):
            return _table(items, colours)
        return Markup(", ").join(detail(key, v, colours) for v in items)
    return _scalar(key, value, colours)


def wide(value: Any) -> bool:
    """A table, or a mapping of tables, takes the inspector's whole width under its name."""
    if type(value) in _PLAIN:
        return False
    inner = list(value.values()) if isinstance(value, Mapping) else [value]
    if not any(isinstance(v, Iterable) and not isinstance(v, str) and v for v in inner):
        return False
    return isinstance(value, Mapping) or any(isinstance(v, Mapping) for v in value)


def _table(rows: list[Mapping[str, Any]], colours: Mapping[str, int]) -> Markup:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    head = "".join(f'<th scope="col">{escape(c.replace("_", " "))}</th>' for c in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{detail(c, row[c], colours) if c in row else '–'}</td>" for c in columns)
        + "</tr>\n"
        for row in rows
    )
    return Markup(f'<table class="dtbl"><tr>{head}</tr>\n{body}</table>')


def _scalar(key: str, value: Any, colours: Mapping[str, int]) -> Markup:
    if isinstance(value, str) and value in colours:
        return guest_chip(value, colours)
    if value is None:
        return Markup("–")
    if isinstance(value, bool):
        return Markup("yes" if value else "no")
    if key and key.endswith("_us") and (type(value) in (int, float) or isinstance(value, Number)):
        return escape(microseconds(value))
    return escape(value)


def _listed(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping))
