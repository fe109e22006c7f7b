"""How a time reads on every page: µs below 10 ms, then ms, then s."""

from __future__ import annotations


def microseconds(value: int | None) -> str:
    if value is None:
        return "–"
    if value >= 1_000_000:
        return f"{value / 1_000_000:,.3f} s"
    if value >= 10_000:
        return f"{value / 1000:,.1f} ms"
    return f"{value:,} µs"
