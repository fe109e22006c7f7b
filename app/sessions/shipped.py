"""The scenarios that ship with iovlab, read from the scenarios directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.sim import Scenario, load_scenario
from app.sim.scenario import CATEGORIES, CATEGORY_OF_TYPE

# The order of the cards on the home page: one per category (its scenario is named after
# it), then the wholes.
ORDER = (*CATEGORIES, "all-devices", "levels")


@dataclass(frozen=True, slots=True)
class Shipped:
    name: str
    source: str
    scenario: Scenario

    @property
    def categories(self) -> list[str]:
        found = {CATEGORY_OF_TYPE[d.type] for d in self.scenario.devices}
        return [c for c in CATEGORIES if c in found]


def load_shipped(directory: Path) -> dict[str, Shipped]:
    found = {}
    for path in sorted(directory.glob("*.yaml")):
        source = path.read_text(encoding="utf-8")
        found[path.stem] = Shipped(path.stem, source, load_scenario(source))
    rank = {name: i for i, name in enumerate(ORDER)}
    return dict(sorted(found.items(), key=lambda kv: (rank.get(kv[0], len(ORDER)), kv[0])))
