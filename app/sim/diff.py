"""Which hops one run has and another has not.

Hops are matched by what they are (the stage, and whether a guest, the VMM or
which kind of device acts), not by their numbers, so the same request at two
levels, or through a NIC and through a virtual switch, lines up where the
paths agree and shows where they part.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from .trace import Hop

Kind = Literal["same", "only_a", "only_b"]


@dataclass(frozen=True, slots=True)
class DiffRow:
    kind: Kind
    a: Hop | None
    b: Hop | None


def signature(hop: Hop, guests: set[str], device_types: dict[str, str]) -> tuple[str, str]:
    if hop.actor in guests:
        role = "guest"
    elif hop.actor == "vmm":
        role = "vmm"
    else:
        role = device_types.get(hop.actor, hop.actor)
    return hop.stage, role


def diff_hops(
    a: list[Hop], b: list[Hop], guests: set[str], device_types: dict[str, str]
) -> list[DiffRow]:
    left = [signature(h, guests, device_types) for h in a]
    right = [signature(h, guests, device_types) for h in b]
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [
                DiffRow("same", a[i], b[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        rows += [DiffRow("only_a", a[i], None) for i in range(i1, i2)]
        rows += [DiffRow("only_b", None, b[j]) for j in range(j1, j2)]
    return rows
