"""The one error a user's input gets: every problem found, each naming where it is.

The checks word a problem as ``"<field path>: <what is wrong>"``; the wordings more than
one check shares (a duplicate, the ids a reference could have named) are here, so the
checks in :mod:`app.sim.checks` and those a device module declares read alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence


class ScenarioError(ValueError):
    """A scenario (or a command) that cannot be simulated; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def duplicates(
    path: str, field: str, values: Sequence[str], what: str = "is a duplicate"
) -> Iterator[str]:
    """A problem for each value seen before in ``values``, naming where it was first."""
    first_at: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in first_at:
            suffix = f".{field}" if field else ""
            yield f"{path}[{index}]{suffix}: {value!r} {what} (first at {path}[{first_at[value]}])"
        else:
            first_at[value] = index


def known(things: Iterable[object]) -> str:
    """The ids an unknown reference could have named, as a problem's ending."""
    ids = [getattr(t, "id", "") for t in things]
    return f" (known: {', '.join(ids)})" if ids else ""
