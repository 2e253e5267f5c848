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
