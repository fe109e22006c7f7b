"""The core is pure: no web, no database, no clock, no global random source."""

import ast
import random
import time
from pathlib import Path

import app.sim
from app.sim import load_scenario_file, simulate

CORE = Path(app.sim.__file__).parent
ROOT = CORE.parents[1]
FORBIDDEN_MODULES = {
    "fastapi",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "jinja2",
    "time",
    "datetime",
    "random",
    "os",
    "secrets",
    "uuid",
    "app.web",
    "app.store",
    "app.cli",
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_core_modules_import_nothing_of_the_web_the_database_or_the_clock():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for name in imported_modules(path):
            if name in FORBIDDEN_MODULES or name.split(".")[0] in FORBIDDEN_MODULES:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_simulation_reads_neither_the_clock_nor_the_global_random_generator(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the simulation core read the clock or the global random generator")

    for name in ("time", "monotonic", "perf_counter", "time_ns"):
        monkeypatch.setattr(time, name, forbidden)
    for name in ("random", "randint", "choice", "shuffle", "uniform", "randrange", "seed"):
        monkeypatch.setattr(random, name, forbidden)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        for level in app.sim.LEVELS:
            assert simulate(load_scenario_file(path), level=level).hops
