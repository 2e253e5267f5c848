"""Duplicated rows (issue 10 part 4, reader side): identical copies are one note with their count
and are read once; conflicting duplicates stay errors that give the true count."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from egovkit.read import read_table


def _read(source: pd.DataFrame | Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_table(source, **kw)


def _districts(n: int = 30) -> pd.DataFrame:
    return pd.DataFrame({"GEOID": [f"{36000 + i}" for i in range(n)], "district": [f"D{i}" for i in range(n)],
                         "households": [1000 + 10 * i for i in range(n)], "internet": [500 + i for i in range(n)]})


def test_rows_repeated_by_a_spatial_join_are_one_note_and_read_once():
    """Bug: hundreds of identical rows from a spatial join gave one error each ('appears twice'
    for a row repeated six times)."""
    base = _districts()
    df = pd.concat([base] + [base.iloc[:20]] * 5, ignore_index=True)  # 20 districts 6 times each
    t = _read(df)
    assert len(t.data) == 30 and t.data["denominator"].sum() == base["households"].sum()
    assert not t.report.by_code("duplicate_area") and not t.report.errors
    note = t.report.by_code("identical_rows")
    assert len(note) == 1 and note[0].severity == "info"
    assert "100 row(s)" in note[0].message and "'D0' appears 6 times" in note[0].message
    fates = pd.Series(t.report.row_fate)
    assert len(fates) == len(df) and (fates == "dropped").sum() == 100 and (fates == "used").sum() == 30
    assert fates.loc[2:31].eq("used").all()  # the first copy of each is the one read
    assert not t.report.by_code("row_dropped")


def test_identical_copies_with_a_bad_cell_are_reported_once():
    df = pd.DataFrame({"district": ["A", "B", "C"] + ["C"] * 5, "households": [100, 200, 300] + [300] * 5,
                       "internet": [50, 60, "abc"] + ["abc"] * 5})
    t = _read(df)
    assert len(t.report.by_code("non_numeric")) == 1 and len(t.report.by_code("identical_rows")) == 1


def test_conflicting_duplicates_give_the_true_count():
    df = pd.DataFrame({"district": ["A", "B"] + ["C"] * 6, "households": [100, 200] + [300 + i for i in range(6)],
                       "internet": [50, 60] + [70] * 6})
    t = _read(df)
    dup = t.report.by_code("duplicate_area")
    assert len(dup) == 5 and all(i.severity == "error" for i in dup)
    assert all("'C' appears 6 times" in i.message and "rows 4, 5, 6, 7, 8 and 9" in i.message for i in dup)
    assert "twice" not in dup[0].message
    assert t.data.loc[t.data["area_name"] == "C", "denominator"].tolist() == [300]
    assert not t.report.by_code("identical_rows")


def test_copies_and_a_conflicting_row_of_the_same_district():
    df = pd.DataFrame({"code": ["1", "2", "2", "2", "2"], "district": ["A", "B", "B", "B", "B"],
                       "households": [100, 200, 200, 200, 250], "internet": [50, 60, 60, 60, 70]})
    t = _read(df)
    assert len(t.report.by_code("identical_rows")) == 1 and "2 row(s)" in t.report.by_code("identical_rows")[0].message
    dup = t.report.by_code("duplicate_area")
    assert [(i.row, i.area) for i in dup] == [(6, "B")] and "appears 4 times" in dup[0].message
    assert t.report.row_fate == {2: "used", 3: "used", 4: "dropped", 5: "dropped", 6: "dropped"}


@pytest.mark.parametrize("layout", ["long"])
def test_identical_copies_in_a_long_table(layout):
    one = pd.DataFrame({"district": ["A", "A", "B", "B", "C", "C"], "households": [100, 100, 200, 200, 300, 300],
                        "indicator": ["internet", "computer"] * 3, "value": [50, 20, 60, 30, 70, 40]})
    df = pd.concat([one, one.iloc[2:4], one.iloc[2:4]], ignore_index=True)
    t = _read(df, layout=layout)
    assert len(t.data) == 6 and not t.report.errors
    assert "4 row(s)" in t.report.by_code("identical_rows")[0].message


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


def test_duplicate_code_with_two_names_names_both(tmp_path: Path) -> None:
    """Usability bug: two rows sharing a code under different names were reported as
    "district 'A bis' appears twice", which 'A bis' does not; the message now names the code
    and both names."""
    path = tmp_path / "codes.csv"
    path.write_text("code,district,households,internet\n01001,A,1000,400\n01002,B,2000,500\n"
                    "01001,A bis,1000,100\nX,Vénissieux,500,10\nX,VENISSIEUX,500,20\n")
    t = _read(path)
    dup = {i.row: i for i in t.report.by_code("duplicate_area")}
    assert set(dup) == {4, 6}
    assert "code '01001'" in dup[4].message and "'A'" in dup[4].message and "'A bis'" in dup[4].message
    assert "code 'X'" in dup[6].message  # same code, names differing only in case/accents
    no_code = tmp_path / "names.csv"
    no_code.write_text("district,households,internet\nVénissieux,500,10\nVENISSIEUX,500,20\n")
    d = _read(no_code).report.by_code("duplicate_area")
    assert len(d) == 1 and "code" not in d[0].message and "rows 2 and 3" in d[0].message
