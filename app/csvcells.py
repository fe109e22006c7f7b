"""Cells of a CSV file a spreadsheet will open: text never runs as a formula.

A spreadsheet reads a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)`` sends data away when clicked), and a leading tab or
carriage return hides such a start. OWASP's rule: put a single quote before any
text cell that starts with one of these; the quote shows the text as written.
Numbers stay numbers (a negative number is not a formula).
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a CSV cell: text that a spreadsheet would run is quoted with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through :func:`safe_cell` (for ``csv.writer.writerow``)."""
    return [safe_cell(value) for value in values]
