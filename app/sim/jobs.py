"""A print request and the ``print_out`` that printed its job.

A guest's ``print`` ends once its job is in the VMM's spool table; the VMM
prints the job later as a request of its own. Both name the same spool file
(``detail.file`` of their status replies), which is how they are paired.
"""

from __future__ import annotations

from .trace import RequestRecord, Trace


def print_outs(trace: Trace) -> dict[str, RequestRecord]:
    """``{print request id: the print_out request that printed its job}``."""
    records = {r.id: r for r in trace.requests}
    spooled: dict[tuple[str, int], str] = {}
    printed: dict[tuple[str, int], RequestRecord] = {}
    for hop in trace.hops:
        if hop.stage != "status_reply" or hop.detail.get("file") is None:
            continue
        record = records[hop.request]
        key = (record.device, hop.detail["file"])
        if record.op == "print":
            spooled[key] = record.id
        elif record.op == "print_out":
            printed[key] = record
    return {request: printed[key] for key, request in spooled.items() if key in printed}
