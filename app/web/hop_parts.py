"""The parts of the player a hop rewrites — its position, the "Now" line, the inspector, its
line of the log — and a hop's whole event, written in Python rather than as template macros.

Every stream of a session of its own renders one event a hop for its student alone; as
macros, these parts and the event's template around them were most of that rendering (a
class of 500 with requests of their own spends its cores on it). The page and a full event
draw the same parts through ``templates/diagram/parts.html``, whose macros call these, so
each part has one definition. The pieces of the machine a hop changes and the Requests
table's rows stay macros (``pieces.html``), called from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from app.diagram.route import Move
from app.sim.trace import Hop

from .inspector import detail, guest_chip, wide
from .units import microseconds

Colours = Mapping[str, int]


def _words(value: Any) -> str:
    """A name with its underscores as spaces, escaped, as the templates'
    ``{{ name | replace("_", " ") }}``."""
    return escape(str(value).replace("_", " "))


# Built with f-strings and escape(), not Markup.format: markupsafe's formatter is written in
# Python and cost more than the template it replaced. Every value from a trace is escaped;
# numbers are written as they are; Markup (a guest's chip, a detail, a piece) as it is.


def position(k: int, total: int, hop: Hop | None) -> Markup:
    at = f" · t = <strong>{escape(microseconds(hop.t_us))}</strong>" if hop else ""
    return Markup(f"hop <strong>{k + 1:,}</strong> of {total:,}{at}")


def now(hop: Hop | None, g: Colours) -> Markup:
    if not hop:
        return Markup(
            "Nothing has happened yet: press <kbd>Space</kbd> to play, or <kbd>→</kbd> to take "
            "one step."
        )
    status = ""
    if hop.stage == "status_reply":
        said = hop.detail.get("status", "")
        status = f' <b class="{"ok" if said == "ok" else "err"}">status {_words(said)}</b>'
    chip = guest_chip(hop.guest, g) if hop.guest else ""
    return Markup(
        f'<span class="stage-tag s-{escape(hop.stage)}">{_words(hop.stage)}</span>\n'
        f'<span class="req">{escape(hop.request)}</span> {chip} '
        f'<span class="sum">{escape(hop.summary)}</span>{status}'
    )


def log_line(h: Hop, g: Colours, current: bool = False) -> Markup:
    lit = ' class="current" aria-current="true"' if current else ""
    return Markup(
        f'<li id="log-{h.seq}" data-k="{h.seq}" data-guest="{escape(h.guest or "")}" '
        f'data-actor="{escape(h.actor)}" data-category="{escape(h.category)}" '
        f'data-stage="{escape(h.stage)}"{lit}><button type="button" data-goto="{h.seq}">'
        f'<span class="n">{h.seq + 1}</span> <span class="t">{escape(microseconds(h.t_us))}</span> '
        f'<span class="req">{escape(h.request)}</span> '
        f'<span class="dot g{g.get(h.guest or "", "x")}" aria-hidden="true"></span>'
        f"{escape(h.summary)}</button></li>"
    )


def _label(key: str) -> str:
    """A detail's name; a guest the hop names besides its own (a port table's answer) is the
    one the request goes to."""
    return "to guest" if key == "guest" else _words(key)


_WIDE = ' class="wide"'  # a table takes the inspector's whole width under its name


def inspector(hop: Hop | None, record: Mapping[str, Any] | None, g: Colours) -> Markup:
    if not hop:
        return Markup('<p class="hint">Each hop\'s numbers show here.</p>')
    details = "".join(
        f"<dt>{_label(key)}</dt><dd{_WIDE if wide(value) else ''}>{detail(key, value, g)}</dd>\n"
        for key, value in hop.detail.items()
        if not (key == "guest" and value == hop.guest)  # the heading's guest, said once
    )
    return Markup(
        f"<h3>hop {hop.seq + 1} · {escape(hop.request)} · {_words(hop.stage)}</h3>\n"
        '<dl class="grid">\n'
        f"<dt>guest</dt><dd>{guest_chip(hop.guest, g) if hop.guest else '–'}</dd>\n"
        f"<dt>device</dt><dd>{escape(hop.device)} · {escape(hop.category)}</dd>\n"
        f"<dt>level</dt><dd>{_words(hop.level)}</dd>\n"
        f"<dt>time</dt><dd>{escape(microseconds(hop.t_us))}</dd>\n"
        f"{details}</dl>\n{_record(record) if record else ''}"
    )


def _record(record: Mapping[str, Any]) -> str:
    if record["status"] == "in flight":
        figures = "in flight: its figures come with its last hop"
    else:
        traps = record["traps"]
        figures = (
            f"{_words(record['status'])} · {escape(traps)} trap{'s' if traps != 1 else ''} · "
            f"latency {escape(microseconds(record['latency_us']))}"
        )
    return f'<p class="rec">{escape(record["id"])}: {_words(record["op"])} · {figures}</p>'


def hop_event(
    *,
    k: int,
    total: int,
    hop: Hop,
    move: Move,
    trail: str,
    span: str,
    g: Colours,
    record: Mapping[str, Any] | None,
    changed: Mapping[str, Any],
    rows: list[Mapping[str, Any]],
    starts: bool,
    line: str,
    piece: Callable[..., str],
    request_row: Callable[..., str],
) -> str:
    """Hop ``k``'s event: where the token goes, then the parts and pieces the hop changed,
    each an htmx out-of-band swap (``piece`` and ``request_row``: pieces.html's macros),
    and ``line``, the hop's line of the log."""
    out = [
        f'<template id="hop" data-k="{k}" data-request="{escape(hop.request)}" '
        f'data-station="{escape(move.station)}" data-rail="{escape(move.rail)}" '
        f'data-x="{move.x}" data-y="{move.y}" data-colour="{move.colour}" '
        f'data-status="{escape(move.status or "")}" data-path="{escape(move.path)}" '
        f'data-trail="{escape(trail)}" data-span="{escape(span)}"></template>\n'
        f'<div hx-swap-oob="innerHTML:#level-now">{_words(hop.level)}</div>\n'
        f'<div hx-swap-oob="innerHTML:#position">{position(k, total, hop)}</div>\n'
        f'<div hx-swap-oob="innerHTML:#now">{now(hop, g)}</div>\n'
        f'<div hx-swap-oob="innerHTML:#inspector">{inspector(hop, record, g)}</div>\n'
    ]
    for pid, p in changed.items():
        out.append(f'<div hx-swap-oob="innerHTML:#pc-{escape(pid)}">{piece(p, g)}</div>\n')
    out.append(f'<ol hx-swap-oob="beforeend:#log">{line}</ol>\n')
    for r in rows:
        if starts:
            out.append(
                '<table><tbody hx-swap-oob="afterbegin:#req-rows">'
                f"{request_row(r, g)}</tbody></table>"
            )
        else:
            out.append(f"<table><tbody>{request_row(r, g, oob=True)}</tbody></table>")
    return "".join(out)
