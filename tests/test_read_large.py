"""Large hierarchical tables that once made reading quadratic: every row used or kept apart.

Their speed is measured by ``benchmarks/read_hierarchy.py`` (never by a timed test); here the
same generated tables pin what is read.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from egovkit.errors import EgovkitWarning
from egovkit.read import read_table


def _read(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(path)


def test_repeated_denominator_rows_in_a_long_table_are_one_denominator(tmp_path: Path) -> None:
    # 40,000 areas, each with its households row twice: 160,000 rows
    n = 40_000
    lines = ["area,indicator,value"]
    for i in range(n):
        lines += [f"D{i},households,{1000 + i}", f"D{i},internet,{i % 900}", f"D{i},households,{1000 + i}",
                  f"D{i},computer,{i % 800}"]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n")
    t = _read(path)
    assert len(t.data) == 2 * n and not t.report.by_code("duplicate_denominator")


def _regions(n_regions: int, long: bool) -> str:
    """Each region: its total row (named like itself) then 50 districts of 1,000 households."""
    lines = ["region,district,indicator,households,value" if long else "region,district,households,internet"]
    for r in range(n_regions):
        rows = [(f"R{r}", f"R{r}", 50_000)] + [(f"R{r}", f"D{r}_{k}", 1000) for k in range(50)]
        for p, d, h in rows:
            lines += ([f"{p},{d},internet,{h},{h // 3}", f"{p},{d},computer,{h},{h // 4}"] if long
                      else [f"{p},{d},{h},{h // 3}"])
    return "\n".join(lines) + "\n"


def test_parent_column_totals_kept_apart_in_a_large_wide_table(tmp_path: Path) -> None:
    # 2,000 regions x 51 rows
    path = tmp_path / "wide.csv"
    path.write_text(_regions(2000, long=False))
    t = _read(path)
    assert len(t.data) == 100_000 and len(t.other_levels) == 2000


def test_parent_rows_of_a_large_long_table_kept_apart(tmp_path: Path) -> None:
    # every row of a region's total is kept apart, not only the first
    path = tmp_path / "long.csv"
    path.write_text(_regions(1000, long=True))
    t = _read(path)
    assert len(t.data) == 100_000 and len(t.other_levels) == 2000
