"""The core is pure: no web, no database, no clock, no global random source."""

import ast
import subprocess
import sys
from pathlib import Path

import app.sim

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
    "app.sessions",
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


PROBE = """
import random, time
def forbidden(*args, **kwargs):
    raise SystemExit("the simulation core read the clock or the global random generator")
for name in ("time", "monotonic", "perf_counter", "time_ns", "process_time"):
    setattr(time, name, forbidden)
for name in ("random", "randint", "choice", "shuffle", "uniform", "randrange", "getrandbits"):
    setattr(random, name, forbidden)
from pathlib import Path
from app.sim import LEVELS, load_scenario_file, simulate
for path in sorted(Path("scenarios").glob("*.yaml")):
    for level in LEVELS:
        assert simulate(load_scenario_file(path), level=level).hops
print("pure")
"""


def test_simulation_reads_neither_the_clock_nor_the_global_random_generator():
    # in a process of its own: patching the clock here would break other threads
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "pure"
