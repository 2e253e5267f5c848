"""Tests of egovkit.validate.ValidationReport: merging reports of several files and saving a report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from egovkit.validate import ValidationReport


def test_extend_does_not_mix_row_fates_of_another_file() -> None:
    """Bug: `egovkit run ... --hotspots sites.csv` said '25 rows read (149 used, 1 kept apart)':
    ValidationReport.extend merged the hotspot file's row fates (its own line numbers) into the
    table's report, so table lines that do not exist were 'used'."""
    table = ValidationReport(source="census.csv", rows_in=3)
    table.set_fate([2, 3], "used")
    table.set_fate([4], "kept apart")
    sites = ValidationReport(source="wifi.csv", rows_in=5)
    sites.set_fate(range(2, 7), "used")
    sites.add("warning", "duplicate_site", "two sites at the same place", row=5)
    table.extend(sites)
    assert table.row_fate == {2: "used", 3: "used", 4: "kept apart"}
    assert len(table.issues) == 1 and table.issues[0].source == "wifi.csv"
    # a summary report wrapping the table still gets the table's fates
    summary = ValidationReport(source="census.csv", rows_in=3).extend(table)
    assert summary.row_fate == table.row_fate
    assert "3 rows read (2 used, 1 kept apart)" in summary.summary()


def test_report_saved_as_xlsx_is_a_spreadsheet(tmp_path: Path) -> None:
    """Bug: `egovkit validate T --save report.xlsx` wrote plain text under an .xlsx name, which
    Excel cannot open."""
    rep = ValidationReport(source="t.csv", rows_in=2)
    rep.add("error", "non_numeric", "cell 'abc' is not a number", row=3, column="internet", area="B",
            fix="write a number")
    out = rep.save(tmp_path / "report.XLSX")
    back = pd.read_excel(out, sheet_name="validation")
    assert back.loc[0, "code"] == "non_numeric" and back.loc[0, "row"] == 3 and back.loc[0, "area"] == "B"
