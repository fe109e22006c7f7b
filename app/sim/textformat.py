"""The trace as text: one readable line per hop, then one line per request."""

from __future__ import annotations

from typing import Any

from .trace import Hop, RequestRecord, Trace


def hop_line(hop: Hop) -> str:
    numbers = " ".join(f"{k}={_scalar(v)}" for k, v in hop.detail.items() if _is_plain(v))
    head = (
        f"{hop.seq:>5} {hop.t_us:>11} µs  {hop.request:<6} {hop.guest or '-':<6} "
        f"{hop.stage:<16} {hop.actor:<8}"
    )
    return f"{head} {hop.summary}" + (f"  [{numbers}]" if numbers else "")


def request_line(record: RequestRecord) -> str:
    return (
        f"{record.id:<6} {record.op:<13} {record.guest or '-':<6} {record.device:<8} "
        f"{record.level:<13} {record.status:<17} traps={record.traps:<6} "
        f"overhead={record.overhead_us}µs device={record.device_us}µs "
        f"latency={record.latency_us}µs"
    )


def format_text(trace: Trace) -> str:
    lines = [f"# {trace.scenario} — level {trace.level}"]
    lines += [hop_line(hop) for hop in trace.hops]
    lines += ["", "# requests"]
    lines += [request_line(record) for record in trace.requests]
    return "\n".join(lines) + "\n"


def _is_plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, str | int | float | bool) for v in value)
    return isinstance(value, str | int | float | bool) or value is None


def _scalar(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(map(str, value)) + "]"
    return str(value)
