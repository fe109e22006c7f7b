"""``simulate(scenario, commands) -> Trace``: the one entry point of the core.

The same scenario and commands give the same trace, hop for hop: the engine
orders same-time events by when they were scheduled, the workload is scheduled
before the commands, and nothing here reads a clock or a global random source.

A run that would make more than ``max_hops`` hops stops at the first hop past
it and raises :class:`HopBudgetExceeded`: no trace, not even part of one.

A command starts after everything else due at its time, so a command issued at
simulated time t leaves every hop at or before t as it was: what a user has
already watched never changes under them.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

from .budget import DEFAULT_MAX_HOPS, BudgetPassed, budget_exceeded
from .collector import collector_paused
from .devices import handlers
from .engine import Engine
from .machine import Machine
from .scenario import GuestItem, Level, Scenario, SwitchOwner, WorkloadItem
from .trace import Trace


def simulate(
    scenario: Scenario,
    commands: Iterable[WorkloadItem] = (),
    *,
    level: Level | None = None,
    max_hops: int | None = DEFAULT_MAX_HOPS,
    native: bool = False,
) -> Trace:
    """Run the scenario's workload and then ``commands`` (each at its ``at_us``).

    ``level`` forces one interception level on every request (for comparing
    levels); without it each request uses its own ``level`` or the scenario's.
    ``max_hops`` is the hop budget (None: no budget, for benches and tests).
    ``native`` runs the same workload on the bare machine: the guests' drivers
    on the real devices, no VMM (the baseline of every figure of its cost).
    """
    if native:
        level = "device_driver"  # the drivers' own path, with the VMM taken out
    commands = tuple(commands)
    engine = Engine()
    trace = Trace(scenario=scenario.name, level="native" if native else level or scenario.level)
    machine = Machine(scenario, engine, trace, max_hops, native=native)
    for index, item in enumerate(scenario.workload):
        process = _request(
            machine, item, level or item.level or scenario.level, f"workload[{index}]"
        )
        engine.start(process, item.at_us)
    for index, item in enumerate(commands):
        process = _request(
            machine, item, level or item.level or scenario.level, f"command[{index}]"
        )
        engine.start(process, item.at_us, priority=1)
    try:
        with collector_paused():
            engine.run()
    except BudgetPassed as passed:
        assert max_hops is not None
        raise budget_exceeded(
            max_hops, passed.request, trace, scenario.workload, commands
        ) from None
    return trace


def _request(m: Machine, item: WorkloadItem, level: str, origin: str) -> Generator[Any, Any, None]:
    record = m.new_request(item.op, _guest_of(item), item.device, level)
    record.origin = origin
    # each device module declares the requests it handles (app/sim/devices)
    process = handlers()[item.op, m.devices[item.device].type](m, record, item)
    if process is not None:
        yield from process


def _guest_of(item: WorkloadItem) -> str | None:
    """Whom the request belongs to when it starts."""
    if isinstance(item, GuestItem):
        return item.guest
    if isinstance(item, SwitchOwner):
        return item.to
    return None  # input from outside: the VMM decides whose it is
