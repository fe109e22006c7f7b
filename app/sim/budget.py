"""The hop budget: how much work one simulation may do before it is refused.

The size of a scenario's text says little about its work: one YAML anchor can
repeat a 500-page print at the I/O-operation level ten thousand times. The
budget bounds what a run makes (hops, each held in memory and replayed on every
command), and it is checked while simulating, so a run that would pass it stops
at the first hop past it and returns no trace at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .devices.lpt import lpt_page
from .problems import ScenarioError
from .scenario import DiskRead, DiskWrite, NetSend, Print, WorkloadItem
from .trace import RequestRecord, Trace

# The worst session under it takes 1-1.5 s of CPU and holds at most ~130 MiB on the
# 2-core machine of the README's figures (bench/worst_session.py measures both).
DEFAULT_MAX_HOPS = 200_000


class BudgetPassed(Exception):
    """Raised by the recorder at the first hop past the budget."""

    def __init__(self, request: RequestRecord) -> None:
        super().__init__(request.id)
        self.request = request


class HopBudgetExceeded(ScenarioError):
    """A scenario or command whose trace would pass the hop budget.

    A :class:`ScenarioError` with one problem, so every caller that shows a
    scenario's problems (the API's 422, the CLI's exit 2) shows this one too.
    """

    def __init__(self, budget: int, origin: str, problem: str) -> None:
        super().__init__([problem])
        self.budget = budget
        self.origin = origin


def budget_exceeded(
    budget: int,
    passed: RequestRecord,
    trace: Trace,
    workload: Sequence[WorkloadItem],
    commands: Sequence[WorkloadItem],
) -> HopBudgetExceeded:
    """The error for a run stopped at ``passed``'s hop, naming what to shrink."""
    item = _item_of(passed.origin, workload, commands)
    where = f"{passed.origin} ({_describe(item, passed.level)})"
    heaviest = _heaviest(trace)
    if heaviest is not None and heaviest[0].origin != passed.origin:
        record, hops = heaviest
        heavy = _item_of(record.origin, workload, commands)
        where += (
            f"; the most so far came from {record.origin} "
            f"({_describe(heavy, record.level)}: {hops:,} hops)"
        )
    problem = (
        f"{passed.origin or 'scenario'}: this scenario would make more than {budget:,} hops "
        f"(the budget) — it passed it at {where}; {_advice(item, passed.level)}"
    )
    return HopBudgetExceeded(budget, passed.origin, problem)


def _item_of(
    origin: str, workload: Sequence[WorkloadItem], commands: Sequence[WorkloadItem]
) -> WorkloadItem | None:
    name, _, rest = origin.partition("[")
    items = workload if name == "workload" else commands if name == "command" else ()
    index = int(rest.rstrip("]")) if rest.rstrip("]").isdigit() else -1
    return items[index] if 0 <= index < len(items) else None


def _heaviest(trace: Trace) -> tuple[RequestRecord, int] | None:
    counts = Counter(hop.request for hop in trace.hops)
    if not counts:
        return None
    request_id, hops = counts.most_common(1)[0]
    record = next(r for r in trace.requests if r.id == request_id)
    return record, hops


def _describe(item: WorkloadItem | None, level: str) -> str:
    if item is None:
        return f"at {level} level"
    what = f"{item.op} on {item.device}"
    if isinstance(item, Print):
        what = f"{item.op} of {item.pages} pages on {item.device}"
    elif isinstance(item, DiskRead | DiskWrite):
        what = f"{item.op} of {item.count} blocks on {item.device}"
    elif isinstance(item, NetSend):
        what = f"{item.op} of {item.bytes:,} bytes on {item.device}"
    what += f" at {level} level"
    if isinstance(item, Print) and level == "io_operation":
        what += f": {sum(a.traps for a in lpt_page()):,} traps a page"
    return what


def _advice(item: WorkloadItem | None, level: str) -> str:
    shrink = []
    if isinstance(item, Print):
        shrink.append("fewer pages")
    elif isinstance(item, DiskRead | DiskWrite):
        shrink.append("fewer blocks")
    elif isinstance(item, NetSend):
        shrink.append("fewer bytes")
    shrink.append("fewer items or commands")
    if level == "io_operation":
        shrink.append("a higher level (device_driver: one trap a request)")
    return "use " + ", or ".join(shrink)
