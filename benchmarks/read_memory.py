"""Benchmark: peak memory of reading a large census table (target: 1 M rows under 1 GB).

Generates a wide census-style CSV (district name, code, households, persons and six ICT
count columns; 1 M rows by default, about 60 MB) and reads it in a fresh process, once
with ``egovkit.read.read_table`` (read, validate, row fate of every row) and once with the
straightforward ``pandas.read_csv``; prints each one's peak resident memory (``VmHWM``
of the child, which includes the interpreter and imports, measured too on its own) and the
ratio to the file size. Not a test.

2026-12-05 (2 shared cores): the 65 MB table of 1 M rows (6 M long rows) peaks at 975 MB with
read_table (15x the file; 1,178 MB before the word columns became categorical, 1,789 MB before the
memory work of issue 9, 2,295 MB before that) and 539 MB with pandas.read_csv; interpreter +
imports alone 215 MB. Target: under 1,024 MB.

    .venv/bin/python benchmarks/read_memory.py [ROWS]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHILD = r"""
import json, sys, time, warnings
def hwm_kb():  # peak resident set of this process (VmHWM; ru_maxrss would include the parent's at fork)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
mode, path = sys.argv[1], sys.argv[2]
import pandas as pd
from egovkit.read import read_table
from egovkit.errors import EgovkitWarning
base = hwm_kb()
t0 = time.perf_counter()
rows = 0
if mode == "egovkit":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EgovkitWarning)
        t = read_table(path)
    rows = len(t.data)
elif mode == "pandas":
    rows = len(pd.read_csv(path))
peak = hwm_kb()
print(json.dumps({"base_kb": base, "peak_kb": peak, "s": time.perf_counter() - t0, "rows": rows}))
"""


def write_table(path: Path, n: int, seed: int = 0) -> None:
    """A wide table of ``n`` districts with household and person counts and ICT counts."""
    rng = np.random.default_rng(seed)
    hh = rng.integers(200, 20_000, n)
    persons = hh * rng.integers(2, 6, n)
    cols = {
        "district": np.char.add("District ", np.arange(n).astype(str)),
        "code": np.char.add("D", np.arange(n).astype(str)),
        "households": hh,
        "population": persons,
        "households_with_internet": (hh * rng.uniform(0.05, 0.9, n)).astype(int),
        "households_with_computer": (hh * rng.uniform(0.02, 0.5, n)).astype(int),
        "households_with_tablet": (hh * rng.uniform(0.01, 0.3, n)).astype(int),
        "households_with_smartphone": (hh * rng.uniform(0.2, 0.95, n)).astype(int),
        "households_with_mobile_phone": (hh * rng.uniform(0.5, 0.99, n)).astype(int),
        "households_with_radio": (hh * rng.uniform(0.3, 0.9, n)).astype(int),
    }
    import pandas as pd

    pd.DataFrame(cols).to_csv(path, index=False)


def measure(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        t0 = time.perf_counter()
        write_table(path, n)
        size_mb = path.stat().st_size / 1e6
        print(f"table: {n:,} rows, {size_mb:.0f} MB (written in {time.perf_counter() - t0:.1f} s)")
        base = measure("none", path)
        print(f"interpreter + imports alone: {base['peak_kb'] / 1024:.0f} MB")
        for mode in ("pandas", "egovkit"):
            r = measure(mode, path)
            peak_mb = r["peak_kb"] / 1024
            print(f"{mode:8s} read_{'csv' if mode == 'pandas' else 'table'}: peak {peak_mb:,.0f} MB "
                  f"({peak_mb / size_mb:.1f}x the file), {r['s']:.1f} s, {r['rows']:,} rows")
        target = 1024
        print(f"target: 1 M rows under {target} MB peak")


if __name__ == "__main__":
    main()
