"""Country-scale benchmark of the tiled coverage engine (issue 13). Prints figures; not a test.

A synthetic 100 m population GeoTIFF of ``--cells`` cells (default 10^8, UTM 33N, float32, 256 x 256
internal blocks, 3 % nodata, gamma(0.8, 6) persons a cell as in ``benchmarks/coverage_tiled.py``; a square
grid centred on the zone's central meridian, so that it stays a metric grid for the engine: 1,000 km
wide for 10^8 cells, scale error 0.3 %; written once in strips of 500 rows to a temporary folder, not
timed), ``--districts`` Voronoi districts (300),
``--sites`` random sites (20,000), radii 100/250/500/1000 m, distance quantiles (median, p90).
A window of ``--window-cells`` cells (default 10^7) at the top-left corner of the same grid is
copied to a second GeoTIFF (same cell values, same districts, same sites).

Each engine runs in its own child process (wall time of the ``coverage`` call, peak resident memory
``VmHWM`` from ``/proc/self/status``; on dask, the client's plus each worker's):

- ``memory-window``: ``population_from_raster(window, tiled=False)`` + ``coverage`` (setup timed too);
- ``tiled-window``: ``raster_tiles(window)`` + ``tiled_coverage``; compared with ``==`` to ``memory-window``;
- ``tiled``: the full grid, one process (the target: under 60 s and under 3 GB peak RSS);
- ``dask-1``, ``dask-2``: the full grid on a ``LocalCluster`` of 1 and 2 single-threaded worker
  processes; compared with ``==`` to ``tiled``.

One summary line per engine:
``engine=<name> cells=<N> sites=<N> seconds=<S> peak_rss_mb=<M> identical=<yes|no|ref>``.

Run: ``.venv/bin/python benchmarks/country_scale.py`` (full size), or
``--cells 1000000 --window-cells 100000`` for a quick run.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coverage_tiled as ct  # noqa: E402  (VmHWM reader, table comparison)

RADII = [100.0, 250.0, 500.0, 1000.0]
QUANTILES = (0.5, 0.9)


def _make_inputs(cells: int, n_sites: int, n_districts: int, seed: int, folder: Path) -> dict[str, str]:
    """As ``coverage_tiled._make_inputs`` (same values, same districts), but a square grid centred on
    the UTM zone's central meridian (x = 500 km): a 1,265 km wide grid starting at x = 200 km is not a
    metric grid for the engine (scale error above 1 %) and would need the sites with a CRS."""
    import geopandas as gpd
    import numpy as np
    import rasterio
    import shapely
    from affine import Affine
    from shapely.geometry import box

    rng = np.random.default_rng(seed)
    cell = 100.0
    ncol = int(round(cells**0.5))
    nrow = cells // ncol
    x0, y0 = 500_000.0 - ncol * cell / 2, 5_500_000.0
    path = folder / "pop.tif"
    with rasterio.open(path, "w", driver="GTiff", width=ncol, height=nrow, count=1, dtype="float32", crs=ct.CRS,
                       transform=Affine(cell, 0, x0, 0, -cell, y0), nodata=-99999.0, tiled=True, blockxsize=256,
                       blockysize=256) as dst:
        for r in range(0, nrow, 500):  # strips: the whole raster is never in memory
            h = min(500, nrow - r)
            v = rng.gamma(0.8, 6.0, size=(h, ncol)).astype(np.float32)
            v[rng.random((h, ncol)) < 0.03] = -99999.0
            dst.write(v[None], window=rasterio.windows.Window(0, r, ncol, h))
    frame = box(x0, y0 - nrow * cell, x0 + ncol * cell, y0)
    b = frame.bounds
    np.save(folder / "sites.npy", np.column_stack([rng.uniform(b[0], b[2], n_sites), rng.uniform(b[1], b[3], n_sites)]))
    seeds = np.column_stack([rng.uniform(b[0], b[2], n_districts), rng.uniform(b[1], b[3], n_districts)])
    polys = shapely.intersection(np.asarray(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                                     extend_to=frame).geoms), frame)
    gpd.GeoDataFrame({"district": [f"D{i:04d}" for i in range(len(polys))]}, geometry=polys,
                     crs=ct.CRS).to_file(folder / "districts.gpkg")
    print(f"raster {ncol} x {nrow} cells of {cell:g} m ({ncol * nrow:,} cells, {path.stat().st_size / 2**20:,.0f} MB "
          f"on disk), {n_sites:,} sites, {n_districts:,} districts")
    return {"raster": str(path), "sites": str(folder / "sites.npy"), "districts": str(folder / "districts.gpkg")}


def _window_raster(src_path: str, ncells: int, out: Path) -> tuple[str, int]:
    """Copy the top-left window of about ``ncells`` cells (same aspect) to ``out``, in strips."""
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(src_path) as src:
        ncol = min(src.width, int(round(ncells**0.5)))
        nrow = min(src.height, ncells // ncol)
        prof = src.profile.copy()
        prof.update(width=ncol, height=nrow, transform=src.window_transform(Window(0, 0, ncol, nrow)))
        with rasterio.open(out, "w", **prof) as dst:
            for r in range(0, nrow, 512):
                h = min(512, nrow - r)
                dst.write(src.read(1, window=Window(0, r, ncol, h))[None], window=Window(0, r, ncol, h))
    return str(out), ncol * nrow


def _child(a: argparse.Namespace) -> None:
    import geopandas as gpd
    import numpy as np

    from egovkit.coverage import coverage, population_from_raster, raster_tiles, tiled_coverage

    warnings.simplefilter("ignore")
    sites = np.load(a.sites_file)
    d = gpd.read_file(a.districts_file)
    out: dict = {}
    t = time.perf_counter()
    client = cluster = None
    if a.child == "memory":
        pop = population_from_raster(a.raster, districts=d, key="district", tiled=False)
    else:
        pop = raster_tiles(a.raster, districts=d, key="district", tile_size=a.tile)
        if a.child == "dask":
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40, memory_limit="6GB")
            client = Client(cluster)
    out["setup_s"] = time.perf_counter() - t
    t = time.perf_counter()
    if a.child == "memory":
        tab = coverage(pop, sites, RADII, quantiles=QUANTILES)
    else:
        tab = tiled_coverage(pop, sites, RADII, quantiles=QUANTILES, client=client, progress=False)
    out["coverage_s"] = time.perf_counter() - t
    tab.to_pickle(f"{a.out}.default.pkl")
    if client is not None:
        peaks = client.run(ct._vmhwm_mb)
        out["worker_peaks_mb"] = sorted(peaks.values())
        client.close()
        cluster.close()
    out["peak_mb"] = ct._vmhwm_mb()
    print("RESULT " + json.dumps(out))


def _run(mode: str, raster: str, files: dict, a: argparse.Namespace, tag: str, workers: int = 1) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--raster", raster, "--tile", str(a.tile),
           "--workers", str(workers), "--out", f"{files['folder']}/{tag}",
           "--sites-file", files["sites"], "--districts-file", files["districts"]]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode:
        print(p.stdout, p.stderr)
        raise SystemExit(f"child {tag} failed")
    res = json.loads(next(line[7:] for line in p.stdout.splitlines() if line.startswith("RESULT ")))
    res["wall_s"] = wall
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=float, default=1e8)
    ap.add_argument("--window-cells", type=float, default=1e7)
    ap.add_argument("--sites", type=int, default=20_000)
    ap.add_argument("--districts", type=int, default=300)
    ap.add_argument("--tile", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--engines", default="memory-window,tiled-window,tiled,dask-1,dask-2")
    ap.add_argument("--child", default=None)
    ap.add_argument("--raster", default=None)
    ap.add_argument("--out", default=None)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--sites-file", default=None)
    ap.add_argument("--districts-file", default=None)
    a = ap.parse_args()
    if a.child:
        _child(a)
        return
    a.cells = int(a.cells)
    print(f"load average before: {os.getloadavg()[0]:.2f}; nproc {os.cpu_count()}; radii {RADII}; "
          f"quantiles {QUANTILES}")
    folder = Path(tempfile.mkdtemp(prefix="egovkit-country-", dir="/tmp"))
    t = time.perf_counter()
    files = _make_inputs(a.cells, a.sites, a.districts, a.seed, folder)
    files["folder"] = str(folder)
    win, nwin = _window_raster(files["raster"], int(a.window_cells), folder / "window.tif")
    import rasterio
    with rasterio.open(files["raster"]) as s:
        nfull = s.width * s.height
    print(f"  (inputs written in {time.perf_counter() - t:.1f} s to {folder}, not timed; window {nwin:,} cells)")
    res: dict[str, dict] = {}
    ref = {"memory-window": "tiled-window", "tiled-window": "memory-window", "dask-1": "tiled", "dask-2": "tiled"}
    engines = [e for e in a.engines.split(",") if e]
    for eng in engines:
        if eng == "memory-window":
            res[eng] = _run("memory", win, files, a, eng)
        elif eng == "tiled-window":
            res[eng] = _run("tiled", win, files, a, eng)
        elif eng == "tiled":
            res[eng] = _run("tiled", files["raster"], files, a, eng)
        else:
            w = int(eng.split("-")[1])
            res[eng] = _run("dask", files["raster"], files, a, eng, workers=w)
        r = res[eng]
        wk = (f", workers' peaks {', '.join(f'{x:,.0f}' for x in r['worker_peaks_mb'])} MB"
              if "worker_peaks_mb" in r else "")
        print(f"  {eng}: setup {r['setup_s']:.2f} s, coverage {r['coverage_s']:.2f} s, client/process peak "
              f"{r['peak_mb']:,.0f} MB{wk}; child wall {r['wall_s']:.1f} s", flush=True)
    for eng in engines:
        r = res[eng]
        other = ref.get(eng)
        if other in res:
            bad, n = ct._differ(str(folder), eng, other, "default")
            ident = "yes" if bad == 0 else "no"
            note = f" vs={other} differing_values={bad}/{n}"
        else:
            ident, note = ("ref" if eng == "tiled" else "n/a"), ""
        cells = nwin if eng.endswith("window") else nfull
        seconds = r["coverage_s"] + (r["setup_s"] if eng == "memory-window" else 0.0)
        peak = r["peak_mb"] + sum(r.get("worker_peaks_mb", []))
        print(f"engine={eng} cells={cells} sites={a.sites} seconds={seconds:.2f} peak_rss_mb={peak:.0f} "
              f"identical={ident}{note}")
    print("(seconds: the coverage call, plus population_from_raster for memory-window; dask: cluster start "
          "excluded; peak_rss_mb: VmHWM of the process, on dask the client's plus every worker's)")
    if "tiled" in res:
        r = res["tiled"]
        print(f"targets for the full grid, tiled: under 60 s -> {'met' if r['coverage_s'] < 60 else 'not met'} "
              f"({r['coverage_s']:.1f} s); under 3 GB peak RSS -> {'met' if r['peak_mb'] < 3072 else 'not met'} "
              f"({r['peak_mb']:,.0f} MB); rate {r['coverage_s'] / nfull * 1e6:.3f} s per 10^6 cells")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
