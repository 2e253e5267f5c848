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


def test_shares_with_three_decimals_are_decimals(tmp_path: Path) -> None:
    t = _read(tmp_path / "t.csv", "district;households;internet\nA;1000;0.125\nB;2000;0.250\n")
    assert _got(t) == {"A": (125.0, 1000.0), "B": (500.0, 2000.0)}
    assert not t.report.by_code("dot_thousands")
