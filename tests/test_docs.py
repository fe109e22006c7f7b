"""The README tells the truth: its example validates, its commands exist."""

import re
from pathlib import Path

import pytest

from app.sim import load_scenario, load_scenario_file, simulate
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


def _indented_block_after(marker: str) -> list[str]:
    """The indented example that follows ``marker`` in the README, unindented."""
    rest = README[README.index(marker) + len(marker) :].lstrip("\n").splitlines()
    block = []
    for line in rest:
        if line and not line.startswith("    "):
            break
        block.append(line[4:])
    while block and not block[-1]:
        block.pop()
    return block


def test_readme_trace_and_compare_examples_are_what_the_commands_print():
    from typer.testing import CliRunner

    from app.cli import app

    runner = CliRunner()
    trace = runner.invoke(app, ["trace", str(ROOT / "scenarios" / "partitioned.yaml")]).output
    (line,) = _indented_block_after("A line of `iovlab trace scenarios/partitioned.yaml`:")
    shown = " ".join(line.removesuffix("[...]").split())
    assert any(" ".join(hop.split()).startswith(shown) for hop in trace.splitlines())
    compare = runner.invoke(app, ["compare", str(ROOT / "scenarios" / "levels.yaml")]).output
    example = _indented_block_after("`iovlab compare scenarios/levels.yaml`:")
    assert example == compare.rstrip("\n").splitlines()


def test_readme_worked_disk_example_is_the_partitioned_trace():
    from app.sim import simulate

    trace = simulate(load_scenario_file(ROOT / "scenarios" / "partitioned.yaml"))
    (served,) = [h for h in trace.hops if h.request == "r4" and h.stage == "physical_device"]
    d = served.detail
    assert (d["cylinder"], d["head"], d["sector"], d["from_cylinder"]) == (63, 3, 32, 128)
    assert served.t_us == 18_749
    assert (d["seek_us"], d["rotation_us"], d["transfer_us"]) == (6_028, 8_294, 260)
    assert d["service_us"] == 14_582
    for figure in ("t = 18,749 µs", "6,028 µs", "8,294 µs", "260 µs", "14,582 µs"):
        assert figure in README, figure


def test_every_path_the_architecture_and_layout_name_exists():
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in README
    named = set(re.findall(r"`((?:app|templates|scenarios|tests)/[\w/.<>-]*)`", architecture))
    named = {n for n in named if "<" not in n}
    assert len(named) > 15
    missing = [n for n in sorted(named) if not (ROOT / n).exists()]
    assert missing == []
    layout = README.split("## Layout", 1)[1].split("```", 2)[1]
    for folder in re.findall(r"^(app/\w+/)", layout, flags=re.M):
        assert (ROOT / folder).is_dir(), folder
    for package in ("player", "analysis", "lectures", "exercises", "platform"):
        assert f"  {package}/" in layout and (ROOT / "app" / "web" / package).is_dir()


def _readme_lines_starting(prefix: str) -> list[str]:
    return [line.strip() for line in README.splitlines() if line.strip().startswith(prefix)]


def test_readme_shows_the_hop_budget_line_the_cli_prints(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from app.cli import app

    (documented,) = _readme_lines_starting("big.yaml: workload[89]: this scenario")
    (tmp_path / "big.yaml").write_text(
        "name: anchors\nlevel: io_operation\n"
        "guests: [{id: vm1, os: linux, mac: '52:54:00:00:00:01', ip: 10.0.0.1}]\n"
        "devices: [{id: lp0, type: printer}]\n"
        "workload:\n  - &p {at_us: 0, guest: vm1, op: print, device: lp0, pages: 500}\n"
        + "  - *p\n"
        * 9_999
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IOVLAB_MAX_HOPS", raising=False)
    result = CliRunner().invoke(app, ["validate", "big.yaml"])
    assert result.exit_code == 2
    assert result.stderr.strip() == documented


def test_readme_shows_the_problems_hostile_text_gets(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from app.cli import app

    (deep,) = _readme_lines_starting("deep.yaml: ")
    (long,) = _readme_lines_starting("big.yaml: workload[0].pages")
    (tmp_path / "deep.yaml").write_text("[" * 2000)
    (tmp_path / "big.yaml").write_text(
        "name: x\nguests: [{id: vm1, os: linux, mac: '52:54:00:00:00:01', ip: 10.0.0.1}]\n"
        "devices: [{id: lp0, type: printer}]\n"
        "workload: [{guest: vm1, op: print, device: lp0, pages: " + "9" * 5000 + "}]\n"
    )
    monkeypatch.chdir(tmp_path)
    for name, documented in (("deep.yaml", deep), ("big.yaml", long)):
        result = CliRunner().invoke(app, ["validate", name])
        assert result.exit_code == 2
        assert result.stderr.strip() == documented


WORKED_EXAMPLES = [
    ("The disk that is a file", "disk-image"),
    ("Passthrough: a device assigned to one guest", "passthrough"),
    ("virtio under load", "virtio-load"),
]


def _section(title: str) -> str:
    return README.split(f"\n## {title}\n")[1].split("\n## ")[0]


@pytest.mark.parametrize(("title", "scenario"), WORKED_EXAMPLES)
def test_readme_worked_example_lines_are_hops_of_the_shipped_trace(title, scenario):
    trace = simulate(load_scenario_file(ROOT / "scenarios" / f"{scenario}.yaml"))
    hops = {(h.request, h.stage, h.summary) for h in trace.hops}
    examples = re.findall(r"^    (r\d+)  (\w+)  (.+)$", _section(title), flags=re.M)
    assert examples
    assert set(examples) <= hops


def test_readme_passthrough_table_gives_each_requests_figures():
    trace = simulate(load_scenario_file(ROOT / "scenarios" / "passthrough.yaml"))
    rows = re.findall(
        r"^\| (r\d+): .* \| (\d+) \| (\d+) µs \| (\d+) µs \| (\d+) µs \|$",
        _section(WORKED_EXAMPLES[1][0]),
        flags=re.M,
    )
    figures = {
        r.id: (str(r.traps), str(r.overhead_us), str(r.device_us), str(r.latency_us))
        for r in trace.requests
    }
    assert len(rows) == len(figures)
    for request, *numbers in rows:
        assert tuple(numbers) == figures[request], request


def test_readme_virtio_figures_and_load_table_are_what_the_simulation_gives():
    from typer.testing import CliRunner

    from app.cli import app

    path = ROOT / "scenarios" / "virtio-load.yaml"
    records = simulate(load_scenario_file(path)).requests
    vm1 = [r for r in records if r.guest == "vm1"]
    assert sum(r.traps for r in vm1) / len(vm1) == 0.125
    assert sum(r.overhead_us for r in vm1) == 10
    assert {r.overhead_us for r in records if r.guest == "vm2"} == {3}
    output = CliRunner().invoke(app, ["compare", str(path), "--load"]).output
    table = _indented_block_after("(traps, then interrupts, per\nrequest):")
    assert table == output.rstrip("\n").splitlines()


def test_readme_cost_table_is_the_cost_model_the_page_shows():
    from app.sim.costs import cost_model

    section = README[README.index("## The cost model") : README.index("## Deploying")]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith(("| what", "| ---"))
    ]
    assert rows == [[c.what, c.value, c.source] for c in cost_model()]
    assert "not a benchmark of any machine" in " ".join(section.split())


def test_readme_register_table_is_each_controller_the_device_modules_declare():
    from app.sim.registers import controllers

    section = README[README.index("- `io_operation`:") : README.index("- `device_driver`:")]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        for line in section.splitlines()
        if line.startswith("  | ") and not line.startswith(("  | device", "  | ---"))
    ]
    declared = [c for c in dict.fromkeys(controllers().values()) if c is not None]
    assert rows == [[c.device, c.per_request] for c in declared]


def test_every_load_bench_command_the_readme_gives_is_one_the_bench_takes():
    """The ways of running the class README lists (and the flags its tables name) parse."""
    import shlex

    from bench.load import arguments

    commands = re.findall(r"^\s+\.venv/bin/python bench/load\.py(.*)$", README, flags=re.M)
    assert len(commands) >= 4
    for flags in commands:
        arguments(shlex.split(flags))
