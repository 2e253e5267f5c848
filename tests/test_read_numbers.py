"""Number formats: the decimal mark and thousands separators of the cells.

Expected values are the fixture's own figures, written out by hand.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from egovkit.errors import EgovkitWarning
from egovkit.read import read_table


def _read(path: Path, text: str, **kw):
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(path, **kw)


def _got(t) -> dict[str, tuple[float, float]]:
    return {r.area_name: (r.numerator, r.denominator) for r in t.data.itertuples()}


def test_quoted_decimal_comma_in_a_comma_separated_file(tmp_path: Path) -> None:
    t = _read(tmp_path / "t.csv", 'district,households,internet\nA,"1 000","45,5"\nB,"2 000","30,2"\n')
    assert t.report.row_fate == {2: "used", 3: "used"}
    assert _got(t) == {"A": pytest.approx((455.0, 1000.0)), "B": pytest.approx((604.0, 2000.0))}
    assert t.report.by_code("decimal")


def test_quoted_us_thousands_in_a_comma_separated_file_stay_thousands(tmp_path: Path) -> None:
    t = _read(tmp_path / "t.csv", 'district,households,internet\nA,"1,000",455\nB,"2,500",302\n')
    assert _got(t) == {"A": (455.0, 1000.0), "B": (302.0, 2500.0)}


def test_dot_thousands_in_a_semicolon_file(tmp_path: Path) -> None:
    t = _read(tmp_path / "t.csv", "district;households;internet\nA;999;300\nB;1.234;400\nC;12.500;4.000\nD;850;200\n")
    assert _got(t) == {"A": (300, 999), "B": (400, 1234), "C": (4000, 12500), "D": (200, 850)}
    note = t.report.by_code("dot_thousands")[0]
    assert "'1.234'" in note.message and "decimal='.'" in note.fix


def test_dotted_cells_next_to_decimal_points_are_warned(tmp_path: Path) -> None:
    t = _read(tmp_path / "t.csv", "district;households;internet\nA;999;30.5\nB;1.234;40.5\n")
    w = t.report.by_code("dot_thousands")[0]
    assert w.severity == "warning" and "decimal=','" in w.fix


@pytest.mark.parametrize("text", ["district;households;internet\nA;1.234.567;30.5\nB;2000;40.5\n",
                                  'district,households,internet\n"A","1.234.567",30.5\n"B","2000",40.5\n'])
def test_multi_dot_cell_next_to_decimal_points_is_reported_not_raised(tmp_path: Path, text: str) -> None:
    # '1.234.567' among decimal points used to raise a bare ValueError from float() in the warning
    t = _read(tmp_path / "t.csv", text)
    w = t.report.by_code("dot_thousands")[0]
    assert w.severity == "warning" and "'1.234.567'" in w.message and "decimal=','" in w.fix
    bad = t.report.by_code("non_numeric")[0]
    assert (bad.row, bad.severity) == (2, "error") and "'1.234.567'" in bad.message
    assert _got(t) == {"B": pytest.approx((810.0, 2000.0))}


def test_multi_dot_cell_is_thousands_in_a_semicolon_file(tmp_path: Path) -> None:
    t = _read(tmp_path / "t.csv", "district;households;internet\nA;1.234.567;300\nB;2000;400\n")
    assert _got(t) == {"A": (300, 1234567), "B": (400, 2000)}


def test_shares_with_three_decimals_are_decimals(tmp_path: Path) -> None:
    t = _read(tmp_path / "t.csv", "district;households;internet\nA;1000;0.125\nB;2000;0.250\n")
    assert _got(t) == {"A": (125.0, 1000.0), "B": (500.0, 2000.0)}
    assert not t.report.by_code("dot_thousands")


# ------------------------------------------------------------------------------------------ rows
def test_zero_denominator_is_named_in_the_read_report(tmp_path: Path) -> None:
    from egovkit.indicators import compute_rates

    t = _read(tmp_path / "t.csv", "district,households,internet\nA,1000,300\nForest,0,5\nB,2000,400\n")
    w = t.report.by_code("zero_denominator")[0]
    assert (w.row, w.area, w.column, w.severity) == (3, "Forest", "households", "warning")
    assert t.report.row_fate == {2: "used", 3: "dropped", 4: "used"}
    assert len(compute_rates(t)) == 2  # no longer raises on the Forest row


@pytest.mark.parametrize("sep", [",", ";"])
def test_extra_cells_of_a_ragged_row_are_warned_with_the_line(tmp_path: Path, sep: str) -> None:
    text = "district,households,internet\nA,1000,300,5\nB,2000,100\nC,3000,400\n".replace(",", sep)
    t = _read(tmp_path / "t.csv", text)
    w = t.report.by_code("extra_cells")
    assert len(w) == 1 and w[0].row == 2 and w[0].severity == "warning" and "['5']" in w[0].message
    # a trailing separator loses nothing: no warning
    t2 = _read(tmp_path / "t2.csv", "district,households,internet\nA,1000,300,\nB,2000,100,\n".replace(",", sep))
    assert not t2.report.by_code("extra_cells")


@pytest.mark.parametrize("text", ['district,households,internet\n"A",1000,300\n"B",2000,100,"7"\n',
                                  "district,households,internet\nA,1000,300\nB,2000,100,7\n"])
def test_a_later_ragged_row_is_warned_not_the_whole_file_refused(tmp_path: Path, text: str) -> None:
    t = _read(tmp_path / "t.csv", text)
    assert [i.row for i in t.report.by_code("extra_cells")] == [3]
    assert t.report.row_fate == {2: "used", 3: "used"}


def test_raw_acs_s2801_file_points_to_its_reader(shared_data) -> None:
    from egovkit.errors import InputError

    path = shared_data / "us-county-acs-s2801" / "ACSST1Y2018.S2801_data_with_overlays.csv"
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert "read_acs_s2801" in str(exc.value) and "S2801_C01_001E" in str(exc.value)
