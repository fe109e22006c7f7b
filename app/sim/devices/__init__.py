"""The device modules, one per kind of device (a category, or a device type of one).

Each module says what it handles in its own ``HANDLERS``: the request process for
each (operation, device type) it models. :func:`handlers` gathers them from every
module of this package, so a new device module is found by the simulation without
an edit anywhere else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Generator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..machine import Machine
    from ..trace import RequestRecord

# A request's process: a generator the engine runs (or None if it is over at once).
Handler = Callable[["Machine", "RequestRecord", Any], Generator[Any, Any, None] | None]


@cache
def handlers() -> Mapping[tuple[str, str], Handler]:
    """Every device module's handlers, by (operation, device type)."""
    found: dict[tuple[str, str], Handler] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared: Mapping[tuple[str, str], Handler] = getattr(module, "HANDLERS", {})
        for key, handler in declared.items():
            if key in found:
                raise RuntimeError(f"two device modules handle {key}: {info.name} and another")
            found[key] = handler
    return found
