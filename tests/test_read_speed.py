"""Reading stays linear in the number of rows: regressions that made large tables crawl.

The bounds are several times the measured time (a few hundred thousand rows read in about a
second) and well below the time the quadratic code took, so a slow machine does not fail them
but a return of the per-row or per-name passes does.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

from egovkit.errors import EgovkitWarning
from egovkit.read import read_table


def _timed_read(path: Path) -> tuple[float, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        t0 = time.perf_counter()
        t = read_table(path)
        return time.perf_counter() - t0, t


def test_repeated_denominator_rows_in_a_long_table_read_in_linear_time(tmp_path: Path) -> None:
    # 40,000 areas, each with its households row twice: 160,000 rows (was 6.3 s, now 1.3 s)
    n = 40_000
    lines = ["area,indicator,value"]
    for i in range(n):
        lines += [f"D{i},households,{1000 + i}", f"D{i},internet,{i % 900}", f"D{i},households,{1000 + i}",
                  f"D{i},computer,{i % 800}"]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n")
    secs, t = _timed_read(path)
    assert len(t.data) == 2 * n and not t.report.by_code("duplicate_denominator")
    assert secs < 4.0, f"{secs:.1f} s for {4 * n:,} rows"


def _regions(n_regions: int, long: bool) -> str:
    """Each region: its total row (named like itself) then 50 districts of 1,000 households."""
    lines = ["region,district,indicator,households,value" if long else "region,district,households,internet"]
    for r in range(n_regions):
        rows = [(f"R{r}", f"R{r}", 50_000)] + [(f"R{r}", f"D{r}_{k}", 1000) for k in range(50)]
        for p, d, h in rows:
            lines += ([f"{p},{d},internet,{h},{h // 3}", f"{p},{d},computer,{h},{h // 4}"] if long
                      else [f"{p},{d},{h},{h // 3}"])
    return "\n".join(lines) + "\n"


def test_parent_column_check_reads_in_linear_time(tmp_path: Path) -> None:
    # 2,000 regions x 51 rows (was 9.1 s with np.isin on object arrays and a pass per name, now 0.5 s)
    path = tmp_path / "wide.csv"
    path.write_text(_regions(2000, long=False))
    secs, t = _timed_read(path)
    assert len(t.data) == 100_000 and len(t.other_levels) == 2000
    assert secs < 3.0, f"{secs:.1f} s for 102,000 rows"


def test_parent_rows_of_a_long_table_read_in_linear_time(tmp_path: Path) -> None:
    # every row of a region's total is kept apart, not only the first (was 3.7 s, now 0.5 s)
    path = tmp_path / "long.csv"
    path.write_text(_regions(1000, long=True))
    secs, t = _timed_read(path)
    assert len(t.data) == 100_000 and len(t.other_levels) == 2000
    assert secs < 2.0, f"{secs:.1f} s for 102,000 rows"
