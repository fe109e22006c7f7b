"""The README tells the truth: its example validates, its commands exist."""

import re
from pathlib import Path

from app.sim import load_scenario, load_scenario_file
from app.sim.trace import STATUSES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_scenario_example_is_valid_and_is_the_shipped_all_devices_machine():
    (block,) = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)
    documented = load_scenario(block)
    shipped = load_scenario_file(ROOT / "scenarios" / "all-devices.yaml")
    assert documented.guests == shipped.guests
    assert documented.devices == shipped.devices
    assert documented.workload == shipped.workload


def test_readme_gives_the_two_setup_commands_and_ci_runs_the_test_one():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, flags=re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_names_every_status_code_the_core_can_return():
    for status in STATUSES:
        assert f"`{status}`" in README, status


def test_readme_documents_every_setting():
    from app.settings import Settings

    for name, field in Settings.model_fields.items():
        alias = "DATABASE_URL" if name == "database_url" else f"IOVLAB_{name.upper()}"
        assert f"`{alias}`" in README, name
        assert field.description, name
