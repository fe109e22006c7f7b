"""The device modules, one per kind of device (a category, or a device type of one).

Each module declares what it owns, each declaration a mapping:

- ``HANDLERS``: the request process for each (operation, device type) it models;
- ``REGISTERS``: for each device type, the controller its guest driver programs at the
  I/O-operation level (:class:`app.sim.registers.Controller`, None when no access traps);
- ``COSTS``: for each device type, the lines of the cost model its requests are charged
  beyond the level's traps (:class:`app.sim.costs.CostLine`, none when it takes no time);
- ``DEVICE_CHECKS``: for each device type with fields its model cannot check alone (a
  guest it names, regions that must not overlap), the check of a device of that type;
- ``ITEM_CHECKS``: for each operation with such fields (a guest or device it names beyond
  its own ``guest`` and ``device``, a key the keyboard must have), the check of a request.

:func:`gathered` reads a declaration from every module of this package, so a new device
module is found by the simulation, the cost model, the register table and the scenario's
checks without an edit anywhere else. It imports the modules when first asked, never at
import time: the modules import the core's machinery (registers, costs), which gathers
from them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Generator, Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..machine import Machine
    from ..scenario import Scenario
    from ..trace import RequestRecord

# A request's process: a generator the engine runs (or None if it is over at once).
Handler = Callable[["Machine", "RequestRecord", Any], Generator[Any, Any, None] | None]
# A check of one device, or one request, against its scenario, given the field path to
# name: its problems as "<field path>: <what is wrong>" lines, in field order.
DeviceCheck = Callable[["Scenario", Any, str], Iterable[str]]
ItemCheck = Callable[["Scenario", Any, str], Iterable[str]]


def gathered(declaration: str) -> dict[Any, Any]:
    """Every device module's ``declaration``, merged, in the modules' name order; a key two
    modules declare is an error, so no module silently overrides another."""
    found: dict[Any, Any] = {}
    owners: dict[Any, str] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared: Mapping[Any, Any] = getattr(module, declaration, {})
        for key, value in declared.items():
            if key in found:
                raise RuntimeError(
                    f"two device modules declare {declaration} for {key}: "
                    f"{owners[key]} and {info.name}"
                )
            found[key], owners[key] = value, info.name
    return found


@cache
def handlers() -> Mapping[tuple[str, str], Handler]:
    """Every device module's handlers, by (operation, device type)."""
    return gathered("HANDLERS")
