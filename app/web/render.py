"""Rendering shared by every feature: the composer of requests, and the filters and names
the templates use."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from app.exercises.grading import tolerance_note
from app.sessions import Live
from app.sim import LEVELS
from app.sim.compare import share
from app.sim.interception import INTERCEPTION
from app.sim.scenario import CATEGORIES, OP_DEVICE_TYPES
from app.sim.scenario import OP_FIELDS as OP_FIELDS  # the composer's fields, for its routes
from app.sim.trace import STAGES

from . import hop_parts, inspector
from .analysis.charts import short_number
from .units import microseconds

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


def install_filters(env: Environment) -> None:
    env.trim_blocks = True  # no blank lines where template tags stood: smaller fragments
    env.lstrip_blocks = True
    env.filters["us"] = microseconds
    env.filters["wide_detail"] = inspector.wide
    env.filters["speed"] = lambda s: f"{s:g}×"
    env.filters["short"] = short_number
    env.filters["tolerance_note"] = tolerance_note
    env.filters["plural"] = plural
    env.filters["share"] = share  # of the native latency, as the CLI's compare prints it
    env.globals.update(
        SPEEDS=SPEEDS,
        LEVELS=LEVELS,
        INTERCEPTION=INTERCEPTION,
        STAGES=STAGES,
        CATEGORIES=CATEGORIES,
        guest_chip=inspector.guest_chip,
        detail=inspector.detail,
        # the parts a hop rewrites, one definition for the page and the events (hop_parts.py)
        hop_position=hop_parts.position,
        hop_now=hop_parts.now,
        hop_inspector=hop_parts.inspector,
    )


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 question``, ``2 questions``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def composed_fields(op: str, device_type: str) -> tuple[str, ...]:
    """The fields a person fills in for ``op`` on a device of ``device_type``: a passthrough
    NIC's send also says where its frames lie, so a student can aim its DMA past the
    guest's memory and watch the IOMMU refuse it."""
    fields = OP_FIELDS.get(op, ())
    if device_type == "passthrough" and op == "net_send":
        fields = (*fields, "buffer")
    return fields


def composer_context(live: Live, device: str = "", op: str = "", guest: str = "") -> dict[str, Any]:
    """What the composer of requests shows for ``device`` and ``op`` (the first ones by default)."""
    devices = live.scenario.devices
    chosen = next((d for d in devices if d.id == device), devices[0] if devices else None)
    ops = [o for o, types in OP_DEVICE_TYPES.items() if chosen and chosen.type in types]
    op = op if op in ops else (ops[0] if ops else "")
    return {
        "session": live,
        "device": chosen,
        "ops": ops,
        "op": op,
        "fields": composed_fields(op, chosen.type if chosen else ""),
        "guest": guest,
        "dedicated": [d for d in devices if d.type in ("keyboard", "mouse")],
        "problems": [],
    }
