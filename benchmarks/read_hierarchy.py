"""Benchmark: reading large census tables whose hierarchy egovkit must untangle.

Three generated tables that once made ``read_table`` quadratic (per-row or per-name passes):

- a long table of 40,000 areas whose households row is repeated (160,000 rows);
- a wide table of 2,000 regions x (1 total row named like the region + 50 districts), with a
  ``region`` parent column (102,000 rows);
- the same hierarchy as a long table (204,000 rows).

For each it prints egovkit's time (read, validate, hierarchy, row fate of every row) and the
straightforward ``pandas.read_csv`` time on the same file, and their ratio; also the time per
1,000 rows at two sizes, which stays about constant when reading is linear. Not a test.

    .venv/bin/python benchmarks/read_hierarchy.py
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from egovkit.errors import EgovkitWarning
from egovkit.read import read_table


def repeated_denominators(n: int) -> str:
    lines = ["area,indicator,value"]
    for i in range(n):
        lines += [f"D{i},households,{1000 + i}", f"D{i},internet,{i % 900}", f"D{i},households,{1000 + i}",
                  f"D{i},computer,{i % 800}"]
    return "\n".join(lines) + "\n"


def regions(n_regions: int, long: bool) -> str:
    """Each region: its total row (named like itself) then 50 districts of 1,000 households."""
    lines = ["region,district,indicator,households,value" if long else "region,district,households,internet"]
    for r in range(n_regions):
        rows = [(f"R{r}", f"R{r}", 50_000)] + [(f"R{r}", f"D{r}_{k}", 1000) for k in range(50)]
        for p, d, h in rows:
            lines += ([f"{p},{d},internet,{h},{h // 3}", f"{p},{d},computer,{h},{h // 4}"] if long
                      else [f"{p},{d},{h},{h // 3}"])
    return "\n".join(lines) + "\n"


def _time(fn, *args) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main() -> None:
    cases = [("long, repeated households rows", repeated_denominators, (10_000, 40_000)),
             ("wide, region totals + parent column", lambda n: regions(n, long=False), (500, 2_000)),
             ("long, region totals + parent column", lambda n: regions(n, long=True), (250, 1_000))]
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        for label, make, sizes in cases:
            per_k = []
            for n in sizes:
                path = Path(tmp) / "t.csv"
                path.write_text(make(n))
                rows = sum(1 for _ in path.open()) - 1
                t_eg, t = _time(read_table, path)
                t_pd, _ = _time(pd.read_csv, path)
                per_k.append(1000 * t_eg / rows)
                print(f"{label:38s} {rows:>8,} rows: egovkit {t_eg:6.2f} s ({len(t.data):,} used, "
                      f"{len(t.other_levels):,} kept apart)   pandas.read_csv {t_pd:5.2f} s   "
                      f"ratio {t_eg / t_pd:5.1f} x")
            print(f"{'':38s} time per 1,000 rows: {per_k[0] * 1000:.1f} ms -> {per_k[1] * 1000:.1f} ms "
                  f"({'linear' if per_k[1] < 2 * per_k[0] else 'NOT linear'})")


if __name__ == "__main__":
    main()
