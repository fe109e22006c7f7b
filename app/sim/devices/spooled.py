"""Spooled devices (a printer): shared by whole jobs, never by pages.

A job first enters the guest OS's own spool table; once the guest hands the
closed job over, it moves to the VMM's spool table (one for all guests); the
printer prints one whole job at a time, in the order the VMM received them.
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import Any

from ..costs import PRINTER_BYTES_PER_PAGE, page_us
from ..interception import Call, Waits, interrupt, trap_in
from ..machine import SPOOL_ROWS_SHOWN, Machine, SpoolState
from ..registers import LPT_JOB_DONE, lpt_page
from ..scenario import Print
from ..trace import RequestRecord


def print_job(m: Machine, req: RequestRecord, item: Print) -> Waits:
    spool = m.spools[item.device]
    guest, pages, printer = item.guest, item.pages, item.device
    guest_job = spool.next_guest_job.get(guest, 1)
    spool.next_guest_job[guest] = guest_job + 1
    own_table = spool.guest_tables.setdefault(guest, [])
    own_row = {"job": guest_job, "pages": pages, "state": "spooling", "request": req.id}
    own_table.append(own_row)
    m.hop(
        req,
        "guest_app",
        guest,
        f"{guest}'s application prints {pages} page(s) on {printer}",
        {"pages": pages},
    )
    m.hop(
        req,
        "guest_driver",
        guest,
        f"{guest}'s OS spools the document in its own spool table as job {guest_job}",
        {"guest_job": guest_job, "pages": pages, **spool.snapshot()},
    )
    call = Call(
        "paravirtual spool",
        {"guest_job": guest_job, "pages": pages, "like": "VM/370 DIAGNOSE X'14'"},
        "write",
        {"fd": 5, "bytes": pages * PRINTER_BYTES_PER_PAGE},
    )
    # The page's accesses, repeated as the traps happen: a list of every access of every
    # page would hold 2,000 references a page for each print waiting to start.
    page = lpt_page() if req.level == "io_operation" else []
    accesses = chain.from_iterable(repeat(page, pages))
    if not (yield from trap_in(m, req, guest, accesses, call)):
        own_table.remove(own_row)
        return
    own_table.remove(own_row)
    vmm_row = {"file": spool.next_file, "guest": guest, "guest_job": guest_job, "pages": pages}
    spool.next_file += 1
    ahead = [row["file"] for row in spool.vmm_table[:SPOOL_ROWS_SHOWN]]
    vmm_row["state"] = "waiting" if ahead else "next"
    spool.vmm_table.append(vmm_row)
    m.hop(
        req,
        "device_model",
        "vmm",
        f"the VMM takes {guest}'s closed job {guest_job} into its spool table as file "
        f"{vmm_row['file']} ({pages} page(s))",
        {"file": vmm_row["file"], "guest_job": guest_job, **spool.snapshot()},
    )
    queue = {"file": vmm_row["file"], "ahead": ahead, **spool.snapshot()}
    m.hop(req, "physical_mapping", "vmm", _queue_summary(vmm_row, spool, printer), queue)
    yield from _print_pages(m, req, spool, vmm_row)
    yield from interrupt(
        m,
        req,
        guest,
        f"{printer} has printed the last page: the VMM tells {guest} the job is done",
        LPT_JOB_DONE,
    )
    m.reply(
        req,
        "ok",
        f"{guest}'s job {guest_job} is printed: {pages} page(s) in the output tray",
        file=vmm_row["file"],
    )


def _print_pages(m: Machine, req: RequestRecord, spool: SpoolState, row: dict[str, Any]) -> Waits:
    waited = yield spool.feeder.claim()
    row["state"] = "printing"
    per_page = page_us(spool.printer.pages_per_minute)
    for page in range(1, row["pages"] + 1):
        req.device_us += per_page
        yield per_page
        sheet = spool.next_page_number
        spool.next_page_number += 1
        m.hop(
            req,
            "physical_device",
            spool.printer.id,
            f"{spool.printer.id} prints page {page}/{row['pages']} of spool file {row['file']} "
            f"({row['guest']})",
            {
                "job": row["file"],
                "page": page,
                "pages": row["pages"],
                "guest": row["guest"],
                "sheet": sheet,
                "page_us": per_page,
                "waited_us": waited,
            },
        )
    spool.vmm_table.remove(row)
    if spool.vmm_table:
        spool.vmm_table[0]["state"] = "next"
    spool.feeder.release()


def _queue_summary(row: dict[str, Any], spool: SpoolState, printer: str) -> str:
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
