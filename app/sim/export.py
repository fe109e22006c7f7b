"""A trace as documents: the JSON of `iovlab trace --format json`, and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .trace import Hop, Trace

REQUEST_KEYS = (
    "id",
    "guest",
    "device",
    "op",
    "status",
    "traps",
    "overhead_us",
    "device_us",
    "latency_us",
)
HOP_COLUMNS = Hop._fields  # a CSV row is a hop, field for field


def trace_document(trace: Trace) -> dict[str, Any]:
    return {
        "scenario": trace.scenario,
        "level": trace.level,
        "hops": [hop.to_dict() for hop in trace.hops],
        "requests": [
            {key: value for key, value in r.to_dict().items() if key in REQUEST_KEYS}
            for r in trace.requests
        ],
    }


def trace_csv(trace: Trace) -> str:
    """One row per hop; ``detail`` as compact JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HOP_COLUMNS)
    for hop in trace.hops:
        row = hop.to_dict()
        row["detail"] = json.dumps(hop.detail, ensure_ascii=False, sort_keys=True)
        writer.writerow(["" if row[c] is None else row[c] for c in HOP_COLUMNS])
    return out.getvalue()
