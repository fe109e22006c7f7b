"""Geometry for the server-rendered SVG charts: grouped bars and device timelines.

Only numbers here; the templates draw them. Coordinates are in the SVG's own
units (the viewBox), so the charts scale with the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from app.sim.contention import Bar

from .guests import GuestKey, key_of

WIDTH = 480
PLOT_LEFT = 60
PLOT_TOP = 12
PLOT_HEIGHT = 150
VALUE_FONT = 13  # a bar's value above it, at most (CSS px = the viewBox's units)
DIGIT_EM = 0.64  # a figure's width in ems (DejaVu Sans's are 0.636), a little over


@dataclass(slots=True)
class BarChart:
    title: str
    unit: str
    log: bool
    groups: list[str]
    series: list[str]
    bars: list[dict[str, Any]] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    height: int = PLOT_TOP + PLOT_HEIGHT + 44
    value_font: float = VALUE_FONT  # small enough that two bars' values side by side never touch


def grouped_bars(
    title: str,
    unit: str,
    groups: list[str],
    series: list[str],
    values: dict[tuple[str, str], float],
) -> BarChart:
    """Bars per group, one per series; a log scale when values span over 100×."""
    positive = [v for v in values.values() if v > 0]
    top = max(positive, default=1.0)
    low = min(positive, default=1.0)
    log = top / low > 100
    chart = BarChart(title, unit, log, groups, series)
    scale = _log_scale(top) if log else _linear_scale(top)
    group_width = (WIDTH - PLOT_LEFT - 10) / max(len(groups), 1)
    bar_width = group_width * 0.9 / max(len(series), 1)
    longest = max((len(short_number(v)) for v in values.values()), default=1)
    chart.value_font = round(min(VALUE_FONT, bar_width / (DIGIT_EM * longest)), 1)
    for g, group in enumerate(groups):
        for s, name in enumerate(series):
            value = values.get((group, name), 0.0)
            height = scale(value) * PLOT_HEIGHT
            chart.bars.append(
                {
                    "x": PLOT_LEFT + g * group_width + group_width * 0.05 + s * bar_width,
                    "y": PLOT_TOP + PLOT_HEIGHT - height,
                    "w": bar_width - 2,
                    "h": height,
                    "series": s,
                    "group": group,
                    "name": name,
                    "value": value,
                }
            )
    chart.ticks = _ticks(top, log)
    return chart


def _linear_scale(top: float) -> Any:
    return lambda v: v / top if top else 0.0


def _log_scale(top: float) -> Any:
    span = math.log10(top) + 1  # the axis starts at 0.1
    return lambda v: max(0.0, (math.log10(v) + 1) / span) if v > 0 else 0.0


def _ticks(top: float, log: bool) -> list[dict[str, Any]]:
    if log:
        span = math.log10(top) + 1
        values = [10**e for e in range(0, math.floor(math.log10(top)) + 1)]
        positions = [(math.log10(v) + 1) / span for v in values]
    else:
        values = [top * f for f in (0, 0.5, 1)]
        positions = [0, 0.5, 1]
    return [
        {"y": PLOT_TOP + PLOT_HEIGHT * (1 - p), "label": _short(v)}
        for v, p in zip(values, positions, strict=True)
    ]


def short_number(value: float) -> str:
    """A chart label: 2.0M, 8k, 9.7, 0.5."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"


def _short(value: float) -> str:
    """An axis label, to three figures: 4.6k, 5.95, 0.1."""
    if value >= 1_000_000:
        return f"{_figures(value / 1_000_000)}M"
    if value >= 1000:
        return f"{_figures(value / 1000)}k"
    return _figures(value) if value >= 1 or value == 0 else f"{value:.1f}"


def _figures(value: float) -> str:
    """Three significant figures, never in exponent form, no trailing zeros."""
    if value == 0:
        return "0"
    decimals = max(0, 2 - math.floor(math.log10(abs(value))))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(slots=True)
class Timeline:
    rows: list[dict[str, Any]]
    bars: list[dict[str, Any]]
    ticks: list[dict[str, Any]]
    height: int
    start_us: int
    end_us: int


ROW_HEIGHT = 22
LABEL_WIDTH = 130
TIMELINE_WIDTH = 1000


def timeline_chart(bars: list[Bar], keys: dict[str, GuestKey], window: tuple[int, int]) -> Timeline:
    """One row per (device, guest), in the guest's colour and shape; bars clipped to ``window``."""
    start, end = window
    span = max(end - start, 1)
    # a device's rows in the order the player lists its guests
    pairs = sorted(
        {(b.device, b.guest or "") for b in bars},
        key=lambda p: (p[0], key_of(keys, p[1] or None).index, p[1]),
    )
    rows: list[dict[str, Any]] = [
        {"device": d, "guest": g, "y": 20 + i * ROW_HEIGHT, "key": key_of(keys, g or None)}
        for i, (d, g) in enumerate(pairs)
    ]
    index = {(r["device"], r["guest"]): r for r in rows}
    drawn = []
    plot = TIMELINE_WIDTH - LABEL_WIDTH - 10
    for bar in bars:
        if bar.end_us < start or bar.start_us > end:
            continue
        row = index[(bar.device, bar.guest or "")]
        x0 = LABEL_WIDTH + (max(bar.start_us, start) - start) / span * plot
        x1 = LABEL_WIDTH + (min(bar.end_us, end) - start) / span * plot
        drawn.append(
            {
                "x": x0,
                "y": row["y"] + (4 if bar.kind == "busy" else 8),
                "w": max(x1 - x0, 1.0),
                "h": ROW_HEIGHT - (8 if bar.kind == "busy" else 16),
                "kind": bar.kind,
                "key": row["key"],
                "title": f"{bar.label}: {bar.kind} {bar.start_us:,}-{bar.end_us:,} µs",
                "at": bar.seq + 1,  # the player's address of the hop behind the bar
            }
        )
    ticks = [
        {"x": LABEL_WIDTH + f * plot, "label": _time_label(start + f * span)}
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    return Timeline(rows, drawn, ticks, 30 + len(rows) * ROW_HEIGHT, start, end)


def _time_label(us: float) -> str:
    if us >= 1_000_000:
        return f"{us / 1_000_000:.2f} s"
    if us >= 1000:
        return f"{us / 1000:.1f} ms"
    return f"{us:.0f} µs"
