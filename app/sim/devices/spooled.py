"""Spooled devices (a printer): shared by whole jobs, never by pages.

A job first enters the guest OS's own spool table; the guest hands its closed
jobs over one at a time, in the order it spooled them, into the VMM's spool
table (one for all guests). The ``print`` request ends there: the guest's
application goes on, which is the point of spooling. Printing is the VMM's own
work: a ``print_out`` request, made when the printer takes the job, prints it
whole, one page after another, in the order the VMM received the jobs.

At the system-call level the VMM catches the application's write before the
guest OS spools anything, so the job goes straight into the VMM's table.
"""

from __future__ import annotations

from collections.abc import Generator
from itertools import chain, repeat
from typing import Any

from ..costs import CostLine
from ..details import GuestSpoolRow, PagePrinted, SpoolRow
from ..engine import Process
from ..interception import Call, Waits, interrupt, level_of, syscall_name, trap_in
from ..machine import SPOOL_ROWS_SHOWN, Machine, SpoolState
from ..registers import Controller
from ..scenario import Print
from ..trace import RequestRecord
from . import Handler
from .lpt import LPT1, LPT_JOB_DONE, PRINTER_BYTES_PER_PAGE, lpt_page


def page_us(pages_per_minute: int) -> int:
    """One page's time: 60 s ÷ pages_per_minute (office laser 20-40 ppm)."""
    return round(60_000_000 / pages_per_minute)


def print_job(m: Machine, req: RequestRecord, item: Print) -> Waits:
    spool = m.spools[item.device]
    guest, pages, printer = item.guest, item.pages, item.device
    m.hop(
        req,
        "guest_app",
        guest,
        f"{guest}'s application prints {pages} page(s) on {printer}",
        {"pages": pages},
    )
    call = Call(
        "paravirtual spool",
        {
            "pages": pages,
            "like": "VM/370: one SIO to virtual printer 00E, its channel program spooled by CP",
        },
        "write",
        {"fd": 5, "bytes": pages * PRINTER_BYTES_PER_PAGE},
    )
    if not level_of(req).in_guest_driver:  # the VMM catches the write before the OS spools
        if not (yield from trap_in(m, req, guest, [], call)):
            return
        row = _into_vmm_table(m, req, spool, guest, None, pages, _interpreted(m, guest, printer))
    else:
        row = yield from _hand_over(m, req, spool, guest, pages, call)
    ahead = _queue_hop(m, req, spool, row)
    m.engine.start(print_out(m, spool, row, req.level))
    if level_of(req).in_guest_driver:
        yield from interrupt(
            m,
            req,
            guest,
            f"the VMM has {guest}'s whole job in its spool table and tells {guest}'s driver",
            LPT_JOB_DONE,
        )
    m.reply(req, "ok", _released(m, req, guest, row, ahead), file=row["file"], place=len(ahead) + 1)


def _hand_over(
    m: Machine, req: RequestRecord, spool: SpoolState, guest: str, pages: int, call: Call
) -> Generator[Any, Any, SpoolRow]:
    """The guest OS spools the job, then hands it to the VMM after its earlier jobs."""
    guest_job = spool.next_guest_job.get(guest, 1)
    spool.next_guest_job[guest] = guest_job + 1
    own_table = spool.guest_tables.setdefault(guest, [])
    handover = spool.handover(guest, m.engine)
    state = "waiting" if handover.busy else "handing over"
    own_row: GuestSpoolRow = {"job": guest_job, "pages": pages, "state": state, "request": req.id}
    own_table.append(own_row)
    m.hop(
        req,
        "guest_driver",
        guest,
        f"{guest}'s OS spools the document in its own spool table as job {guest_job}"
        + (", behind its earlier job" if state == "waiting" else ""),
        {"guest_job": guest_job, "pages": pages, **spool.snapshot()},
    )
    yield handover.claim()
    own_row["state"] = "handing over"
    call = Call(call.driver, {"guest_job": guest_job, **call.request}, call.syscall, call.args)
    # The page's accesses, repeated as the traps happen: a list of every access of every
    # page would hold 2,000 references a page for each print waiting to start.
    page = lpt_page() if level_of(req).registers else []
    accesses = chain.from_iterable(repeat(page, pages))
    yield from trap_in(m, req, guest, accesses, call)
    own_table.remove(own_row)
    summary = f"the VMM takes {guest}'s closed job {guest_job} into its spool table"
    row = _into_vmm_table(m, req, spool, guest, guest_job, pages, summary)
    handover.release()
    return row


def _into_vmm_table(
    m: Machine,
    req: RequestRecord,
    spool: SpoolState,
    guest: str,
    guest_job: int | None,
    pages: int,
    summary: str,
) -> SpoolRow:
    row: SpoolRow = {
        "file": spool.next_file,
        "guest": guest,
        "guest_job": guest_job,
        "pages": pages,
        "state": "waiting" if spool.vmm_table else "next",
    }
    spool.next_file += 1
    spool.vmm_table.append(row)
    m.hop(
        req,
        "device_model",
        "vmm",
        f"{summary} as file {row['file']} ({pages} page(s))",
        {"file": row["file"], "guest_job": guest_job, **spool.snapshot()},
    )
    return row


def _queue_hop(m: Machine, req: RequestRecord, spool: SpoolState, row: SpoolRow) -> list[int]:
    """The job's place in the VMM's spool table; returns the files ahead of it."""
    ahead = [r["file"] for r in spool.vmm_table if r["file"] != row["file"]]
    queue = {"file": row["file"], "ahead": ahead[:SPOOL_ROWS_SHOWN], **spool.snapshot()}
    m.hop(req, "physical_mapping", "vmm", _queue_summary(row, spool), queue)
    return ahead


def print_out(m: Machine, spool: SpoolState, row: SpoolRow, level: str) -> Process:
    """The VMM prints one spool file: a request of its own, from when the printer takes it."""
    waited = (yield spool.feeder.claim()) or 0
    printer = spool.printer.id
    req = m.new_request("print_out", row["guest"], printer, level)
    req.origin = f"spool file {row['file']}"
    row["state"] = "printing"
    m.hop(
        req,
        "physical_mapping",
        "vmm",
        f"{printer} takes spool file {row['file']} ({row['guest']}, {row['pages']} page(s)) "
        f"from the VMM's spool table",
        {"file": row["file"], "pages": row["pages"], "waited_us": waited, **spool.snapshot()},
    )
    per_page = page_us(spool.printer.pages_per_minute)
    for page in range(1, row["pages"] + 1):
        req.device_us += per_page
        yield per_page
        _page_hop(m, req, spool, row, page, per_page, waited)
    spool.vmm_table.remove(row)
    if spool.vmm_table:
        spool.vmm_table[0]["state"] = "next"
    m.reply(
        req,
        "ok",
        f"{printer} has printed spool file {row['file']} of {row['guest']}: "
        f"{row['pages']} page(s) in the output tray",
        by=printer,
        file=row["file"],
        pages=row["pages"],
        **spool.snapshot(),
    )
    spool.feeder.release()


def _page_hop(
    m: Machine,
    req: RequestRecord,
    spool: SpoolState,
    row: SpoolRow,
    page: int,
    per_page: int,
    waited: int,
) -> None:
    sheet = spool.next_page_number
    spool.next_page_number += 1
    printed: PagePrinted = {
        "job": row["file"],
        "page": page,
        "pages": row["pages"],
        "guest": row["guest"],
        "sheet": sheet,
        "page_us": per_page,
        "waited_us": waited,
    }
    m.hop(
        req,
        "physical_device",
        spool.printer.id,
        f"{spool.printer.id} prints page {page}/{row['pages']} of spool file {row['file']} "
        f"({row['guest']})",
        printed,
    )


def _interpreted(m: Machine, guest: str, printer: str) -> str:
    os = m.guests[guest].os
    name = syscall_name(os, "write")[0]
    return (
        f"the VMM interprets {name} with its {os} knowledge: fd 5 is {printer}, so it takes "
        f"the document into its spool table"
    )


def _released(m: Machine, req: RequestRecord, guest: str, row: SpoolRow, ahead: list[int]) -> str:
    place = "first" if not ahead else f"number {len(ahead) + 1}"
    return RELEASED[req.level].format(
        guest=guest,
        guest_job=row["guest_job"],
        call=syscall_name(m.guests[guest].os, "write")[0],
        bytes=row["pages"] * PRINTER_BYTES_PER_PAGE,
        spooled=f"spooled as file {row['file']}, {place} in the VMM's spool table",
    )


# How a print request ends at each level, once its job is in the VMM's spool table
# (fields: guest, guest_job, call, bytes, spooled).
RELEASED: dict[str, str] = {
    "io_operation": "{guest}'s job {guest_job} is {spooled}: {guest}'s application goes on",
    "device_driver": "{guest}'s job {guest_job} is {spooled}: {guest}'s application goes on",
    "system_call": "{call} returns {bytes} (bytes) to {guest}'s application: {spooled}; it goes on",
}


def _queue_summary(row: SpoolRow, spool: SpoolState) -> str:
    printer = spool.printer.id
    ahead = len(spool.vmm_table) - 1
    if not ahead:
        return f"the VMM's spool table: file {row['file']} goes to {printer} next"
    first = spool.vmm_table[0]
    behind = f"file {first['file']} ({first['guest']})"
    if ahead > 1:
        behind += f" and {ahead - 1} more"
    return (
        f"the VMM's spool table: file {row['file']} waits behind {behind}; "
        f"{printer} prints whole jobs only"
    )


# What this module handles, by (operation, device type): the simulation finds it here.
HANDLERS: dict[tuple[str, str], Handler] = {("print", "printer"): print_job}

# Each device type's controller, and what its requests are charged.
REGISTERS: dict[str, Controller | None] = {"printer": LPT1}
COSTS: dict[str, tuple[CostLine, ...]] = {
    "printer": (CostLine("printer page", "60 s ÷ pages_per_minute", "office laser 20–40 ppm"),),
}
