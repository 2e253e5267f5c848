"""Benchmark of the tiled coverage engine (egovkit.coverage.tiled) against the in-memory one.

Prints figures; not a test.

A synthetic 100 m population raster of ``--cells`` cells (default 10^7, 4,000 x 2,500, UTM 33N,
float32, 256 x 256 internal blocks, 3 % nodata cells) is written to ``/tmp``, with ``--sites``
random sites (50,000) and ``--districts`` Voronoi districts (1,000), radii 50/100/250/500 m, as in
``benchmarks/coverage.py``. Each way runs in its own child process, whose peak resident memory
(``VmHWM`` from ``/proc/self/status``) and wall time are printed:

1. in-memory: ``population_from_raster(..., tiled=False)`` then ``coverage`` (shares only, then the
   default call with the median and p90 distances);
2. tiled, one process: ``raster_tiles`` then ``tiled_coverage`` (same two calls), ``--tile`` cells a side;
3. tiled on a ``dask.distributed`` ``LocalCluster`` of ``--workers`` single-threaded worker processes
   (the peak memory of each worker is read on the worker).

The tables of 2 and 3 are compared with those of 1 with ``==`` (every column, every row): the
number of differing values must be 0. Then the same on the real Singapore grid (EPSG:4326,
19,598 populated cells) when ``../shared/data`` is there. Finally the figures are extrapolated to a
continent (``--continent-cells``, 3x10^9 for Africa at 100 m).

Run: ``.venv/bin/python benchmarks/coverage_tiled.py`` (a few minutes; the in-memory child needs
about 1.7 GB); ``--cells 1000000 --sites 5000 --districts 100`` for a quick run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

RADII = [50.0, 100.0, 250.0, 500.0]
CRS = "EPSG:32633"


def _vmhwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _make_inputs(a: argparse.Namespace, folder: Path) -> dict[str, str]:
    import geopandas as gpd
    import rasterio
    import shapely
    from affine import Affine
    from shapely.geometry import box

    rng = np.random.default_rng(a.seed)
    cell = 100.0
    ncol = int(round(np.sqrt(a.cells * 1.6)))
    nrow = a.cells // ncol
    x0, y0 = 200_000.0, 5_500_000.0
    path = folder / "pop.tif"
    with rasterio.open(path, "w", driver="GTiff", width=ncol, height=nrow, count=1, dtype="float32", crs=CRS,
                       transform=Affine(cell, 0, x0, 0, -cell, y0), nodata=-99999.0, tiled=True, blockxsize=256,
                       blockysize=256) as dst:
        for r in range(0, nrow, 500):  # written in strips: the parent never holds the whole raster
            h = min(500, nrow - r)
            v = rng.gamma(0.8, 6.0, size=(h, ncol)).astype(np.float32)
            v[rng.random((h, ncol)) < 0.03] = -99999.0
            dst.write(v[None], window=rasterio.windows.Window(0, r, ncol, h))
    frame = box(x0, y0 - nrow * cell, x0 + ncol * cell, y0)
    sxy = np.column_stack([rng.uniform(frame.bounds[0], frame.bounds[2], a.sites),
                           rng.uniform(frame.bounds[1], frame.bounds[3], a.sites)])
    np.save(folder / "sites.npy", sxy)
    seeds = np.column_stack([rng.uniform(frame.bounds[0], frame.bounds[2], a.districts),
                             rng.uniform(frame.bounds[1], frame.bounds[3], a.districts)])
    polys = shapely.intersection(np.asarray(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                                     extend_to=frame).geoms), frame)
    gpd.GeoDataFrame({"district": [f"D{i:04d}" for i in range(len(polys))]}, geometry=polys,
                     crs=CRS).to_file(folder / "districts.gpkg")
    print(f"raster {ncol} x {nrow} cells of {cell:g} m ({ncol * nrow:,} cells, "
          f"{path.stat().st_size / 2**20:,.0f} MB on disk), {a.sites:,} sites, {a.districts:,} districts, "
          f"radii {RADII}")
    return {"raster": str(path), "sites": str(folder / "sites.npy"), "districts": str(folder / "districts.gpkg")}


def _child(a: argparse.Namespace) -> None:
    """One way, in this process: prints one JSON line (times, peak memory) and saves its tables."""
    import geopandas as gpd

    from egovkit.coverage import coverage, population_from_raster, raster_tiles, tiled_coverage

    warnings.simplefilter("ignore")
    out: dict[str, float] = {}
    if a.singapore:
        rng = np.random.default_rng(1)
        import rasterio
        with rasterio.open(a.raster) as s:
            b = s.bounds
        sites = gpd.GeoSeries.from_xy(rng.uniform(b.left, b.right, 2000), rng.uniform(b.bottom, b.top, 2000), crs=4326)
        d = None
    else:
        sites = np.load(a.sites)
        d = gpd.read_file(a.districts)
    kw = {"districts": d, "key": "district"} if d is not None else {}
    t = time.perf_counter()
    client = cluster = None
    if a.child == "memory":
        pop = population_from_raster(a.raster, tiled=False, **kw)
    else:
        pop = raster_tiles(a.raster, tile_size=a.tile, **kw)
        if a.child == "dask":
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40, memory_limit="3GB")
            client = Client(cluster)
    out["setup_s"] = time.perf_counter() - t
    for label, q in (("shares", None), ("default", (0.5, 0.9))):
        t = time.perf_counter()
        if a.child == "memory":
            tab = coverage(pop, sites, RADII, quantiles=q)
        else:
            tab = tiled_coverage(pop, sites, RADII, quantiles=q, client=client, progress=False)
        out[f"{label}_s"] = time.perf_counter() - t
        tab.to_pickle(f"{a.out}.{label}.pkl")
    if a.child != "memory":
        out["tiles"] = len(pop.windows())
        out["total"] = pop.total
        print(pop.report, file=sys.stderr)
    if client is not None:
        peaks = client.run(_vmhwm_mb)
        out["worker_peak_mb"] = max(peaks.values())
        client.close()
        cluster.close()
    out["peak_mb"] = _vmhwm_mb()
    print("RESULT " + json.dumps(out))


def _run(mode: str, files: dict[str, str], a: argparse.Namespace, tag: str, extra: list[str] | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--raster", files["raster"], "--tile", str(a.tile),
           "--workers", str(a.workers), "--out", f"{files['folder']}/{tag}"] + (extra or [])
    if "sites" in files:
        cmd += ["--sites", files["sites"], "--districts-file", files["districts"]]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode:
        print(p.stdout, p.stderr)
        raise SystemExit(f"child {mode} failed")
    res = json.loads(next(line[7:] for line in p.stdout.splitlines() if line.startswith("RESULT ")))
    res["wall_s"] = wall
    return res


def _differ(folder: str, a: str, b: str, label: str) -> tuple[int, int]:
    import pandas as pd

    x = pd.read_pickle(f"{folder}/{a}.{label}.pkl")
    y = pd.read_pickle(f"{folder}/{b}.{label}.pkl")
    assert list(x.columns) == list(y.columns) and len(x) == len(y)
    n = bad = 0
    for c in x.columns:
        u, v = x[c].to_numpy(), y[c].to_numpy()
        na = pd.isna(u)
        same = (na == pd.isna(v)) & ((u == v) | na)
        n += len(u)
        bad += int((~same).sum())
    return bad, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=10_000_000)
    ap.add_argument("--sites", type=str, default="50000")
    ap.add_argument("--districts", type=int, default=1_000)
    ap.add_argument("--tile", type=int, default=1024)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--continent-cells", type=float, default=3e9)
    ap.add_argument("--tile-sweep", type=str, default="",
                    help="also run the tiled way alone at these tile sizes, e.g. 256,512,2048 (memory vs tile size)")
    ap.add_argument("--child", default=None)
    ap.add_argument("--raster", default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument("--districts-file", default=None)
    ap.add_argument("--singapore", action="store_true")
    a = ap.parse_args()
    if a.child:
        a.districts = a.districts_file
        _child(a)
        return
    a.sites = int(a.sites)
    print(f"load average before: {os.getloadavg()[0]:.2f}; nproc {os.cpu_count()}")
    folder = Path(tempfile.mkdtemp(prefix="egovkit-tiled-bench-", dir="/tmp"))
    t = time.perf_counter()
    files = _make_inputs(a, folder)
    files["folder"] = str(folder)
    print(f"  (written in {time.perf_counter() - t:.1f} s to {folder})")
    res = {}
    for mode in ("memory", "tiled", "dask"):
        res[mode] = _run(mode, files, a, mode)
        r = res[mode]
        extra = f", workers' peak {r['worker_peak_mb']:,.0f} MB each" if "worker_peak_mb" in r else ""
        tiles = f" ({r['tiles']} tiles of {a.tile}x{a.tile})" if "tiles" in r else ""
        print(f"{mode:>7s}{tiles}: setup {r['setup_s']:.2f} s, shares {r['shares_s']:.2f} s, default call "
              f"{r['default_s']:.2f} s; peak memory (VmHWM) {r['peak_mb']:,.0f} MB{extra}; child wall "
              f"{r['wall_s']:.1f} s")
    for mode in ("tiled", "dask"):
        for label in ("shares", "default"):
            bad, n = _differ(str(folder), "memory", mode, label)
            print(f"  {mode} vs in-memory, {label}: {bad} of {n:,} table values differ")
    m, tl, dk = res["memory"], res["tiled"], res["dask"]
    print(f"ratio tiled / in-memory: time (shares) {tl['shares_s'] / max(m['shares_s'] + m['setup_s'], 1e-9):.2f} x "
          f"(in-memory setup included), peak memory {tl['peak_mb'] / m['peak_mb']:.2f} x")
    for size in [int(x) for x in a.tile_sweep.split(",") if x]:
        r = _run("tiled", files, argparse.Namespace(tile=size, workers=a.workers), f"tiled-{size}")
        bad = sum(_differ(str(folder), "memory", f"tiled-{size}", lb)[0] for lb in ("shares", "default"))
        print(f"  tiled, {r['tiles']} tiles of {size}x{size}: shares {r['shares_s']:.2f} s, default call "
              f"{r['default_s']:.2f} s, peak memory {r['peak_mb']:,.0f} MB; {bad} values differ from in-memory")
    # Singapore
    sg = sorted(Path(os.environ.get("EGOVKIT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
                .glob("singapore-population-raster/*.tif"))
    if sg:
        sfiles = {"raster": str(sg[0]), "folder": str(folder)}
        for mode in ("memory", "tiled"):
            _run(mode, sfiles, argparse.Namespace(tile=128, workers=a.workers), f"sg-{mode}", ["--singapore"])
        for label in ("shares", "default"):
            bad, n = _differ(str(folder), "sg-memory", "sg-tiled", label)
            print(f"Singapore grid (EPSG:4326, 128x128 tiles, 2,000 sites) tiled vs in-memory, {label}: "
                  f"{bad} of {n:,} table values differ")
    # on paper: a continent
    n_cells = a.continent_cells
    cells = a.cells
    per_cell_s = {k: tl[f"{k}_s"] / cells for k in ("shares", "default")}
    n_tiles = int(np.ceil(n_cells / a.tile**2))
    print(f"extrapolation to {n_cells:.1e} cells ({a.tile}x{a.tile} tiles, measured single-core rate here): "
          f"{n_tiles:,} tasks per pass (x2 with quantiles), "
          f"{per_cell_s['shares'] * n_cells / 3600:.1f} core-hours (shares), "
          f"{per_cell_s['default'] * n_cells / 3600:.1f} core-hours (default call); "
          f"memory per worker about {dk.get('worker_peak_mb', float('nan')):,.0f} MB")


if __name__ == "__main__":
    main()
