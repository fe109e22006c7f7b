"""Wrong answers a template can explain: each is what a known wrong rule gives.

A template lists, per field, the values the wrong rules below produce for its
numbers; grading tags a student's wrong answer with the rule it matches. A
wrong rule that happens to give the right value here is left out, so a right
answer is never tagged.
"""

from __future__ import annotations

from collections.abc import Callable

CHS_FIELDS = ("physical_block", "cylinder", "head", "sector")

PARTITION_START = "partition start not added to the virtual block"
SECTOR_FROM_0 = "sectors counted from 0 (they count from 1)"
CYLINDER_WITHOUT_HEADS = "cylinder = block ÷ sectors per track (heads left out)"
LIFO = "last job printed first (the spool is a queue, not a stack)"
SIDE_BY_SIDE = "jobs printed side by side (one printer prints one page at a time)"
ONE_TRAP = "one trap per request at every level"
EVERY_ACCESS = "every register access traps at this level too"


def chs_of(pb: int, heads: int, spt: int) -> dict[str, int]:
    return {
        "physical_block": pb,
        "cylinder": pb // (heads * spt),
        "head": (pb // spt) % heads,
        "sector": pb % spt + 1,
    }


def chs_wrongs(start: int, block: int, heads: int, spt: int) -> dict[str, dict[str, str]]:
    right = chs_of(start + block, heads, spt)
    rules: list[tuple[str, Callable[[], dict[str, int]]]] = [
        (PARTITION_START, lambda: chs_of(block, heads, spt)),
        (SECTOR_FROM_0, lambda: {**right, "sector": right["sector"] - 1}),
        (CYLINDER_WITHOUT_HEADS, lambda: {**right, "cylinder": (start + block) // spt}),
    ]
    wrongs: dict[str, dict[str, str]] = {name: {} for name in CHS_FIELDS}
    for label, rule in rules:
        for name, value in rule().items():
            if value != right[name]:
                wrongs[name].setdefault(str(value), label)
    return {name: values for name, values in wrongs.items() if values}


def frame_wrongs(answer: str, guests: list[str]) -> dict[str, dict[str, str]]:
    if answer == "dropped":
        wrong = {"every guest": "an unknown MAC is flooded to every guest (a switch's rule)"}
    elif answer == "every guest":
        wrong = {g: "a broadcast goes to one guest only" for g in guests}
        wrong["dropped"] = "a broadcast is dropped (it matches no one vNIC)"
    else:
        wrong = {"every guest": "every frame goes to every guest (no demultiplexing)"}
    return {"receiver": wrong}


def print_wrongs(
    guests: list[str], jobs: list[tuple[int, int]], page_us: int, right_last_s: float
) -> dict[str, dict[str, str]]:
    """``jobs``: (arrival µs, pages) in arrival order."""
    wrongs: dict[str, dict[str, str]] = {"order": {}, "last_page_s": {}}
    if len(set(guests)) > 1:
        wrongs["order"][" ".join(reversed(guests))] = LIFO
    side_by_side = max(at + pages * page_us for at, pages in jobs) / 1_000_000
    if abs(side_by_side - right_last_s) > 0.01:
        wrongs["last_page_s"][f"{side_by_side:.3f}"] = SIDE_BY_SIDE
    return {name: values for name, values in wrongs.items() if values}


def trap_wrongs(counts: dict[str, str]) -> dict[str, dict[str, str]]:
    wrongs: dict[str, dict[str, str]] = {}
    if counts["io_operation"] != "1":
        wrongs["io_operation"] = {"1": ONE_TRAP}
    for level in ("device_driver", "system_call"):
        if counts[level] != counts["io_operation"]:
            wrongs[level] = {counts["io_operation"]: EVERY_ACCESS}
    return wrongs


STATUS_WRONGS = {
    "out_of_range": {"ok": "the VMM passes a block on without checking the partition's bounds"},
    "not_owner": {"ok": "any guest may read a dedicated device, not only its owner"},
    "unknown_guest_os": {"ok": "the VMM can interpret the system calls of any guest OS"},
    "no_such_host": {"ok": "a virtual switch reaches guests not plugged into it"},
}


def status_wrongs(answer: str) -> dict[str, dict[str, str]]:
    wrong = STATUS_WRONGS.get(answer)
    return {"status": dict(wrong)} if wrong else {}
