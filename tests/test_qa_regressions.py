"""Regression tests for bugs found by using egovkit as a demanding user would (QA pass).

Each test names the bug it guards against; expected values come from the input written here.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from egovkit.errors import EgovkitWarning
from egovkit.read import read_table


def _read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(source, **kw)


def test_duplicate_district_never_mixes_two_rows(tmp_path: Path) -> None:
    """Bug: when the first row of a duplicated district had an invalid value, the duplicate
    check (done only among valid values) let that indicator come from the second row while
    the others came from the first, and the second row was marked 'used'."""
    path = tmp_path / "dup.csv"
    path.write_text("district,households,internet,computer\nA,100,150,10\nB,200,50,20\nA,100,40,30\n")
    t = _read(path)
    a = t.data[t.data["area_name"] == "A"]
    assert set(a["source_row"]) == {2}  # only the first row of A
    assert a.set_index("indicator")["numerator"].to_dict() == {"computer": 10.0}
    assert t.report.row_fate == {2: "used", 3: "used", 4: "dropped"}
    dup = t.report.by_code("duplicate_area")
    assert [d.row for d in dup] == [4] and "rows 2 and 4" in dup[0].message


def test_duplicate_district_reported_when_first_row_fully_invalid(tmp_path: Path) -> None:
    """Bug: a duplicated district whose first row was entirely invalid was not reported as
    a duplicate, and the second row was silently used."""
    path = tmp_path / "dup2.csv"
    path.write_text("district,households,internet\nA,100,150\nB,200,50\nA,100,40\n")
    t = _read(path)
    assert t.report.by_code("duplicate_area")
    assert "A" not in set(t.data["area_name"])
    assert t.report.row_fate[4] == "dropped"
