"""Large hierarchical tables that once made reading quadratic: every row used or kept apart.

Their speed is measured by ``benchmarks/read_hierarchy.py`` (never by a timed test); here the
same generated tables pin what is read.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from egovkit.errors import EgovkitWarning
from egovkit.read import read_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from read_hierarchy import regions, repeated_denominators  # noqa: E402  (the benchmark's generators)


def _read(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        return read_table(path)


def test_repeated_denominator_rows_in_a_long_table_are_one_denominator(tmp_path: Path) -> None:
    # 40,000 areas, each with its households row twice: 160,000 rows
    n = 40_000
    path = tmp_path / "long.csv"
    path.write_text(repeated_denominators(n))
    t = _read(path)
    assert len(t.data) == 2 * n and not t.report.by_code("duplicate_denominator")


def test_parent_column_totals_kept_apart_in_a_large_wide_table(tmp_path: Path) -> None:
    # 2,000 regions x 51 rows
    path = tmp_path / "wide.csv"
    path.write_text(regions(2000, long=False))
    t = _read(path)
    assert len(t.data) == 100_000 and len(t.other_levels) == 2000


def test_parent_rows_of_a_large_long_table_kept_apart(tmp_path: Path) -> None:
    # every row of a region's total is kept apart, not only the first
    path = tmp_path / "long.csv"
    path.write_text(regions(1000, long=True))
    t = _read(path)
    assert len(t.data) == 100_000 and len(t.other_levels) == 2000
