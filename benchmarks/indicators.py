"""Benchmark of the indicator chain on a large synthetic table.

Generates a SYNTHETIC wide table of 100,000 districts x 10 household indicators (counts) in a
temporary folder, then times: read + validate (``egovkit.read.read_table`` if available, else
plain pandas, said in the output), ``compute_rates``, ``aggregate`` (by region and for the whole
territory), ``gaps``; compares with the straightforward pandas way (melt, divide, groupby-sum,
merge, rank) and prints wall times, the ratio and peak memory (tracemalloc in a second pass,
and the process's maximum resident set size).

Run: ``.venv/bin/python benchmarks/indicators.py [n_districts]``. Target: < 3 s and < 1 GB on 2 cores.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from egovkit.indicators import aggregate, compute_rates, gap_to_territory

INDICATORS = ["radio", "tv", "telephone", "mobile_phone_hh", "smartphone_hh", "computer", "desktop_laptop",
              "tablet", "internet", "broadband"]


def make_table(n: int, seed: int = 0) -> pd.DataFrame:
    """A synthetic wide table: code, district, region, households, one count column per indicator."""
    rng = np.random.default_rng(seed)
    hh = rng.integers(20, 50_000, n)
    df = pd.DataFrame({
        "code": [f"D{i:06d}" for i in range(n)],
        "district": [f"District {i}" for i in range(n)],
        "region": [f"Region {i % 50:02d}" for i in range(n)],
        "households": hh,
    })
    for j, ind in enumerate(INDICATORS):
        df[ind] = rng.binomial(hh, rng.beta(2 + j % 3, 3, n))
    return df


def egovkit_way(path: Path) -> tuple[dict[str, float], str]:
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        from egovkit.read import read_table

        # a bare 'telephone' column may mean a fixed or a mobile phone: egovkit asks, we say it
        table = read_table(path, name="district", key="code", parent="region", denominator="households",
                           universe="households", value_type="count", columns={"telephone": "telephone"})
        long, how = table.data, "egovkit.read.read_table"
        report = table.report
    except ImportError:
        wide = pd.read_csv(path)
        long = wide.melt(id_vars=["code", "district", "region", "households"], var_name="indicator",
                         value_name="numerator").rename(columns={"code": "area_code", "district": "area_name",
                                                                 "region": "parent", "households": "denominator"})
        how, report = "pandas fallback (egovkit.read not available)", None
    t1 = time.perf_counter()
    times["read + validate"] = t1 - t0
    rates = compute_rates(long, report=report)
    t2 = time.perf_counter()
    times["compute_rates"] = t2 - t1
    by_region = aggregate(rates, "parent")
    territory = aggregate(rates)
    t3 = time.perf_counter()
    times["aggregate (region + territory)"] = t3 - t2
    g = gap_to_territory(rates, territory)
    t4 = time.perf_counter()
    times["gaps + ranks"] = t4 - t3
    times["total"] = t4 - t0
    assert len(g) == len(rates) and len(by_region) == 50 * len(INDICATORS)
    return times, how


def pandas_way(path: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    wide = pd.read_csv(path)
    long = wide.melt(id_vars=["code", "district", "region", "households"], var_name="indicator", value_name="num")
    t_read = time.perf_counter() - t0
    long["share"] = long["num"] / long["households"]
    reg = long.groupby(["region", "indicator"])[["num", "households"]].sum()
    reg["share"] = reg["num"] / reg["households"]
    terr = long.groupby("indicator")[["num", "households"]].sum()
    terr["share"] = terr["num"] / terr["households"]
    long = long.merge(terr["share"].rename("territory_share"), left_on="indicator", right_index=True)
    long["gap_pp"] = 100 * (long["share"] - long["territory_share"])
    long["rank"] = long.groupby("indicator")["share"].rank(ascending=False, method="min")
    total = time.perf_counter() - t0
    return {"read": t_read, "indicators": total - t_read, "total": total}


def main(n: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic_wide.csv"
        t0 = time.perf_counter()
        make_table(n).to_csv(path, index=False)
        print(f"SYNTHETIC table: {n:,} districts x {len(INDICATORS)} indicators "
              f"({path.stat().st_size / 1e6:.1f} MB CSV, written in {time.perf_counter() - t0:.1f} s)")
        gc.collect()
        times, how = egovkit_way(path)
        print(f"reader: {how}")
        for k, v in times.items():
            print(f"  egovkit {k:<32s} {v:6.2f} s")
        pdw = pandas_way(path)
        base = pdw["total"]
        ours = times["compute_rates"] + times["aggregate (region + territory)"] + times["gaps + ranks"]
        print(f"  plain pandas read_csv + melt          {pdw['read']:6.2f} s")
        print(f"  plain pandas rates/groupby/rank       {pdw['indicators']:6.2f} s  (no validation, no CI/MOE)")
        print(f"  plain pandas total                    {base:6.2f} s")
        print(f"  ratio egovkit / pandas, indicator steps {ours / pdw['indicators']:5.1f} x")
        print(f"  ratio egovkit / pandas, total           {times['total'] / base:5.1f} x")
        gc.collect()
        tracemalloc.start()
        egovkit_way(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  peak Python allocations (tracemalloc) {peak / 2**20:6.0f} MiB")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(f"  process max resident set size        {rss:6.0f} MiB")
        ok = times["total"] < 3 and rss < 1024
        load = os.getloadavg()[0]
        print(f"  load average while running            {load:6.1f} (on {os.cpu_count()} cores)")
        print(f"target (< 3 s, < 1 GB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
