"""Load test: many processes building reports at once from one empty cache.

Each process fills the same cache folder (``EGOVKIT_CACHE_DIR``) from the data mirror
(``EGOVKIT_DATA_MIRROR``) and writes its report into its own folder. Checked afterwards:

- every process succeeded;
- its output tables are byte-identical to those of a sequential run (GeoPackages, whose
  headers hold a timestamp, are compared by content);
- every file of the cache verifies: each original has its registered sha256, each converted
  file matches its sidecar ``.meta.json``, no temporary file was moved into place;
- each conversion and each copy from the mirror was done once (the others waited on its lock),
  and no process had to rebuild a converted file (which would mean it read a half-written one).

Two jobs:

``--job report`` (default)
    ``egovkit report kenya --out DIR`` (through ``egovkit.cli.main`` with INFO logging to a file
    so that the conversions can be counted): KNBS tables, county polygons, indicators,
    inequality, LISA, maps, charts and the HTML report. About 6 s of CPU each.
``--job light``
    What ``tests/test_cache_concurrency.py`` runs: the Kenya tables and county polygons and
    the NYC borough population and polygons through the dataset loaders, rates, the national
    figures and a join, written as CSV. The processes are forked from one that has imported
    egovkit (importing it takes ~3 s of CPU, more than the job).

The sequential reference runs the same job the same number of times one after the other,
starting from its own empty cache. Prints the figures; not a test.

    .venv/bin/python benchmarks/load_test.py [--job report|light] [-n 20] [--sequential 20] [--out DIR]
    .venv/bin/python benchmarks/load_test.py --job light --concurrent-only --out DIR   # for the test
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("EGOVKIT_SHARED_DATA") or ROOT.parent / "shared" / "data")
MIRROR = Path(os.environ.get("EGOVKIT_DATA_MIRROR") or SHARED / "originals")
EVENTS = "load_events.json"


# -- the light job (runs in an already imported process) ------------------------------------
def light_job(out_dir: Path) -> None:
    """Dataset loading and a small report into ``out_dir`` (CSV files only)."""

    from egovkit import datasets
    from egovkit.indicators import aggregate, compute_rates
    from egovkit.join import join_table
    from egovkit.read import read_table
    from egovkit.table import combine_tables

    out_dir.mkdir(parents=True, exist_ok=True)
    tables = [read_table(datasets.kenya_census_table(name), level="AdminArea", district_level="County")
              for name in ("V4_T2.36", "V4_T2.32", "V4_T2.33")]
    table = combine_tables(*tables, source="KNBS 2019 census Vol IV tables 2.36, 2.32, 2.33")
    rates = compute_rates(table)
    rates.to_csv(out_dir / "district_rates.csv", index=False)
    aggregate(rates).to_csv(out_dir / "national.csv", index=False)
    counties = datasets.kenya_counties()
    joined = join_table(table, counties, boundary_on="census_county_name")
    areas = counties[["census_county_code", "census_county_name"]].assign(
        area_km2=counties.to_crs(21037).area.to_numpy() / 1e6, matched=joined.matched)
    areas.to_csv(out_dir / "counties.csv", index=False)
    pop = datasets.nyc_population("borough")[["geoid", "pop_total_est"]]
    boroughs = datasets.nyc_boroughs()
    by_borough = boroughs[["geoid", "borough_name"]].assign(
        area_km2=boroughs.to_crs(2263).area.to_numpy() * 0.3048**2 / 1e6).merge(pop, on="geoid", how="outer")
    by_borough.to_csv(out_dir / "nyc_boroughs.csv", index=False)


class _Events(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _light_child(out_dir: str, cache: str, mirror: str, barrier: Any) -> None:
    """One forked process: same cache as the others, own folder; events and errors to files."""
    import egovkit.settings as settings

    settings.cache_dir = Path(cache)
    settings.data_mirror = mirror
    settings.progress = False
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    handler = _Events()
    log = logging.getLogger("egovkit.datasets")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        barrier.wait(timeout=300)  # everyone starts on the empty cache at the same moment
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            light_job(out)
        ok = True
    except Exception:  # noqa: BLE001 - reported in error.txt and the exit code
        (out / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        ok = False
    (out / EVENTS).write_text(json.dumps({"log": handler.messages}), encoding="utf-8")
    sys.exit(0 if ok else 1)


def run_light(n: int, out_root: Path, cache: Path, at_once: bool = True) -> dict:
    """``n`` forked processes running :func:`light_job` on ``cache``, all at once (they wait for
    each other at a barrier before touching the cache) or one after the other; wall time and exit codes."""
    import egovkit.datasets  # noqa: F401 - imported once here, inherited by the forked children

    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(n if at_once else 1)
    procs = [ctx.Process(target=_light_child, args=(str(out_root / f"run{i:02d}"), str(cache), str(MIRROR), barrier))
             for i in range(n)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
        if not at_once:
            p.join()
    for p in procs:
        p.join()
    return {"wall_s": time.perf_counter() - t0, "exit_codes": [p.exitcode for p in procs],
            "dirs": [out_root / f"run{i:02d}" for i in range(n)]}


# -- the report job (real separate processes, as users start them) ---------------------------
_REPORT_CHILD = """
import json, logging, sys, warnings
from pathlib import Path
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
class H(logging.Handler):
    msgs = []
    def emit(self, r): H.msgs.append(r.getMessage())
log = logging.getLogger("egovkit.datasets"); log.addHandler(H()); log.setLevel(logging.INFO)
sys.argv = ["egovkit", "report", "kenya", "--out", str(out / "report")]
code = 0
try:
    from egovkit.cli import main
    main()
except SystemExit as exc:
    code = exc.code or 0
finally:
    (out / "load_events.json").write_text(json.dumps({"log": H.msgs}))
sys.exit(code)
"""


def _report_env(cache: Path) -> dict:
    env = dict(os.environ, EGOVKIT_CACHE_DIR=str(cache), EGOVKIT_DATA_MIRROR=str(MIRROR), MPLBACKEND="Agg")
    return env


def run_reports(n: int, out_root: Path, cache: Path, at_once: bool) -> dict:
    """``n`` processes of ``egovkit report kenya`` on ``cache``, all at once or one after the other.

    The command line silences egovkit's warnings, so rebuilt cache files are counted from the
    INFO log of ``egovkit.datasets`` (``rebuilding ...`` lines), like conversions and copies.
    """
    dirs = [out_root / f"run{i:02d}" for i in range(n)]
    cmd = [sys.executable, "-c", _REPORT_CHILD]
    t0 = time.perf_counter()
    codes = []
    if at_once:
        procs = [subprocess.Popen(cmd + [str(d)], env=_report_env(cache), stdout=subprocess.DEVNULL,
                                  stderr=open(out_root / f"run{i:02d}.stderr", "w")) for i, d in enumerate(dirs)]
        codes = [p.wait() for p in procs]
    else:
        for i, d in enumerate(dirs):
            codes.append(subprocess.run(cmd + [str(d)], env=_report_env(cache), stdout=subprocess.DEVNULL,
                                        stderr=open(out_root / f"run{i:02d}.stderr", "w")).returncode)
    return {"wall_s": time.perf_counter() - t0, "exit_codes": codes, "dirs": [d / "report" for d in dirs]}


# -- checks -----------------------------------------------------------------------------------
def compare_outputs(got: Path, ref: Path) -> list[str]:
    """Files of ``ref`` that differ in ``got``: CSV/text byte for byte, GeoPackages by content.

    Figures (SVG ids are random), maps and ``index.html`` (which embeds them) are not compared.
    """
    import geopandas as gpd

    diffs = []
    tables = ref / "tables"
    files = sorted(tables.iterdir()) if tables.is_dir() else sorted(ref.glob("*.csv"))
    files += [p for p in (ref / "validation_report.txt",) if p.is_file()]
    for f in files:
        other = got / f.relative_to(ref)
        if not other.is_file():
            diffs.append(f"{f.relative_to(ref)} missing")
        elif f.suffix == ".gpkg":
            a, b = gpd.read_file(f), gpd.read_file(other)
            same = (a.drop(columns="geometry").equals(b.drop(columns="geometry"))
                    and bool(a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()) and a.crs == b.crs)
            if not same:
                diffs.append(f"{f.relative_to(ref)} differs")
        elif f.read_bytes() != other.read_bytes():
            diffs.append(f"{f.relative_to(ref)} differs")
    if not files:
        diffs.append(f"no output in {ref}")
    return diffs


def verify_cache(cache: Path) -> dict[str, str]:
    """Every file of ``cache`` that does not verify (originals by registry sha256, converted by sidecar)."""
    from egovkit.datasets.cache import is_temporary, verify_converted
    from egovkit.datasets.fetch import sha256_of
    from egovkit.datasets.registry import registry

    problems = {f"converted/{k}": v for k, v in verify_converted(cache / "converted").items()}
    expected = {e.mirror_path: e.sha256 for e in registry().values()}
    for path in (cache / "originals").rglob("*") if (cache / "originals").is_dir() else []:
        if not path.is_file() or path.name.endswith(".lock"):
            continue
        rel = str(path.relative_to(cache / "originals"))
        if is_temporary(path.name):
            problems[f"originals/{rel}"] = "temporary file left behind"
        elif rel not in expected:
            problems[f"originals/{rel}"] = "not a registered file"
        elif sha256_of(path) != expected[rel]:
            problems[f"originals/{rel}"] = "sha256 differs from the registry"
    return problems


def work_counts(dirs: list[Path]) -> tuple[Counter, Counter, list[str]]:
    """Conversions and copies per item over all runs (from their INFO logs), and rebuild warnings."""
    converted, copied, rebuilt = Counter(), Counter(), []
    for d in dirs:
        events_file = d / EVENTS if (d / EVENTS).is_file() else d.parent / EVENTS
        if not events_file.is_file():
            continue
        events = json.loads(events_file.read_text(encoding="utf-8"))
        for msg in events["log"]:
            if msg.startswith("converting "):
                converted[msg.split()[1]] += 1
            elif msg.startswith(("copying ", "downloading ")):
                copied[msg.split()[1]] += 1
            elif msg.startswith("rebuilding "):
                rebuilt.append(msg)
    return converted, copied, rebuilt


def _run(job: str, n: int, out_root: Path, cache: Path, at_once: bool) -> dict:
    out_root.mkdir(parents=True, exist_ok=True)
    if job == "light":
        return run_light(n, out_root, cache, at_once)
    return run_reports(n, out_root, cache, at_once)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job", choices=["report", "light"], default="report")
    parser.add_argument("-n", type=int, default=20, help="processes started at once (default 20)")
    parser.add_argument("--sequential", type=int, default=None, help="sequential runs (default: n)")
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--concurrent-only", action="store_true",
                        help="only start the n processes on <out>/cache (results in <out>/concurrent.json); "
                             "used by tests/test_cache_concurrency.py, which checks them itself")
    args = parser.parse_args()
    if args.concurrent_only:
        if args.out is None:
            parser.error("--concurrent-only needs --out")
        res = _run(args.job, args.n, args.out / "concurrent", args.out / "cache", at_once=True)
        res["dirs"] = [str(d) for d in res["dirs"]]
        (args.out / "concurrent.json").write_text(json.dumps(res), encoding="utf-8")
        return
    n_seq = args.n if args.sequential is None else args.sequential
    work = args.out or Path(tempfile.mkdtemp(prefix="egovkit-load-"))
    if work.exists():
        shutil.rmtree(work)
    print(f"load test: job={args.job}, {args.n} processes at once vs {n_seq} sequential runs, "
          f"{os.cpu_count()} CPU(s), mirror {MIRROR}, work folder {work}")

    seq = _run(args.job, n_seq, work / "sequential", work / "cache_sequential", at_once=False)
    con = _run(args.job, args.n, work / "concurrent", work / "cache_concurrent", at_once=True)

    ref = seq["dirs"][0]
    ok_seq = sum(c == 0 for c in seq["exit_codes"])
    ok = sum(c == 0 for c in con["exit_codes"])
    diffs = {str(d): compare_outputs(d, ref) for d, c in zip(con["dirs"], con["exit_codes"]) if c == 0}
    identical = sum(not v for v in diffs.values())
    seq_identical = sum(c == 0 and not compare_outputs(d, ref) for d, c in zip(seq["dirs"], seq["exit_codes"]))
    bad = verify_cache(work / "cache_concurrent")
    converted, copied, rebuilt = work_counts(con["dirs"])
    conv_seq, copied_seq, _ = work_counts(seq["dirs"])

    print(f"  sequential: {ok_seq}/{n_seq} succeeded, {seq_identical}/{n_seq} identical outputs, "
          f"{seq['wall_s']:.1f} s ({seq['wall_s'] / n_seq:.2f} s per run)")
    print(f"  concurrent: {ok}/{args.n} succeeded, {identical}/{args.n} outputs identical to the sequential "
          f"run's, {con['wall_s']:.1f} s wall ({con['wall_s'] / args.n:.2f} s per run, "
          f"x{seq['wall_s'] / n_seq * args.n / con['wall_s']:.2f} vs the same number of sequential runs)")
    print(f"  cache after the concurrent runs: {len(bad)} corrupted or unverifiable file(s)"
          + "".join(f"\n    {k}: {v}" for k, v in bad.items()))
    print(f"  conversions: {sum(converted.values())} for {len(converted)} converted files "
          f"(max {max(converted.values(), default=0)} per file; sequential: {sum(conv_seq.values())}); "
          f"copies from the mirror: {sum(copied.values())} for {len(copied)} originals "
          f"(max {max(copied.values(), default=0)} per file; sequential: {sum(copied_seq.values())}); "
          f"rebuilds: {len(rebuilt)}")
    for d, v in diffs.items():
        if v:
            print(f"    {d}: {'; '.join(v[:5])}")
    for d, c in zip(con["dirs"], con["exit_codes"]):
        if c != 0:
            err = d / "error.txt" if (d / "error.txt").is_file() else Path(str(d.parent) + ".stderr")
            tail = err.read_text(encoding="utf-8").strip().splitlines()[-1:] if err.is_file() else ["?"]
            print(f"    {d}: exit {c}: {tail[0]}")
    if args.out is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
